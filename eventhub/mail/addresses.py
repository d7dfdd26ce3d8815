"""Email addresses as mail servers take them: the domain in ASCII, the local part as written.

A domain with å, ä or ö (``borås.se``) has an ASCII form, IDNA 2008 punycode (``xn--bors-soa.se``),
which every server takes: it is written so in the envelope and in the headers. The part before
the @ has none: ``åsa@example.se`` can go only through a server that offers SMTPUTF8 (RFC 6531),
with the headers in UTF-8 (RFC 6532). An address is never written as an RFC 2047 encoded word
(``=?utf-8?q?...?=``, allowed in a display name only): the standard library does that to
non-ASCII addresses unless the policy is ``utf8``, and no server would deliver to one.

The domain is converted with the ``idna`` package (IDNA 2008 with the UTS 46 mapping, as
email-validator checks the addresses people type), not Python's own codec, which implements
IDNA 2003 and maps ``straße.de`` to ``strasse.de``: another domain.
"""
from __future__ import annotations

import re
from email.headerregistry import Address
from email.utils import parseaddr

import idna

DOMAIN_MAX = 253  # RFC 1035; checked first, as email-validator does: idna is slow on a long label
_NOT_IN_DOMAIN = re.compile(r'[\s@<>()\[\],;:\\"]')
_QUOTED_PAIR = re.compile(r"\\(.)")


def ascii_domain(domain: str) -> str:
    """The domain as DNS and every mail server know it: IDNA ASCII (punycode) if it is not ASCII."""
    if domain.isascii():
        return domain
    if len(domain) > DOMAIN_MAX:
        raise ValueError(f"the domain is longer than {DOMAIN_MAX} characters")
    try:
        return idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError as error:
        raise ValueError(f"the domain {domain!r} has no IDNA form: {error}") from error


def wire_address(text: str) -> Address:
    """``anna@borås.se`` or ``Name <anna@borås.se>`` with its domain in ASCII. ValueError if it is
    no address."""
    name, addr_spec = parseaddr(text)
    # Split by hand: the stdlib's Address(addr_spec=...) refuses a local part that is not ASCII.
    local, at, domain = addr_spec.rpartition("@")
    if not at or not local or not domain or _NOT_IN_DOMAIN.search(domain):
        raise ValueError(f"not an email address: {text!r}")
    if len(local) >= 2 and local[0] == local[-1] == '"':  # "a b"@example.se: Address quotes it again
        local = _QUOTED_PAIR.sub(r"\1", local[1:-1])
    return Address(display_name=name, username=local, domain=ascii_domain(domain))


def needs_smtputf8(address: str | Address) -> bool:
    """Whether only a server that offers SMTPUTF8 can take this address: its local part is not ASCII
    (a domain never needs it, being sent as punycode)."""
    if isinstance(address, str):
        address = wire_address(address)
    return not address.username.isascii()
