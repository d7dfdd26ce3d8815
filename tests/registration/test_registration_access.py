"""The guard of the secret link: every answer under /r/<token> is private, whichever blueprint serves it."""
from __future__ import annotations

import re

import pytest

from eventhub.registration import tokens
from eventhub.registration.access import PREFIX, PRIVATE_HEADERS
from eventhub.registration.models import Registration
from tests.registration.support import KEYS, fresh, register


def _personal_rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIX)]
    assert {rule.endpoint.split(".")[0] for rule in rules} == {"registration", "privacy", "checkin", "exports",
                                                               "evaluation", "live"}
    return rules


def _path(rule, token: str) -> str:
    """The rule's address with the token, and 1 for any other id in it (an upvote's question)."""
    return re.sub(r"<id:\w+>", "1", rule.rule.replace("<token>", token))


def _is_private(response) -> bool:
    return (response.headers.get("Referrer-Policy") == PRIVATE_HEADERS["Referrer-Policy"]
            and "private" in response.headers.get("Cache-Control", ""))


def test_every_personal_page_is_private_for_an_unknown_token(app, client):
    for rule in _personal_rules(app):
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_path(rule, "A" * 32), method=method)

        # An unknown token is not found; a POST without its CSRF token is refused before that.
        assert response.status_code == (404 if method == "GET" else 400), rule.rule
        assert _is_private(response), rule.rule


def test_every_personal_page_is_private_for_a_real_token(app, client, hybrid):
    with app.app_context():
        registration = fresh(Registration, register(hybrid, "anna@example.se").registration.id)
        token = tokens.manage_token(KEYS, registration.token_salt)
    for rule in _personal_rules(app):
        if "GET" not in rule.methods:
            continue
        response = client.get(_path(rule, token))

        assert response.status_code in (200, 303, 403, 404, 410, 425), rule.rule
        assert _is_private(response), rule.rule


@pytest.mark.parametrize("path", ["/events/{slug}", "/events/{slug}/programme.pdf", "/"])
def test_public_pages_keep_the_default_referrer_policy(client, hybrid, path):
    assert client.get(path.format(slug=hybrid)).headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
