"""Reflow at 320 px (WCAG 1.4.10) on every page, in both languages, with content made to be long: no page
scrolls sideways and no element is wider than the screen (a wide table scrolls inside its own region).

Two walks on one server (the demo, plus an event whose every text is long):
- the page variants the axe walks visit (their lists are imported from those modules, so a page added to
  an axe walk is walked here too), on the demo event, with long names and addresses in it;
- every HTML page the app serves (its URL rules, like the authorisation matrix), on the long event: a
  long title and address, a URL as long as an organiser pastes, long speakers, groups, places, partners,
  a long account name and email.
"""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from eventhub import keyring
from eventhub.accounts import services as accounts
from eventhub.attendance import services as attendance
from eventhub.audit import services as audit
from eventhub.demo.loader import load_demo
from eventhub.documentation import services as documentation
from eventhub.evaluation import services as evaluation
from eventhub.events.models import Event
from eventhub.events.services import organiser_key
from eventhub.extensions import db
from eventhub.groups import leaders
from eventhub.groups import services as groups
from eventhub.live import channel
from eventhub.live import services as live_services
from eventhub.mail import services as mail
from eventhub.mailings.models import Mailing
from eventhub.materials.models import EventMaterial
from eventhub.programme.models import Person, ProgrammeItem
from eventhub.questions import services as question_services
from eventhub.registration import services as registration
from eventhub.registration import tokens as registration_tokens
from eventhub.reminders import services as reminder_services
from eventhub.types import utcnow
from tests.browser import test_event_operations_pages as operations_walk
from tests.browser import test_mailing_pages as mailing_walk
from tests.browser import test_public_pages as public_walk
from tests.browser import test_registration_pages as personal_walk
from tests.browser import test_staff_and_audit as staff_walk
from tests.browser.conftest import demo_app, dispose
from tests.browser.support import NARROW, reflow_problems, signed_in_page
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

SLUG = "integration-i-arbetslivet"
LONG_SLUG = "kunskapsseminarium-om-arbetsmarknadsintegration-och-social-hallbarhet-i-vastra-gotalandsregionen"
LONG_URL = ("https://www.vastragotalandsregionen.se/arbetsmarknad/kunskapsseminarier/"
            "arbetsmarknadsintegration-och-social-hallbarhet-2027/dokumentation-och-presentationer"
            "?utm_source=nyhetsbrev&utm_campaign=kunskapsseminarium")
ADMIN_EMAIL = "maximiliana.langnamnsdotter-kunskapsseminariesson@arbetsmarknadsforvaltningen.vastragotalandsregionen.se"
ADMIN_NAME = "Maximiliana Långnamnsdotter-Kunskapsseminariesson"
PASSWORD = "a-long-enough-password"
LONG_WORD = "Arbetsmarknadsintegrationskunskapsseminarium"

