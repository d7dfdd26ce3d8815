"""The certificate of attendance: a tagged PDF for those who took part, read back with pypdf; none for no-shows."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eventhub.attendance import services as attendance
from eventhub.audit.models import AuditEntry
from eventhub.events.models import Partner
from eventhub.extensions import db
from eventhub.registration.models import Registration
from tests.attendees.support import form_token, sign_in, staff_member
from tests.registration.support import event_by_slug, page_text, register, token_for

pytestmark = pytest.mark.usefixtures("app_ctx")
START = datetime(2026, 10, 20, 11, 15, tzinfo=UTC)  # 13:15 in Borås, summer time


@pytest.fixture
def held(make_event):
    """A hybrid forum meeting that has been held, with certificates on and a signatory."""
    slug = make_event(starts_at=START, title="Integration i arbetslivet", organiser_name="Agenda 2030 i Väst",
                      venue_name="Textile Fashion Center", venue_address="Skaraborgsvägen 3, Borås",
                      platform_name="Zoom", certificates_enabled=True,
                      certificate_signatory="Maria Andersson, projektledare", contact_email="forum@example.se")
    event = event_by_slug(slug)
    event.partners = [Partner(name="DO-tank", position=0)]
    db.session.commit()
    before = START - timedelta(days=3)
    came = register(slug, "anna@example.se", "on_site", now=before, organisation="Borås stad").registration
    online = register(slug, "eve@example.se", "digital", now=before, language="en").registration
    register(slug, "nils@example.se", "on_site", now=before)  # did not come
    db.session.get(Registration, came.id).checked_in_at = START
    db.session.get(Registration, online.id).first_joined_at = START + timedelta(minutes=2)
    db.session.commit()
    return slug


def _text(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).split())


def _tags(reader: PdfReader) -> set[str]:
    found = set()

    def walk(node):
        node = node.get_object()
        if "/S" in node:
            found.add(node["/S"])
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
            if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_someone_who_came_to_the_door_gets_a_tagged_certificate_in_swedish(app, client, held):
    response = client.get(f"/r/{token_for(app, 'anna@example.se')}/certificate.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert re.search(r'filename="event-\w+-intyg\.pdf"', response.headers["Content-Disposition"])
    text = _text(response.data)
    for words in ("Deltagarintyg", "Anna Svensson", "Borås stad", "deltog i", "Integration i arbetslivet",
                  "tisdag 20 oktober 2026", "13:15–16:15", "centraleuropeisk sommartid, UTC+2",
                  "Agenda 2030 i Väst", "i samarbete med DO-tank", "På plats, Textile Fashion Center",
                  "Maria Andersson, projektledare"):
        assert words in text, words
    reader = PdfReader(io.BytesIO(response.data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "sv"
    assert reader.metadata.title == "Deltagarintyg – Anna Svensson"
    assert {"/H1", "/P"} <= _tags(reader)


def test_someone_who_took_part_online_gets_it_in_their_language(app, client, held):
    body = client.get(f"/r/{token_for(app, 'eve@example.se')}/certificate.pdf").data

    text = _text(body)
    assert "Certificate of attendance" in text and "took part in" in text
    assert "Tuesday, 20 October 2026" in text and "Central European Summer Time" in text
    assert "Digitally, Zoom" in text and "Textile Fashion Center" not in text
    assert PdfReader(io.BytesIO(body)).trailer["/Root"]["/Lang"] == "en"


def test_a_no_show_is_told_why_there_is_none(app, client, held):
    token = token_for(app, "nils@example.se")

    response = client.get(f"/r/{token}/certificate.pdf")
    page = page_text(client.get(f"/r/{token}"))

    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "enligt våra uppgifter deltog du inte" in page_text(response)
    assert "forum@example.se" in page_text(response)
    assert "enligt våra uppgifter deltog du inte" in page and "certificate.pdf" not in page


def test_the_page_offers_the_download_to_those_who_took_part(app, client, held):
    token = token_for(app, "anna@example.se")
    html = client.get(f"/r/{token}").get_data(as_text=True)
    assert f"/r/{token}/certificate.pdf" in html and "Ladda ner ditt intyg (PDF)" in html


def test_switched_off_there_is_no_certificate_and_no_mention(app, client, held):
    event_by_slug(held).certificates_enabled = False
    db.session.commit()
    token = token_for(app, "anna@example.se")

    assert client.get(f"/r/{token}/certificate.pdf").status_code == 404
    assert "Deltagarintyg" not in page_text(client.get(f"/r/{token}"))


def test_before_the_end_it_says_when(app, client, make_event):
    slug = make_event(certificates_enabled=True)
    register(slug, "anna@example.se", "on_site")
    token = token_for(app, "anna@example.se")

    response = client.get(f"/r/{token}/certificate.pdf")

    assert response.status_code == 403
    assert "Efter evenemanget kan den som deltog ladda ner ett deltagarintyg från sin anmälningssida." in \
        page_text(response)


def test_an_erased_person_gets_none(app, held):
    person = db.session.scalar(select(Registration).where(Registration.email == "anna@example.se"))
    person.anonymised_at = datetime.now(UTC)
    assert attendance.certificate_state(person, datetime.now(UTC)) == attendance.CertificateState.NOT_ATTENDED


@pytest.fixture
def organiser(app, held, client):
    staff_member(app, held, "ulla@example.se", "organiser")
    sign_in(client, "ulla@example.se")


def test_the_organiser_switches_them_on_with_a_signatory(client, make_event, app):
    slug = make_event(starts_at=START)
    staff_member(app, slug, "ulla@example.se", "organiser")
    sign_in(client, "ulla@example.se")
    page = f"/manage/events/{slug}/attendance"

    response = client.post(f"{page}/certificates", data={"csrf_token": form_token(client, page), "enabled": "y",
                                                         "signatory": "  Maria   Andersson, projektledare "})

    assert response.status_code == 303
    event = event_by_slug(slug)
    db.session.refresh(event)
    assert event.certificates_enabled and event.certificate_signatory == "Maria Andersson, projektledare"
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.event_id == event.id).order_by(
        AuditEntry.id.desc())) == "attendance.certificates_on"
    assert "Deltagarintygen är påslagna" in page_text(client.get(page))


def test_a_signatory_too_long_is_refused_with_what_was_typed(client, held, organiser):
    page = f"/manage/events/{held}/attendance"

    response = client.post(f"{page}/certificates", data={"csrf_token": form_token(client, page), "enabled": "y",
                                                         "signatory": "Å" * 201})

    assert response.status_code == 422 and "Högst 200 tecken." in page_text(response)
    assert event_by_slug(held).certificate_signatory == "Maria Andersson, projektledare"


def test_the_sample_is_marked_as_a_sample(client, held, organiser):
    response = client.get(f"/manage/events/{held}/certificate-sample.pdf")

    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    text = _text(response.data)
    assert "Exempel: så här ser ett intyg ut. Det intygar ingenting." in text and "Alex Exempelsson" in text
