"""No input makes a server error: hypothesis over every form and JSON endpoint, on every database.

Every URL rule that takes POST, PUT, PATCH or DELETE is sent hypothesis-made values as the visitor who
may use it (tests/test_authorisation_matrix.py's ENDPOINT_CLASS and seed), with a valid CSRF token so
that the view itself reads them. The fields are those of the forms our pages show for that address
(found by reading every page first), their own values mixed with NUL and other control characters,
U+2028, other scripts' digits, huge strings, links without a host; the door's JSON API gets JSON of its
own keys, nested and odd. Any 5xx, or an exception the app lets through, fails the test, with the
example that caused it.

Bounded: FUZZ_EXAMPLES examples per endpoint while the run is inside FUZZ_SECONDS, then one each, so
every endpoint is always tried (about 40 s per database on a laptop core). Derandomized: every run
sends the same examples, so a failure is reproduced by running the test again (on a slow machine
with EVENTHUB_FUZZ_SECONDS=1000, so that the time limit does not cut the examples short);
EVENTHUB_FUZZ_SEED=<n> explores other examples (printed), EVENTHUB_FUZZ_ONLY=<part of an endpoint>
tries only those.
"""
from __future__ import annotations

import io
import json
import os
import time
import traceback
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask_wtf import FlaskForm
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from eventhub import fields, keyring
from eventhub.extensions import db
from eventhub.registration import tokens
from eventhub.registration.models import Registration
from tests.accounts.support import PASSWORD, csrf_from
from tests.test_authorisation_matrix import ARGUMENTS, ENDPOINT_CLASS, OVERRIDES, _seed

FUZZ_EXAMPLES = int(os.environ.get("EVENTHUB_FUZZ_EXAMPLES", "20"))
FUZZ_SECONDS = float(os.environ.get("EVENTHUB_FUZZ_SECONDS", "50"))
FUZZ_SEED = os.environ.get("EVENTHUB_FUZZ_SEED")
FUZZ_ONLY = os.environ.get("EVENTHUB_FUZZ_ONLY")  # a part of an endpoint's name: only those
WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# Who sends what to each kind of endpoint (the matrix's classes).
ROLE_OF_CLASS = {"public": "anonymous", "attendee-token": "anonymous", "leader-token": "anonymous",
                 "account": "organiser", "organiser": "organiser", "manage": "organiser", "host": "host",
                 "host-api": "host", "admin": "admin"}
ACCOUNTS = {"anonymous": None, "host": "host@example.se", "organiser": "org@example.se", "admin": "admin@example.se"}
# These end a session or take away what the rest need: tried last.
LAST = ("accounts.logout", "accounts.toggle_active", "privacy.erase", "privacy.anonymise_event",
        "events.cancel_event", "events.delete_event", "events.remove_staff", "events.change_staff_role",
        "attendees.bulk_cancel", "attendees.cancel", "registration.cancel")
# Pages that are no HTML with forms (files, feeds, JSON): not read for forms.
NOT_PAGES = ("exports.", "api.", "checkin.service_worker", "checkin.manifest", "checkin.tickets", "checkin.counters",
             "registration.ticket_svg", "registration.preview_ticket_svg", "materials.download_material",
             "privacy.export_data", "checkin.join", "accounts.logout", "i18n.switch_language")
# The door API's keys (checkin/schemas.py), for JSON bodies.
JSON_KEYS = ("code", "nonce", "scanned_at", "offline", "registration_id", "check_in_id", "items", "q", "name",
             "email")

NASTY = ["\x00", "a\x00b", "\x01\x1f\x7f", "\x85", "\u2028", "\u2029", "\r\n", "\t", "\ufeff", "\u200b", "\U0001f389",
         "¹²³", "١٢٣٤", "٣", "𝟘𝟙", "Ⅻ", "२०२६-१२-०३", "１２", "Åsa Öhman", "ǅ", "ß", "İ", "EH1:¹-1-X", "EH1:1-1-ÅÄÖ",
         "https://", "http://", "https://[::1", "javascript:alert(1)", "//evil.example", "../../etc/passwd", "%00",
         "'; DROP TABLE registration; --", "<script>alert(1)</script>", "{{7*7}}", "%(name)s", "{0}", " ",
         "-1", "0", "99999999999999999999999", "1e309", "NaN", "-0", "2026-02-30", "2026-12-03T25:61",
         "9999-12-31T23:59", "0001-01-01T00:00", "true", "null", "[]", "{}"]