LONG_PEOPLE = [
    {"key": "long-speaker", "name": "Karl-Johan Arbetsmarknadsintegrationssamordnare-Wikström",
     "title": "utvecklingsledare för arbetsmarknadsintegrationsfrågor och samverkansstrukturer",
     "organisation": "Västra Götalandsregionens arbetsmarknadsförvaltning, enheten för kompetensförsörjning"},
]
LONG_EVENT = {
    "slug": LONG_SLUG, "title": f"{LONG_WORD} för Västra Götalandsregionens samverkanspartners",
    "summary": f"Läs mer på {LONG_URL}", "language": "sv", "timezone": "Europe/Stockholm",
    "description": f"Dokumentation: <{LONG_URL}>\n\n{LONG_WORD}sdokumentationen finns här: [{LONG_URL}]({LONG_URL})",
    "date": "next-11-19", "start": "12:00", "end": "15:00", "format": "hybrid", "status": "published",
    "organiser": "Västra Götalandsregionens arbetsmarknadsförvaltning, enheten för kompetensförsörjningsfrågor",
    "venue_name": "Arbetsmarknadsförvaltningens konferenscentrum, Kunskapsseminariesalen",
    "venue_address": "Arbetsmarknadsintegrationsgatan 123456, 412 34 Göteborg",
    "platform_name": "Videokonferensplattformen", "join_url": LONG_URL, "recording_url": LONG_URL,
    "platform_test_url": LONG_URL, "directions": f"{LONG_WORD}sgatan från resecentrum: {LONG_URL}",
    "on_site_seats": 40, "digital_seats": 100, "group_choice_open": True,
    "partners": [{"name": "Arbetsmarknadsintegrationsnätverket Västra Götaland", "url": LONG_URL}],
    "programme": [
        {"start": "12:00", "end": "12:30", "kind": "talk", "audience": "everyone",
         "title": f"{LONG_WORD}ets inledning", "description": f"Bilderna: {LONG_URL}",
         "location": "Kunskapsseminariesalen, plan 4, Arbetsmarknadsförvaltningens konferenscentrum",
         "speakers": [["long-speaker", "speaker"]]},
        {"start": "13:00", "end": "14:00", "kind": "group_session", "audience": "everyone",
         "title": "Gruppsamtal om arbetsmarknadsintegrationsfrågor",
         "groups": [{"mode": "on_site", "title": f"{LONG_WORD}sgruppen för samverkansstrukturer",
                     "place": "Grupprummet Arbetsmarknadsintegrationsrummet", "leaders": ["long-speaker"],
                     "seats": 10, "description": f"Underlag: {LONG_URL}"},
                    {"mode": "digital", "title": f"Digitala {LONG_WORD.lower()}sgruppen", "leaders": [],
                     "seats": 10, "join_url": LONG_URL}]},
    ],
}


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1000), (11, 90, 122)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def reflow_server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("reflow") / "r.sqlite")
    keys, now = keyring.of(app), datetime.now(UTC)
    with app.app_context():
        load_demo(now.date(), {"people": LONG_PEOPLE, "events": [LONG_EVENT]})
        demo = db.session.scalar(select(Event).where(Event.slug == SLUG))
        long = db.session.scalar(select(Event).where(Event.slug == LONG_SLUG))
        admin, _ = accounts.create_user(ADMIN_EMAIL, ADMIN_NAME, "admin", now, password=PASSWORD)
        for event in (demo, long):
            accounts.add_staff(event.id, admin.id, "organiser", admin.id)
            audit.record(admin.id, "privacy.anonymised", "x", event_id=event.id, rows=3)
        db.session.commit()
        # The draft the operations walk opens, made as that module makes it.
        draft = Event(slug=operations_walk.DRAFT, title="Utkast till nästa träff", starts_at=demo.starts_at,
                      ends_at=demo.ends_at, format="hybrid", status="draft")
        db.session.add(draft)
        db.session.flush()
        accounts.add_staff(draft.id, admin.id, "organiser", admin.id)
        long.materials.append(EventMaterial(kind="slides", title=f"{LONG_WORD}ets presentationsbilder", url=LONG_URL))
        db.session.commit()

        # The people the personal walk opens (on the demo event) and one of the long event, all with long names.
        tokens = {}
        group = next(g for g in groups.choosable(demo) if g.mode == "on_site")
        for kind, mode, group_id in (("on_site", "on_site", group.id), ("digital", "digital", None),
                                     ("cancelled", "on_site", None)):
            email = f"reflow-{kind.replace('_', '-')}.{ADMIN_EMAIL}"
            data = registration.RegistrationInput(
                name=f"{ADMIN_NAME} {kind}", email=email, mode=mode, sector="public", privacy_accepted=True,
                group_id=group_id, organisation="Västra Götalandsregionen, enheten för arbetsmarknadsintegration")
            result = registration.register(demo.id, data, utcnow(), keys)
            tokens[kind] = personal_walk.token_from_outbox(email)
            # The link of the mailings' List-Unsubscribe, as the personal walk has it.
            tokens[f"unsubscribe-{kind}"] = registration_tokens.unsubscribe_token(keys, result.registration)
            if kind == "cancelled":
                registration.cancel(result.registration.id, utcnow(), keys)
        # A question of the organiser's own with long words and choices (its pages, the form, the person's page).
        question = question_services.add(long.id, question_services.QuestionData(
            "choices", f"{LONG_WORD}: vilka ämnen vill du samtala om?", help_sv=f"Se {LONG_URL[:400]}", choices=[
                question_services.ChoiceEdit(None, f"{LONG_WORD}sfrågor"),
                question_services.ChoiceEdit(None, f"{LONG_WORD}{LONG_WORD}")]), admin.id)
        long_group = next(g for g in groups.choosable(long) if g.mode == "on_site")
        email = f"reflow-long.{ADMIN_EMAIL}"
        person = registration.register(long.id, registration.RegistrationInput(
            name=ADMIN_NAME, email=email, mode="on_site", sector="public", privacy_accepted=True,
            group_id=long_group.id, organisation=LONG_EVENT["organiser"]), utcnow(), keys).registration
        long_token = personal_walk.token_from_outbox(email)
        digital_email = f"reflow-long-digital.{ADMIN_EMAIL}"
        digital_person = registration.register(long.id, registration.RegistrationInput(
            name=ADMIN_NAME, email=digital_email, mode="digital", sector="public", privacy_accepted=True,
            organisation=LONG_EVENT["organiser"]), utcnow(), keys).registration
        digital_token = personal_walk.token_from_outbox(digital_email)

        # A mailing with mail that was not delivered, as the mailing walk has it, on both events.
        mailings = {}
        for event in (demo, long):
            mailing = Mailing(event_id=event.id, audience="all", subject=f"{LONG_WORD}: praktisk information",
                              body=f"Hej!\n\n{LONG_URL}", created_by=admin.id, created_at=now, recipient_count=1)
            db.session.add(mailing)
            db.session.flush()
            message = mail.queue(email, mailing.subject, "Hej", registration_id=person.id, mailing_id=mailing.id)
            message.failed_at, message.failure, message.last_error = now, "recipient_refused", mailing_walk.REFUSAL
            mailings[event.slug] = mailing.id
        db.session.commit()

        # An attendance report of the long event, so its import page is walked too.
        report = (Path(__file__).parents[1] / "attendance" / "samples" / "zoom_participants.csv").read_bytes()
        imported = attendance.import_report(long.id, report, "zoom.csv", admin.id, now)

        # The long event's evaluation, with names (so its results show the long answers), open now, a question
        # of its own with a long word, answered by both of its people.
        evaluation.create(long.id, admin.id, now)
        evaluation.update_settings(long.id, False, now - timedelta(hours=1), now + timedelta(days=14), admin.id, now)
        evaluation.add_question(long.id, "text", "everyone", f"{LONG_WORD}: vad vill du läsa mer om?", "", admin.id)
        for who in (person, digital_person):
            evaluation.submit(who.id, {q.id: 4 if q.is_rating else f"{LONG_WORD}: {LONG_URL}"
                                       for q in evaluation.questions_for(evaluation.of_event(long.id), who.mode)},
                              now)
        # Its documentation, every text long: the summary, a group's key points, a photo's texts.
        documentation.save_summary(long.id, f"{LONG_WORD}et sammanfattat: <{LONG_URL}>", admin.id)
        leader_token = leaders.make_link(long.id, long_group.id, admin.id, keys, now)
        leaders.save_key_points(long_group, f"- {LONG_WORD}sgruppens slutsats: {LONG_URL}", now, version=0)
        photo = documentation.store_photo(
            long.id, io.BytesIO(_photo()), "foto.jpg", f"{LONG_WORD}ets deltagare vid borden i salen",
            "The participants at their tables", f"{LONG_WORD}ets deltagare, {LONG_URL}", admin.id, 20_000_000, now)

        # A long announcement to everyone of the long event: on its people's pages and the organiser's list.
        live_services.send(long.id, "all", f"{LONG_WORD}: tillbaka i {LONG_EVENT['venue_name']} {LONG_URL}"[:280],
                           f"Back in the room: {LONG_URL}", False, admin.id, keys, now, channel.LocalHub())

        item = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.event_id == demo.id,
                                                             ProgrammeItem.kind == "group_session"))
        long_item = next(i for i in long.programme_items if i.groups)
        values = {  # a value for each argument of a URL rule, on the long event
            "slug": LONG_SLUG, "key": organiser_key(long.organiser_name), "token": long_token,
            "item_id": long_item.id, "group_id": long_item.groups[0].id, "registration_id": person.id,
            "person_id": db.session.scalar(select(Person.id).where(Person.name == LONG_PEOPLE[0]["name"])),
            "user_id": admin.id, "mailing_id": mailings[LONG_SLUG], "material_id": long.materials[0].id,
            "import_id": imported.import_id, "reminder_id": reminder_services.of_event(long.id)[0].id,
            "photo_id": photo.id, "question_id": question.id,
        }
        demo_item_id = item.id
    server = LiveServer(app).start()
    server.app, server.tokens, server.values = app, tokens, values
    # The long join link is only shown to a digital participant.
    server.long_pages = {"digital registration.manage": f"/r/{digital_token}",
                         "digital checkin.join": f"/r/{digital_token}/join",
                         "groups.leader_page": f"/leader/{leader_token}",
                         "events.preview after": f"/manage/events/{LONG_SLUG}/preview?after=1"}
    server.demo_pages = {
        "mailing email": f"/manage/events/{SLUG}/email/", "mailing": f"/manage/events/{SLUG}/email/{mailings[SLUG]}",
        "agenda programme": f"/manage/events/{SLUG}/programme/",
        "agenda item": f"/manage/events/{SLUG}/programme/items/{demo_item_id}",
        "agenda people": f"/manage/events/{SLUG}/programme/people",
        "scanner": f"/checkin/{SLUG}", "users": "/account/users",
    }
    yield server
    server.stop()
    dispose(app)


