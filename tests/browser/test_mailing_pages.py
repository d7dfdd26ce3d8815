"""The Email page and a mailing's page with mail that was not delivered, in a real browser: they pass
axe-core (WCAG 2.1 A/AA) in both languages on a phone and a desktop and reflow at 320 px."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eventhub.accounts import services as accounts
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.mail import services as mail
from eventhub.mailings.models import Mailing
from tests.browser.conftest import demo_app, dispose
from tests.browser.support import NARROW, VIEWPORTS, assert_no_axe_violations, assert_reflows, signed_in_page
from tests.conftest import LiveServer
from tests.registration.support import register

pytestmark = pytest.mark.browser

SLUG = "integration-i-arbetslivet"
EMAIL = "olga@example.se"
PASSWORD = "a-long-enough-password"
REFUSAL = ("SMTPRecipientsRefused: {'a-very-long-address-that-does-not-exist@kommun.example.se': "
           "(550, b'5.1.1 <a-very-long-address-that-does-not-exist@kommun.example.se>: Recipient address rejected')}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("mailings") / "m.sqlite")
    now = datetime.now(UTC)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        olga, _ = accounts.create_user(EMAIL, "Olga Organisatör", "organiser", now, password=PASSWORD)
        accounts.add_staff(event.id, olga.id, "organiser", olga.id)
        registration = register(SLUG, "a-very-long-address-that-does-not-exist@kommun.example.se",
                                "digital").registration
        mailing = Mailing(event_id=event.id, audience="all", subject="Praktisk information", body="Hej!",
                          created_by=olga.id, created_at=now, recipient_count=1)
        db.session.add(mailing)
        db.session.flush()
        for subject, mailing_id in (("Du är anmäld: Integration i arbetslivet", None),
                                    ("Praktisk information", mailing.id)):
            message = mail.queue("a-very-long-address-that-does-not-exist@kommun.example.se", subject, "Hej",
                                 registration_id=registration.id, mailing_id=mailing_id)
            message.failed_at, message.failure, message.last_error = now, "recipient_refused", REFUSAL
        db.session.commit()
        pages = {"email": f"/manage/events/{SLUG}/email/", "mailing": f"/manage/events/{SLUG}/email/{mailing.id}"}
    live = LiveServer(app).start()
    live.pages = pages
    yield live
    live.stop()
    dispose(app)


def _signed_in(new_context, server, lang, **options):
    return signed_in_page(new_context, server, lang, EMAIL, PASSWORD, **options)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_mailing_pages_with_undelivered_mail_pass_axe(new_context, server, lang, viewport):
    page = _signed_in(new_context, server, lang, **VIEWPORTS[viewport])
    for name, url in server.pages.items():
        page.goto(url)
        assert "Recipient address rejected" in page.inner_text("main")
        assert_no_axe_violations(page, f"{name} ({lang}, {viewport})")


def test_mailing_pages_with_undelivered_mail_reflow_at_320_px(new_context, server):
    page = _signed_in(new_context, server, "sv", **NARROW)
    for url in server.pages.values():
        page.goto(url)
        assert "E-post som inte kom fram" in page.inner_text("main")
        assert_reflows(page)