class _Forms(HTMLParser):
    """The POST forms of a page: their action and, per field, the values the page offers."""

    def __init__(self, url: str):
        super().__init__()
        self.url, self.forms, self._form = url, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"action": urlsplit(urljoin(self.url, attrs.get("action") or self.url)).path, "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select", "button", "option") and \
                (attrs.get("name") or tag == "option"):
            if tag == "option":
                name = self._form.get("select")
                if name:
                    self._form["fields"][name]["values"].add(attrs.get("value") or "")
                return
            entry = self._form["fields"].setdefault(attrs["name"], {"type": attrs.get("type") or tag, "values": set()})
            if tag == "select":
                self._form["select"] = attrs["name"]
            if attrs.get("value") is not None:
                entry["values"].add(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._form is not None:
            self._form["select"] = None


def _url(rule, values) -> str:
    names = OVERRIDES.get(rule.endpoint, {})
    given_values = dict(rule.defaults or {})
    for argument in sorted(rule.arguments - given_values.keys()):
        given_values[argument] = values[names.get(argument) or ARGUMENTS[argument]]
    return rule.build(given_values, append_unknown=False)[1]


class Site:
    """The seeded app, one signed-in session per visitor, and the fields of every form its pages show."""

    def __init__(self, app):
        self.app = app
        self.values = _seed(app)
        with app.app_context():
            person = db.session.get(Registration, self.values["registration_id"])
            keys = keyring.of(app)
            self.codes = [tokens.ticket_payload(keys, person),
                          tokens.short_code(keys, person.token_salt, person.ticket_version)]
        self.sessions = {role: self._session(email) for role, email in ACCOUNTS.items()}
        self.fields: dict[str, dict] = {}
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and rule.endpoint != "static" and rule.endpoint in ENDPOINT_CLASS and \
                    not rule.endpoint.startswith(NOT_PAGES):
                self._read_forms(_url(rule, self.values))

    def _session(self, email):
        client = self.app.test_client()
        token = csrf_from(client.get("/account/login").get_data(as_text=True))
        if email:
            response = client.post("/account/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
            assert response.status_code == 303, email
        cookie = client.get_cookie("session")
        return (cookie.value if cookie else None), token

    def client(self, role):
        client = self.app.test_client()
        cookie, _token = self.sessions[role]
        if cookie:
            client.set_cookie("session", cookie)
        return client

    def _read_forms(self, url):
        response = self.client("admin").get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            return
        parser = _Forms(url)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            merged = self.fields.setdefault(form["action"], {})
            for name, entry in form["fields"].items():
                known = merged.setdefault(name, {"type": entry["type"], "values": set()})
                known["values"] |= entry["values"]

    def writes(self):
        rules = [rule for rule in self.app.url_map.iter_rules() if rule.methods & WRITES and rule.endpoint != "static"]
        return sorted(rules, key=lambda rule: (rule.endpoint in LAST, LAST.index(rule.endpoint)
                                               if rule.endpoint in LAST else 0, rule.endpoint, rule.rule))


# --- what is sent ------------------------------------------------------------------------------------

def _huge(text: str, times: int) -> str:
    return (text or "x") * times


ODD_TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.builds(_huge, st.sampled_from(["x", "Å", "\x00", "\u2028", "9"]), st.sampled_from([5_000, 200_000])),
)


def _field_value(entry):
    offered = sorted(entry["values"]) or ["Test"]
    return st.one_of(
        st.sampled_from(offered),
        st.sampled_from(offered),  # twice: most fields keep their own value, so the form gets far
        ODD_TEXT,
        st.builds(lambda valid, odd, at: valid[:at] + odd + valid[at:], st.sampled_from(offered), ODD_TEXT,
                  st.integers(0, 40)),
    )


def _file_value():
    return st.builds(lambda body, name: (io.BytesIO(body), name), st.binary(max_size=2_000),
                     st.one_of(st.sampled_from(["bilder.pdf", "a\x00.pdf", "¹.pdf", "../../x.pdf", "", ".pdf",
                                                "\u2028.pdf", "x" * 300 + ".pdf"]), st.text(max_size=30)))


def _form_body(site, path):
    known = site.fields.get(path)
    if known is None:  # a form no page showed in this state: every field any page has
        known = {name: entry for form in site.fields.values() for name, entry in form.items()}
        names = st.lists(st.sampled_from(sorted(known)), max_size=8, unique=True) if known else st.just([])
        return names.flatmap(lambda chosen: st.fixed_dictionaries(
            {name: _file_value() if known[name]["type"] == "file" else _field_value(known[name]) for name in chosen}))
    return st.fixed_dictionaries({}, optional={
        name: _file_value() if entry["type"] == "file" else _field_value(entry) for name, entry in known.items()
        if not name.endswith("csrf_token")})


def _json_value(site):
    real = st.sampled_from([site.values["registration_id"], 2**63, -1, 0, 1.5, True])
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), real, ODD_TEXT,
                        st.sampled_from(["\ud800", "2026-12-03T10:00:00Z", "2026-12-03T10:00:00", "nonce-0001"]))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(JSON_KEYS), inner, max_size=4)), max_leaves=12)