def _problems(page, where: str) -> list[str]:
    problems = reflow_problems(page)
    return [f"{where} ({page.url}): {problems}"] if problems else []


def _signed_in(new_context, server, lang):
    return signed_in_page(new_context, server, lang, ADMIN_EMAIL, PASSWORD, **NARROW)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_public_pages_the_axe_walk_visits_reflow_at_320_px(new_context, reflow_server, lang):
    page = new_context(server=reflow_server, lang=lang, **NARROW).new_page()
    found = []
    for name, url in public_walk.PAGES.items():
        page.goto(url)
        found += _problems(page, name)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_personal_pages_the_axe_walk_visits_reflow_at_320_px(new_context, reflow_server, lang):
    page = new_context(server=reflow_server, lang=lang, **NARROW).new_page()
    found = []
    for name in personal_walk.PAGES:
        status = personal_walk.open_page(page, name, reflow_server.tokens, lang, "reflow")
        assert status == personal_walk.EXPECTED_STATUS.get(name, 200), f"{name} answered {status}"
        found += _problems(page, name)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_organisers_pages_the_axe_walks_visit_reflow_at_320_px(new_context, reflow_server, lang):
    page = _signed_in(new_context, reflow_server, lang)
    pages = {**staff_walk.PAGES, **operations_walk.PAGES, **reflow_server.demo_pages}
    found = []
    for name, url in pages.items():
        response = page.goto(url)  # some show a refused form on purpose (422)
        assert response is not None and response.status < 500, f"{name} answered {response and response.status}"
        found += _problems(page, name)
    # The agenda builder's page with errors, as its axe walk has it.
    page.goto(pages["agenda programme"])
    page.fill("#new-title", "")
    page.fill("#new-starts", "25:99")
    with page.expect_navigation():
        page.click("#add-item button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    found += _problems(page, "agenda programme with errors")
    assert not found, "\n".join(found)


# What is not an HTML page: files, feeds and JSON (each tested with its own reader), and the rules that
# only redirect. Anything else the app serves is walked.
NOT_PAGES = (".ics", ".pdf", ".csv", ".json", ".svg", ".atom", ".xml", ".txt", ".webmanifest", ".js", ".ico",
             ".xlsx")
NOT_WALKED = {"static", "i18n.switch_language", "health.healthz", "materials.download_material",
              "live.stream"}  # a stream of Server-Sent Events (tests/live), not a page


def every_page(app, values: dict) -> dict[str, str]:
    """Every GET rule of the app that answers with a page, as a URL on the long event."""
    pages = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if ("GET" not in rule.methods or rule.endpoint in NOT_WALKED or rule.rule.endswith(NOT_PAGES)
                    or "/api/" in rule.rule):
                continue
            missing = rule.arguments - values.keys() - set(rule.defaults or {})
            assert not missing, f"give test_reflow a value for {sorted(missing)} of {rule.rule}"
            pages[rule.endpoint] = app.url_for(rule.endpoint, **{k: values[k] for k in rule.arguments
                                                                 if k not in (rule.defaults or {})})
    return pages


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_page_of_an_event_with_long_texts_reflows_at_320_px(new_context, reflow_server, lang):
    page = _signed_in(new_context, reflow_server, lang)
    pages = every_page(reflow_server.app, reflow_server.values) | reflow_server.long_pages
    assert {"events.dashboard", "events.audit_log", "accounts.users", "events.event_overview"} <= pages.keys()
    found, visited = [], 0
    for endpoint, url in sorted(pages.items()):
        response = page.goto(url)
        assert response is not None and response.status < 500, f"{endpoint} answered {response and response.status}"
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        visited += 1
        found += _problems(page, endpoint)
    assert visited >= 40, f"only {visited} pages walked"
    assert not found, "\n".join(found)
