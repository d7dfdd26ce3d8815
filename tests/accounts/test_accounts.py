"""Accounts: the first administrator, signing in and out, passwords by link, deactivation, roles."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from config import ProductionConfig, TestingConfig
from eventhub import create_app
from eventhub.accounts import services as accounts
from eventhub.accounts.models import AccountToken, User
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.keyring import Keyring
from eventhub.mail.models import OutboxMessage
from tests.accounts.support import PASSWORD, csrf_from, make_user, post, session_csrf, sign_in, user_by_email
from tests.registration.support import count, outbox, page_text

LINK = re.compile(r"/account/password/([A-Za-z0-9_-]+)")
WRONG = "That email address and password do not match an account."


def _login(client, email, password):
    return client.post("/account/login", data={"csrf_token": session_csrf(client), "email": email,
                                               "password": password})


def _signed_in(client) -> bool:
    return client.get("/manage/").status_code == 200


def _link_in(email: str) -> str:
    [message] = outbox(email)
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


# --- flask create-admin ------------------------------------------------------------------------

def test_create_admin_makes_an_administrator_who_can_sign_in(app, runner, client):
    result = runner.invoke(args=["create-admin", "--email", " Admin@Example.SE ", "--name", "Ada",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "created administrator admin@example.se" in result.output
    with app.app_context():
        user = user_by_email("admin@example.se")
        assert user.role == "admin" and user.active
        assert user.password_hash != PASSWORD and check_password_hash(user.password_hash, PASSWORD)
    sign_in(client, "admin@example.se")
    assert client.get("/account/users").status_code == 200


def test_create_admin_refuses_a_taken_address_and_a_short_password(app, runner):
    assert runner.invoke(args=["create-admin", "--email", "a@example.se", "--name", "A",
                               "--password", "short"]).exit_code != 0
    assert runner.invoke(args=["create-admin", "--email", "a@example.se", "--name", "A",
                               "--password", PASSWORD]).exit_code == 0
    again = runner.invoke(args=["create-admin", "--email", "A@example.se", "--name", "B", "--password", PASSWORD])
    assert again.exit_code != 0 and "already an account" in again.output
    with app.app_context():
        assert count(User) == 1


def test_create_admin_asks_for_the_password_twice(app, runner):
    result = runner.invoke(args=["create-admin", "--email", "a@example.se", "--name", "A"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert check_password_hash(user_by_email("a@example.se").password_hash, PASSWORD)


# --- signing in ----------------------------------------------------------------------------------

def test_signing_in_goes_to_the_dashboard_and_records_the_time(app, client):
    make_user(app, "org@example.se")
    response = _login(client, "ORG@example.se ", PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == "/manage/"
    assert _signed_in(client)
    with app.app_context():
        assert user_by_email("org@example.se").last_login_at is not None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\t/evil.example", "javascript:x"])
def test_sign_in_only_returns_to_pages_on_this_site(app, client, target):
    make_user(app, "org@example.se")
    response = client.post("/account/login", query_string={"next": target}, data={
        "csrf_token": session_csrf(client), "email": "org@example.se", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_sign_in_returns_to_the_page_asked_for(app, client, make_event):
    make_user(app, "org@example.se")
    first = client.get("/manage/events/new")
    assert first.status_code == 302 and "/account/login?next=" in first.headers["Location"]
    response = client.post(first.headers["Location"], data={
        "csrf_token": session_csrf(client), "email": "org@example.se", "password": PASSWORD})
    assert response.headers["Location"] == "/manage/events/new"


def test_wrong_password_unknown_address_and_no_password_yet_get_the_same_answer(app, client):
    make_user(app, "org@example.se")
    make_user(app, "invited@example.se", password=None)
    make_user(app, "gone@example.se")
    with app.app_context():
        user_by_email("gone@example.se").active = False
        db.session.commit()
    client.set_cookie("lang", "en")
    answers = {}
    for email, password in (("org@example.se", "wrong password!"), ("nobody@example.se", PASSWORD),
                            ("invited@example.se", PASSWORD), ("gone@example.se", PASSWORD)):
        response = _login(client, email, password)
        assert response.status_code == 422
        assert WRONG in page_text(response)
        answers[email] = page_text(response).replace(email, "<email>")
        assert not _signed_in(client)
    assert len(set(answers.values())) == 1, answers


def test_an_unknown_address_still_checks_a_password_hash(app, monkeypatch):
    """The unknown-address path does the same slow work as a wrong password, so timing says nothing."""
    checked = []

    def spy(stored, password):
        checked.append(stored)
        return check_password_hash(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", spy)
    make_user(app, "org@example.se")
    make_user(app, "invited@example.se", password=None)
    with app.app_context():
        for email in ("nobody@example.se", "invited@example.se", "org@example.se"):
            with pytest.raises(accounts.InvalidCredentials):
                accounts.authenticate(email, "wrong password!", datetime.now(UTC))
        real = user_by_email("org@example.se").password_hash
    dummy = accounts.dummy_hash(app.config["PASSWORD_HASH_METHOD"])
    assert checked == [dummy, dummy, real]
    # The dummy hash uses the same method and cost as real ones.
    assert dummy.split("$")[0] == real.split("$")[0]



def test_signing_in_is_rate_limited(database, tmp_path):
    app = create_app(TestingConfig, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", **database)
    try:
        make_user(app, "org@example.se")
        client = app.test_client()
        address = {"REMOTE_ADDR": "192.0.2.44"}
        token = csrf_from(client.get("/account/login", environ_base=address).get_data(as_text=True))
        statuses = [client.post("/account/login", environ_base=address, data={
            "csrf_token": token, "email": "org@example.se", "password": "wrong password!"}).status_code
            for _ in range(4)]
        assert statuses == [422, 422, 422, 429]
        # Even the right password waits once the failures have used up the limit.
        right = client.post("/account/login", environ_base=address, data={
            "csrf_token": token, "email": "org@example.se", "password": PASSWORD})
        assert right.status_code == 429
        # Another address is not affected; reading the form is never limited.
        assert client.get("/account/login", environ_base=address).status_code == 200
        other = app.test_client()
        other_token = csrf_from(other.get("/account/login").get_data(as_text=True))
        assert other.post("/account/login", environ_base={"REMOTE_ADDR": "192.0.2.45"}, data={
            "csrf_token": other_token, "email": "org@example.se", "password": PASSWORD}).status_code == 303
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_failed_sign_ins_to_one_account_are_limited_from_any_address(database):
    app = create_app(TestingConfig, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="100 per minute",
                     ACCOUNT_LOGIN_RATE_LIMIT="3 per hour", **database)
    try:
        make_user(app, "org@example.se")
        make_user(app, "other@example.se")

        def attempt(number: int, email: str, password: str, client=None) -> int:
            client, address = client or app.test_client(), {"REMOTE_ADDR": f"192.0.2.{number}"}
            token = csrf_from(client.get("/account/login", environ_base=address).get_data(as_text=True))
            status = client.post("/account/login", environ_base=address, data={
                "csrf_token": token, "email": email, "password": password}).status_code
            if status == 303:
                client.post("/account/logout", environ_base=address, data={"csrf_token": token})
            return status

        # Signing in successfully uses up nothing.
        owners_phone = app.test_client()
        assert [attempt(n, "org@example.se", PASSWORD) for n in range(1, 4)] == [303] * 3
        assert attempt(4, "org@example.se", PASSWORD, owners_phone) == 303
        # Wrong passwords from four addresses: the account's limit stops the fourth; the case of
        # the address does not make another account.
        assert [attempt(10 + n, email, "wrong password!") for n, email in enumerate(
            ["org@example.se", "ORG@example.se", " org@example.se", "org@example.se"])] == [422, 422, 422, 429]
        assert attempt(20, "org@example.se", PASSWORD) == 429  # a new browser waits, even with the password
        # The owner's phone, which signed in before, is not locked out by the stranger's attempts.
        assert attempt(4, "org@example.se", PASSWORD, owners_phone) == 303
        # Another account is not affected.
        assert attempt(21, "other@example.se", PASSWORD) == 303
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def default_limits_app(database):
    """An app on the test's database with the rate limits on, at their defaults."""
    app = create_app(TestingConfig, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", **database)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


OFFICE = {"REMOTE_ADDR": "192.0.2.80"}  # one municipal office's network: every organiser there has its address


def _attempt_from(client, email: str, password: str, address=OFFICE) -> int:
    token = csrf_from(client.get("/account/login", environ_base=address).get_data(as_text=True))
    return client.post("/account/login", environ_base=address, data={
        "csrf_token": token, "email": email, "password": password}).status_code


def test_failed_sign_ins_to_one_account_never_block_colleagues_behind_the_same_address(default_limits_app):
    app = default_limits_app
    for email in ("org@example.se", "kollega@example.se", "tredje@example.se"):
        make_user(app, email)

    guesses = [_attempt_from(app.test_client(), "org@example.se", f"guess {n}!") for n in range(40)]
    colleague = _attempt_from(app.test_client(), "kollega@example.se", PASSWORD)
    typo = _attempt_from(app.test_client(), "tredje@example.se", "a typo")
    third = _attempt_from(app.test_client(), "tredje@example.se", PASSWORD)

    assert guesses == [422] * 5 + [429] * 35  # that account waits, from this address
    assert (colleague, typo, third) == (303, 422, 303)


def test_signing_in_many_times_from_one_address_uses_up_no_limit(default_limits_app):
    app = default_limits_app
    make_user(app, "org@example.se")

    statuses = [_attempt_from(app.test_client(), "org@example.se", PASSWORD) for _ in range(40)]

    assert statuses == [303] * 40


@pytest.mark.parametrize(("language", "message"), [
    ("sv", "Det har varit för många misslyckade inloggningar"),
    ("en", "There have been too many failed sign-ins to this account"),
])
def test_a_limited_sign_in_says_why_in_the_readers_language_and_keeps_the_email(default_limits_app, language,
                                                                                  message):
    app = default_limits_app
    make_user(app, "org@example.se")
    client = app.test_client()
    client.set_cookie("lang", language)
    for n in range(5):
        _attempt_from(client, "org@example.se", f"guess {n}!")
    token = csrf_from(client.get("/account/login", environ_base=OFFICE).get_data(as_text=True))

    response = client.post("/account/login", environ_base=OFFICE, data={
        "csrf_token": token, "email": "org@example.se", "password": "guess 6!"})

    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert message in page_text(response)
    assert 'value="org@example.se"' in response.get_data(as_text=True)


def test_login_form_needs_its_csrf_token(app, client):
    make_user(app, "org@example.se")
    client.get("/account/login")
    response = client.post("/account/login", data={"email": "org@example.se", "password": PASSWORD})
    assert response.status_code == 400
    assert not _signed_in(client)


# --- signing out ---------------------------------------------------------------------------------

def test_signing_out_needs_post_and_the_csrf_token(app, client):
    make_user(app, "org@example.se")
    sign_in(client, "org@example.se")
    assert client.get("/account/logout").status_code == 405
    assert client.post("/account/logout").status_code == 400  # a link on another site cannot sign you out
    assert _signed_in(client)
    response = post(client, "/account/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert not _signed_in(client)
    assert client.get("/manage/").headers["Location"].startswith("/account/login")


# --- forgotten password --------------------------------------------------------------------------

def test_forgot_password_says_the_same_for_known_and_unknown_addresses(app, client):
    make_user(app, "org@example.se")
    pages = []
    for email in ("org@example.se", "nobody@example.se"):
        response = client.post("/account/password/forgot", data={
            "csrf_token": session_csrf(client), "email": email}, follow_redirects=True)
        assert response.status_code == 200
        pages.append(page_text(response))
    assert pages[0] == pages[1]
    with app.app_context():
        assert [m.to_address for m in outbox()] == ["org@example.se"]
        assert count(AccountToken) == 1


def test_forgot_password_answers_before_making_the_link(app, client):
    make_user(app, "org@example.se")
    answers = []
    for email in ("org@example.se", "nobody@example.se"):
        response = client.post("/account/password/forgot", data={"csrf_token": session_csrf(client), "email": email})
        answers.append((response.status_code, response.headers["Location"], response.get_data()))
        if email.startswith("org"):
            with app.app_context():
                assert count(OutboxMessage) == 0 and count(AccountToken) == 0  # nothing done before the answer
        response.close()
    assert answers[0] == answers[1]  # the same answer, so nothing to time either
    with app.app_context():
        assert [m.to_address for m in outbox()] == ["org@example.se"] and count(AccountToken) == 1


def test_forgot_password_sends_nothing_to_a_deactivated_account(app, client):
    make_user(app, "gone@example.se")
    with app.app_context():
        user_by_email("gone@example.se").active = False
        db.session.commit()
    client.post("/account/password/forgot", data={"csrf_token": session_csrf(client), "email": "gone@example.se"}
                ).close()  # closing the answer runs what comes after it, as a server does
    with app.app_context():
        assert count(OutboxMessage) == 0


def test_reset_link_sets_a_new_password_once_and_ends_other_sessions(app, client):
    make_user(app, "org@example.se")
    elsewhere = app.test_client()
    sign_in(elsewhere, "org@example.se")
    client.post("/account/password/forgot", data={"csrf_token": session_csrf(client), "email": "org@example.se"}
                ).close()  # closing the answer runs what comes after it, as a server does
    with app.app_context():
        token = _link_in("org@example.se")
    url = f"/account/password/{token}"
    assert client.get(url).status_code == 200
    new_password = "an even longer new password"
    response = client.post(url, data={"csrf_token": session_csrf(client), "password": new_password,
                                      "confirm": new_password})
    assert response.status_code == 303 and _signed_in(client)
    assert not _signed_in(elsewhere)  # the old session ended with the old password
    assert client.get(url).status_code == 404  # single use
    fresh = app.test_client()
    assert _login(fresh, "org@example.se", PASSWORD).status_code == 422
    assert _login(fresh, "org@example.se", new_password).status_code == 303


@pytest.mark.parametrize(("password", "confirm"), [("short", "short"), ("123456789", "123456789"),
                                                   ("long enough password", "another long password")])
def test_a_new_password_needs_ten_characters_typed_twice(app, client, password, confirm):
    with app.app_context():
        _, token = accounts.create_user("second@example.se", "Second", "organiser", datetime.now(UTC))
        db.session.commit()
    response = client.post(f"/account/password/{token}", data={
        "csrf_token": session_csrf(client), "password": password, "confirm": confirm})
    assert response.status_code == 422
    with app.app_context():
        assert user_by_email("second@example.se").password_hash is None
    assert client.get(f"/account/password/{token}").status_code == 200  # still usable


def test_the_service_refuses_a_short_password_too(app):
    with app.app_context():
        _, token = accounts.create_user("second@example.se", "Second", "organiser", datetime.now(UTC))
        db.session.commit()
        with pytest.raises(accounts.WeakPassword):
            accounts.set_password_with_token(token, "x" * (accounts.MIN_PASSWORD_LENGTH - 1), datetime.now(UTC))


def test_invitation_link_from_the_users_page_sets_the_first_password(app, client):
    make_user(app, "admin@example.se", role="admin")
    admin = app.test_client()
    sign_in(admin, "admin@example.se")
    response = post(admin, "/account/users", {"name": "Nils", "email": "nils@example.se", "role": "organiser"})
    assert response.status_code == 303
    with app.app_context():
        token = _link_in("nils@example.se")
        assert user_by_email("nils@example.se").password_hash is None
    assert _login(client, "nils@example.se", "").status_code == 422
    url = f"/account/password/{token}"
    response = client.post(url, data={"csrf_token": session_csrf(client), "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 303 and _signed_in(client)
    assert client.get(url).status_code == 404


def test_expired_and_unknown_links_are_refused(app, client):
    with app.app_context():
        _, token = accounts.create_user("late@example.se", "Late", "organiser",
                                        datetime.now(UTC) - accounts.INVITATION_TTL - timedelta(minutes=1))
        db.session.commit()
    for url in (f"/account/password/{token}", "/account/password/not-a-real-token"):
        assert client.get(url).status_code == 404
        response = client.post(url, data={"csrf_token": session_csrf(client), "password": PASSWORD,
                                          "confirm": PASSWORD})
        assert response.status_code == 404
    with app.app_context():
        assert user_by_email("late@example.se").password_hash is None
        # Only a hash of the token is stored.
        assert db.session.scalar(select(AccountToken.token_hash)) != token


def test_a_reset_link_expires_after_two_hours(app):
    make_user(app, "org@example.se")
    with app.app_context():
        issued = datetime.now(UTC)
        accounts.request_password_reset("org@example.se", issued)
        token = _link_in("org@example.se")
        accounts.user_for_token(token, issued + accounts.RESET_TTL - timedelta(seconds=1))
        with pytest.raises(accounts.InvalidToken):
            accounts.user_for_token(token, issued + accounts.RESET_TTL)


# --- deactivation, roles -------------------------------------------------------------------------

def test_deactivation_signs_the_person_out_and_keeps_them_out(app, client):
    make_user(app, "admin@example.se", role="admin")
    organiser_id = make_user(app, "org@example.se")
    sign_in(client, "org@example.se")
    admin = app.test_client()
    sign_in(admin, "admin@example.se")
    assert post(admin, f"/account/users/{organiser_id}/active", {"active": "0"}).status_code == 303
    assert not _signed_in(client)
    assert _login(app.test_client(), "org@example.se", PASSWORD).status_code == 422
    assert post(admin, f"/account/users/{organiser_id}/active", {"active": "1"}).status_code == 303
    assert not _signed_in(client)  # the old session stays ended after reactivation
    assert _login(app.test_client(), "org@example.se", PASSWORD).status_code == 303
    with app.app_context():
        assert db.session.get(User, organiser_id).session_version == 3


def test_an_administrator_cannot_deactivate_themselves(app):
    admin_id = make_user(app, "admin@example.se", role="admin")
    admin = app.test_client()
    sign_in(admin, "admin@example.se")
    post(admin, f"/account/users/{admin_id}/active", {"active": "0"})
    assert _signed_in(admin)
    with app.app_context():
        assert db.session.get(User, admin_id).active


def test_a_door_host_cannot_create_events(app, client):
    make_user(app, "host@example.se", role="host")
    sign_in(client, "host@example.se")
    assert "/manage/events/new" not in client.get("/manage/").get_data(as_text=True)
    assert client.get("/manage/events/new").status_code == 403
    response = post(client, "/manage/events/new", {"title": "Smygträff", "format": "hybrid",
                                                  "timezone": "Europe/Stockholm", "language": "sv",
                                                  "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T12:00"})
    assert response.status_code == 403
    with app.app_context():
        assert count(Event) == 0
        assert not accounts.can_create_events(user_by_email("host@example.se"))


def test_the_users_page_is_for_administrators_only(app, client):
    make_user(app, "org@example.se")
    make_user(app, "admin@example.se", role="admin")
    assert client.get("/account/users").headers["Location"].startswith("/account/login")
    sign_in(client, "org@example.se")
    assert client.get("/account/users").status_code == 403
    assert post(client, "/account/users", {"name": "X", "email": "x@example.se", "role": "admin"}).status_code == 403
    admin = app.test_client()
    sign_in(admin, "admin@example.se")
    assert admin.get("/account/users").status_code == 200
    with app.app_context():
        assert user_by_email("x@example.se") is None


def test_an_invitation_to_a_taken_address_is_refused(app):
    make_user(app, "admin@example.se", role="admin")
    admin = app.test_client()
    sign_in(admin, "admin@example.se")
    response = post(admin, "/account/users", {"name": "Again", "email": "ADMIN@example.se", "role": "organiser"})
    assert response.status_code == 422
    with app.app_context():
        assert count(User) == 1


# --- production ----------------------------------------------------------------------------------

def test_production_sends_the_session_cookie_only_over_https(app, monkeypatch, tmp_path, database):
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    production = create_app(ProductionConfig, SECRET_KEY="production-key", **database)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    make_user(app, "org@example.se")  # the same database as the production app
    client = production.test_client()
    token = csrf_from(client.get("/account/login", base_url="https://localhost").get_data(as_text=True))
    # Over HTTPS, Flask-WTF also wants a same-site Referer.
    response = client.post("/account/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/account/login"},
                           data={"csrf_token": token, "email": "org@example.se", "password": PASSWORD})
    assert response.status_code == 303
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_production_hashes_new_passwords_with_scrypt(monkeypatch, tmp_path, database):
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    production = create_app(ProductionConfig, SECRET_KEY="production-key", **database)
    make_user(production, "org@example.se")
    with production.app_context():
        stored = user_by_email("org@example.se").password_hash
        production_dummy = accounts.dummy_hash(production.config["PASSWORD_HASH_METHOD"])
        db.session.remove()
        db.engine.dispose()
    assert stored.startswith("scrypt:") and production_dummy.startswith("scrypt:")
    assert check_password_hash(stored, PASSWORD)


def test_anonymous_visitor_with_a_session_gets_no_cookies_on_public_pages(client, demo):
    client.get("/account/login")  # the form puts a CSRF token in the session
    assert client.get_cookie("session") is not None

    response = client.get("/")

    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie") == []  # no expired remember cookie, no new session


def test_signed_in_session_used_from_another_browser_is_signed_out(app, client):
    from tests.accounts.support import make_user, sign_in

    make_user(app, "vard@example.se", "host")
    sign_in(client, "vard@example.se")
    assert client.get("/manage/").status_code == 200

    # The same session cookie from a browser with another User-Agent: strong protection drops it.
    stolen = client.get("/manage/", headers={"User-Agent": "another browser"})

    assert stolen.status_code == 302 and "/account/login" in stolen.headers["Location"]


@pytest.mark.parametrize("who, expected", [
    ("admin", True),  # no staff row needed
    ("host", True), ("organiser", True),  # staff of the event, either part
    ("other-organiser", False), ("unrelated-host", False), ("inactive-host", False),
])
def test_hosted_event_id_follows_can_host(app, make_event, who, expected):
    slug, elsewhere = make_event(), make_event()
    staff_of = {"host": {slug: "host"}, "organiser": {slug: "organiser"}, "other-organiser": {elsewhere: "organiser"},
                "unrelated-host": {elsewhere: "host"}, "inactive-host": {slug: "host"}}.get(who)
    role = {"admin": "admin", "organiser": "organiser", "other-organiser": "organiser"}.get(who, "host")
    user_id = make_user(app, f"{who}@example.se", role, staff_of=staff_of)
    with app.app_context():
        user = db.session.get(User, user_id)
        if who == "inactive-host":
            user.active = False
            db.session.commit()
        event = db.session.scalar(select(Event).where(Event.slug == slug))

        assert (accounts.hosted_event_id(user, slug) == event.id) is expected
        assert accounts.can_host(user, event) is expected  # the same rule, asked two ways
        assert accounts.hosted_event_id(user, "no-such-event") is None


def test_device_cookie_names_accounts_by_keyed_hash_and_rejects_forgeries():
    from eventhub.accounts import devices

    token = devices.remember(Keyring("secret-one"), None, "org@example.se")
    token = devices.remember(Keyring("secret-one"), token, "vard@example.se")

    assert devices.is_known(Keyring("secret-one"), token, "org@example.se")
    assert devices.is_known(Keyring("secret-one"), token, "vard@example.se")
    assert not devices.is_known(Keyring("secret-one"), token, "someone@example.se")
    assert not devices.is_known(Keyring("secret-two"), token, "org@example.se")  # signed with our key only
    assert not devices.is_known(Keyring("secret-one"), token[:-2] + "xx", "org@example.se")
    assert "example.se" not in token  # no address in the cookie
    for n in range(10):
        token = devices.remember(Keyring("secret-one"), token, f"p{n}@example.se")
    assert len(devices.accounts_in(Keyring("secret-one"), token)) == devices.MAX_ACCOUNTS