def _json_body(site):
    """A JSON text: a body of the door API's keys, one nested far too deep, or no JSON at all."""
    nonce = st.one_of(st.uuids().map(str), st.uuids().map(str), st.text(max_size=70), _json_value(site))
    own = {  # each key mostly with a value of the kind the scanner sends, else anything
        "code": st.one_of(st.sampled_from(site.codes), ODD_TEXT, st.builds(
            lambda code, odd, at: code[:at] + odd + code[at:], st.sampled_from(site.codes), ODD_TEXT,
            st.integers(0, 60)), _json_value(site)),
        "registration_id": st.one_of(st.just(site.values["registration_id"]), _json_value(site)),
        "scanned_at": st.one_of(st.sampled_from(["2026-12-03T10:00:00Z", "2026-12-03T10:00:00+01:00"]),
                                st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
                                _json_value(site)),
    }
    value = {key: own.get(key, _json_value(site)) for key in JSON_KEYS}
    item = st.fixed_dictionaries({"nonce": nonce}, optional={key: value[key] for key in JSON_KEYS if key != "nonce"})
    body = st.fixed_dictionaries({"nonce": nonce}, optional={
        key: (st.lists(st.one_of(item, item, _json_value(site)), max_size=6) if key == "items" else value[key])
        for key in JSON_KEYS if key != "nonce"})
    deep = st.integers(1, 5_000).map(lambda depth: '{"items": ' + "[" * depth + "]" * depth + "}")
    return st.one_of(body.map(json.dumps), body.map(json.dumps), deep, _json_value(site).map(json.dumps),
                     st.text(max_size=50))


def _request(site, rule, role, draw_body):
    """One request: ``(kind, payload)`` is form data or a JSON text."""
    url = _url(rule, site.values)
    kind, payload = draw_body
    client = site.client(role)
    token = site.sessions[role][1]
    method = sorted(rule.methods & WRITES)[0]
    if kind == "json":
        response = client.open(url, method=method, data=payload, content_type="application/json",
                               headers={"X-CSRFToken": token})
    else:
        data = {**payload, "csrf_token": token}
        data.update({name: token for name in site.fields.get(urlsplit(url).path, {}) if name.endswith("csrf_token")})
        response = client.open(url, method=method, data=data, headers={"X-CSRFToken": token})
    response.get_data()  # a streamed body (CSV) is made now, inside the request
    response.close()
    return response


