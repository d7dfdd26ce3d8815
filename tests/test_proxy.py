"""Behind a TLS proxy: the forwarded client address, scheme and host, trusted only from configured proxies."""
from __future__ import annotations

import pytest
from flask import jsonify, request, url_for

from config import TestingConfig
from eventhub import create_app
from eventhub.extensions import limiter

PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # every request arrives from the proxy's address


def _app(**settings):
    """An app with one extra page that says who and where the request came from, limited per address."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://", RATELIMIT_ENABLED=True,
                     RATELIMIT_STORAGE_URI="memory://", **settings)

    @app.get("/_test/whoami")
    @limiter.limit("2 per minute")
    def whoami():
        return jsonify(address=request.remote_addr, scheme=request.scheme,
                       link=url_for("events.index", _external=True))

    limiter.init_app(app)
    return app


def _forwarded(client, address: str, **headers: str):
    return client.get("/_test/whoami", environ_base=PROXY, headers={"X-Forwarded-For": address, **headers})


def test_behind_one_trusted_proxy_the_forwarded_client_is_the_address():
    client = _app(TRUSTED_PROXIES=1).test_client()

    response = _forwarded(client, "198.51.100.7",
                          **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "eventhub.example.se"})

    assert response.json == {"address": "198.51.100.7", "scheme": "https", "link": "https://eventhub.example.se/"}


def test_behind_one_trusted_proxy_a_client_cannot_prepend_a_forged_address():
    client = _app(TRUSTED_PROXIES=1).test_client()

    # The client wrote "203.0.113.9"; the proxy appended the address it saw.
    response = _forwarded(client, "203.0.113.9, 198.51.100.7")

    assert response.json["address"] == "198.51.100.7"


def test_behind_one_trusted_proxy_each_client_has_its_own_rate_limit():
    client = _app(TRUSTED_PROXIES=1).test_client()

    first = [_forwarded(client, "198.51.100.7").status_code for _ in range(3)]
    other = _forwarded(client, "198.51.100.8").status_code

    assert first == [200, 200, 429]
    assert other == 200


@pytest.mark.parametrize("forged", ["198.51.100.7", "203.0.113.9, 198.51.100.7"])
def test_by_default_forwarded_headers_are_ignored(forged):
    client = _app().test_client()  # EVENTHUB_TRUSTED_PROXIES is not set: no proxy is trusted

    response = _forwarded(client, forged, **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    # A forged address per request does not escape the limit of the address that really sent it.
    statuses = [_forwarded(client, f"198.51.100.{n}").status_code for n in range(2)]

    assert response.json == {"address": "10.0.0.2", "scheme": "http", "link": "http://localhost/"}
    assert statuses == [200, 429]
