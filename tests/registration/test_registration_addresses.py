"""An address our mail server cannot send to is refused at registration, in the person's language, with
everything typed kept: a local part with å, ä or ö needs a server offering SMTPUTF8 (MAIL_SMTPUTF8, and
with "auto" the server's own EHLO). A domain with å, ä or ö is always taken: it is sent as punycode."""
from __future__ import annotations

import pytest

from eventhub.mail import transports
from eventhub.registration.models import Registration
from tests.mail.support import SMTPServer
from tests.registration.support import count, html_of, post_registration
from tests.registration.test_registration_views import field_error

REFUSED = {
    "sv": "Vår e-postserver kan inte skicka till en adress med bokstäver som å, ä eller ö före @. "
          "Ange en annan adress.",
    "en": "Our mail server cannot send email to an address with letters such as å, ä or ö before the @. "
          "Please give another address.",
}


@pytest.fixture
def server(app):
    """The app sends through a real SMTP server in this process; ``server.smtputf8`` before it starts."""
    transports._OFFERS_SMTPUTF8.clear()  # what an earlier server on this port said is not this one's
    smtp = SMTPServer()
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, MAIL_SMTPUTF8="auto")
    yield smtp
    smtp.stop()
    transports._OFFERS_SMTPUTF8.clear()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_local_part_the_server_cannot_take_is_refused_with_everything_typed_kept(app, client, make_event,
                                                                                   server, language):
    server.start()  # its EHLO offers no SMTPUTF8
    slug = make_event()
    client.set_cookie("lang", language)

    response = post_registration(client, slug, email="åsa@borås.se", name="Åsa Öberg", organisation="Borås Stad",
                                 mode="digital", language=language)

    assert response.status_code == 422
    assert field_error(response, "email") == REFUSED[language]
    body = html_of(response)
    assert 'value="åsa@borås.se"' in body and 'value="Åsa Öberg"' in body and 'value="Borås Stad"' in body
    with app.app_context():
        assert count(Registration) == 0


def test_a_local_part_outside_ascii_is_taken_when_the_server_offers_smtputf8(app, client, make_event, server):
    server.smtputf8 = True
    server.start()
    slug = make_event()

    response = post_registration(client, slug, email="åsa@borås.se")

    assert response.status_code == 303
    with app.app_context():
        assert count(Registration) == 1


@pytest.mark.parametrize(("setting", "status"), [("false", 422), ("true", 303)])
def test_the_setting_decides_without_asking_the_server(app, client, make_event, server, setting, status):
    app.config["MAIL_SMTPUTF8"] = setting  # the server is not even started: nobody is asked
    slug = make_event()
    assert post_registration(client, slug, email="örjan@example.se").status_code == status


def test_a_domain_with_swedish_letters_is_always_taken(app, client, make_event, server):
    app.config["MAIL_SMTPUTF8"] = "false"
    slug = make_event()

    response = post_registration(client, slug, email="anna@borås.se")

    assert response.status_code == 303
    with app.app_context():
        assert count(Registration) == 1