def _body_strategy(site, rule):
    path = urlsplit(_url(rule, site.values)).path
    as_json = _json_body(site).map(lambda text: ("json", text))
    if ENDPOINT_CLASS.get(rule.endpoint) == "host-api":
        return as_json
    return st.one_of(*[_form_body(site, path).map(lambda data: ("form", data))] * 4, as_json)


# --- the test ----------------------------------------------------------------------------------------

def test_every_form_is_a_form_of_the_house():
    """The input rule's messages come from fields.Form: a new form must derive from it."""
    forms = {cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith("eventhub.")}
    assert {f"{cls.__module__}.{cls.__name__}" for cls in forms if not issubclass(cls, fields.Form)} == set()


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _fuzzer(site, rule, role, examples, statuses):
    """The hypothesis test of one endpoint: every answer below 500."""

    @settings(max_examples=examples, deadline=None, database=None, derandomize=FUZZ_SEED is None,
              phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    @given(body=_body_strategy(site, rule))
    def send(body):
        response = _request(site, rule, role, body)
        statuses.append(response.status_code)
        assert response.status_code < 500, f"{response.status_code}: {response.get_data(as_text=True)[:300]}"

    return seed(int(FUZZ_SEED))(send) if FUZZ_SEED is not None else send


def _told(error: BaseException) -> str:
    """The failure with its example(s) and where in the app it was raised."""
    errors = error.exceptions if isinstance(error, BaseExceptionGroup) else [error]
    return "\n".join("".join(traceback.format_exception(one)[-6:]) + "\n".join(getattr(one, "__notes__", []))
                     for one in errors)


def test_no_input_makes_a_server_error(app, tmp_path, capsys):
    app.config["MATERIAL_FOLDER"] = str(tmp_path / "materials")
    started = time.monotonic()
    site = Site(app)
    prepared = time.monotonic() - started
    failures, tried = [], []
    for rule in site.writes():
        if FUZZ_ONLY and FUZZ_ONLY not in rule.endpoint:
            continue
        kind = ENDPOINT_CLASS.get(rule.endpoint)
        assert kind is not None, f"classify {rule.endpoint} in tests/test_authorisation_matrix.py ENDPOINT_CLASS"
        role = ROLE_OF_CLASS[kind]
        examples = FUZZ_EXAMPLES if time.monotonic() - started < FUZZ_SECONDS else 1
        statuses: list[int] = []
        send = _fuzzer(site, rule, role, examples, statuses)
        try:
            send()
        except Exception as error:  # noqa: BLE001 (every failure is collected, with its example)
            failures.append(f"{rule.endpoint} {rule.rule} as {role}:\n{_told(error)}")
        tried.append((rule.endpoint, examples, sorted(set(statuses))))
    elapsed = time.monotonic() - started
    engine = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    examples = sum(count for _endpoint, count, _statuses in tried)
    with capsys.disabled():
        print(f"\nfuzz ({engine}): {len(tried)} endpoints, {examples} examples, {elapsed:.1f} s "
              f"({prepared:.1f} s reading the pages); "
              + (f"seed {FUZZ_SEED}" if FUZZ_SEED else "derandomized (EVENTHUB_FUZZ_SEED=<n> for other examples)"))
        if os.environ.get("EVENTHUB_FUZZ_VERBOSE"):
            for endpoint, count, answers in tried:
                print(f"  {endpoint}: {count} examples, answered {answers}")
    assert failures == [], "\n".join(failures)


def test_the_fuzzer_reads_the_forms_of_the_pages(app, tmp_path):
    """The fields sent are the pages' own: the registration form and the event form are found."""
    app.config["MATERIAL_FOLDER"] = str(tmp_path / "materials")
    site = Site(app)
    register = site.fields[f"/events/{site.values['event']}/register"]
    edit = site.fields[f"/manage/events/{site.values['event']}/edit"]
    assert {"name", "email", "mode"} <= register.keys() and {"title", "partners", "starts_at"} <= edit.keys()
