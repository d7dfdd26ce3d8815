"""The event page's kept parts (eventhub.caching): every change shows at once, nothing personal is shared.

The page keeps what every visitor sees alike by the event's versions; each test below first
serves the page from what is kept (one query: the event's row), then changes one thing the page
shows, the way the app does it, and reads the page again.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string
from sqlalchemy import event as sa_event
from sqlalchemy import select

from config import TestingConfig
from eventhub import caching, create_app, keyring
from eventhub.accounts import services as accounts
from eventhub.documentation import services as documentation
from eventhub.events import operations, views
from eventhub.events.models import Event, Partner
from eventhub.extensions import db
from eventhub.groups import leaders
from eventhub.groups.models import DiscussionGroup, GroupLeader
from eventhub.materials.models import EventMaterial
from eventhub.privacy.models import EventPrivacy
from eventhub.programme import operations as programme
from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem
from eventhub.registration import services as registration
from tests.deploy.support import free_port, redis_server

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "a-long-enough-password"  # noqa: S105 (a test account's)


def _page(client, slug: str, query: str = "") -> str:
    response = client.get(f"/events/{slug}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _kept_page(client, count_queries, slug: str, query: str = "") -> str:
    """The page as the next visitor gets it, after making sure it now comes from what is kept."""
    _page(client, slug, query)
    with count_queries() as queries:
        body = _page(client, slug, query)
    assert len(queries) == 1, queries  # the event's row alone: the rest was kept
    return body


def _event(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def _user(email: str = "olle@example.se", name: str = "Olle Organisatör", role: str = "admin") -> int:
    user, _token = accounts.create_user(email, name, role, datetime.now(UTC), password=PASSWORD)
    db.session.commit()
    return user.id


@pytest.fixture
def shown(app, make_event):
    """A hybrid event open for registration, seven places on site, group choice open; its programme
    shows Anna Andersson speaking and the group "Grupp Ett" (three places) led by Bo Berg."""
    slug = make_event(title="Forumträff om vatten", on_site_seats=7, group_choice_open=True)
    with app.app_context():
        event = _event(slug)
        event.partners = [Partner(name="Partnerbolaget")]
        anna, bo = Person(name="Anna Andersson"), Person(name="Bo Berg")
        item = ProgrammeItem(title="Samtal i grupper", starts_at=event.starts_at,
                             ends_at=event.starts_at + timedelta(minutes=45), kind="group_session")
        item.speakers = [ItemSpeaker(person=anna, role="speaker", position=0)]
        item.groups = [DiscussionGroup(title="Grupp Ett", mode="on_site", seats=3, position=0,
                                       leaders=[GroupLeader(person=bo)])]
        event.programme_items.append(item)
        db.session.commit()
        return {"slug": slug, "event": event.id, "item": item.id, "anna": anna.id, "bo": bo.id,
                "group": item.groups[0].id, "speaker": item.speakers[0].id, "partner": event.partners[0].id}


def _get(model, row_id):
    return db.session.get(model, row_id)


def _register(ids, email: str = "asa@example.se", group: bool = False) -> int:
    result = registration.register(ids["event"], registration.RegistrationInput(
        name="Åsa Öhman", email=email, mode="on_site", privacy_accepted=True,
        group_id=ids["group"] if group else None), datetime.now(UTC), keyring.current())
    return result.registration.id


def _add_item(ids):
    event = _get(Event, ids["event"])
    db.session.add(ProgrammeItem(event_id=event.id, title="Extra punkt", starts_at=event.starts_at + timedelta(hours=1),
                                 ends_at=event.starts_at + timedelta(hours=2)))


def _add_leader(ids):
    group = _get(DiscussionGroup, ids["group"])
    group.leaders.append(GroupLeader(person=Person(name="Cecilia Ceder"), position=1))


def _add_speaker(ids):
    item = _get(ProgrammeItem, ids["item"])
    item.speakers.append(ItemSpeaker(person=Person(name="Cecilia Ceder"), role="moderator", position=1))


# (what changes, the change, text the page then shows, text it no longer shows)
EDITS = [
    ("event title", lambda ids: setattr(_get(Event, ids["event"]), "title", "Forumträff om luft"),
     "Forumträff om luft", "Forumträff om vatten"),
    ("event summary", lambda ids: setattr(_get(Event, ids["event"]), "summary", "Nu med sammanfattning"),
     "Nu med sammanfattning", None),
    ("item title", lambda ids: setattr(_get(ProgrammeItem, ids["item"]), "title", "Samtal i ringar"),
     "Samtal i ringar", "Samtal i grupper"),
    ("item added", _add_item, "Extra punkt", None),
    ("item removed", lambda ids: db.session.delete(_get(ProgrammeItem, ids["item"])),
     "Programmet publiceras inom kort", "Samtal i grupper"),
    ("speaker added", _add_speaker, "Cecilia Ceder", None),
    ("speaker removed", lambda ids: db.session.delete(_get(ItemSpeaker, ids["speaker"])), None, "Anna Andersson"),
    ("speaker renamed in the people directory", lambda ids: setattr(_get(Person, ids["anna"]), "name", "Annika Ahl"),
     "Annika Ahl", "Anna Andersson"),
    ("speaker's organisation in the people directory",
     lambda ids: setattr(_get(Person, ids["anna"]), "organisation", "Vattenverket"), "Vattenverket", None),
    ("group renamed", lambda ids: setattr(_get(DiscussionGroup, ids["group"]), "title", "Grupp Alfa"),
     "Grupp Alfa", "Grupp Ett"),
    ("group leader renamed in the people directory",
     lambda ids: setattr(_get(Person, ids["bo"]), "name", "Bertil Björk"), "Bertil Björk", "Bo Berg"),
    ("group leader added", _add_leader, "Cecilia Ceder", None),
    ("group's places changed", lambda ids: setattr(_get(DiscussionGroup, ids["group"]), "seats", 9),
     "9 platser kvar", "3 platser kvar"),
    ("partner renamed", lambda ids: setattr(_get(Partner, ids["partner"]), "name", "Nya partnern"),
     "Nya partnern", "Partnerbolaget"),
    ("privacy notice's retention", lambda ids: db.session.add(EventPrivacy(event_id=ids["event"],
                                                                           special_retention_days=12)),
     "raderar dem 12 dagar efter evenemanget", None),
    ("event's places changed", lambda ids: setattr(_get(Event, ids["event"]), "on_site_seats", 20),
     "20 platser kvar", "7 platser kvar"),
    ("a place taken by a registration", lambda ids: _register(ids), "6 platser kvar", "7 platser kvar"),
    ("a group's place taken by a registration", lambda ids: _register(ids, group=True),
     "2 platser kvar", "3 platser kvar"),
]


@pytest.mark.parametrize(("what", "change", "shown_now", "gone"), EDITS, ids=[edit[0] for edit in EDITS])
def test_event_page_shows_every_kind_of_change_at_once(app, client, count_queries, shown, what, change,
                                                       shown_now, gone):
    before = _kept_page(client, count_queries, shown["slug"])
    assert (gone is None or gone in before) and (shown_now is None or shown_now not in before)
    with app.test_request_context():
        change(shown)
        db.session.commit()
    after = _page(client, shown["slug"])
    if shown_now is not None:
        assert shown_now in after, what
    if gone is not None:
        assert gone not in after, what


def test_event_page_gives_a_cancelled_registrations_place_back_at_once(app, client, count_queries, shown):
    with app.test_request_context():
        registration_id = _register(shown)
    assert "6 platser kvar" in _kept_page(client, count_queries, shown["slug"])
    with app.test_request_context():
        registration.cancel(registration_id, datetime.now(UTC), keyring.current())
    assert "7 platser kvar" in _page(client, shown["slug"])


def test_event_page_shows_a_person_renamed_in_every_event_that_shows_them(app, client, count_queries, shown,
                                                                          make_event):
    """The people directory is shared: one new name, new pages for every event whose programme shows it."""
    other = make_event(title="Andra träffen")
    with app.app_context():
        event = _event(other)
        item = ProgrammeItem(event_id=event.id, title="Föredrag", starts_at=event.starts_at,
                             ends_at=event.starts_at + timedelta(minutes=30))
        item.speakers = [ItemSpeaker(person_id=shown["anna"], role="speaker", position=0)]
        db.session.add(item)
        db.session.commit()
        admin = _user()
    for slug in (shown["slug"], other):
        assert "Anna Andersson" in _kept_page(client, count_queries, slug)
    with app.app_context():
        programme.update_person(shown["anna"], programme.PersonData("Anna Ek", "Forskare", "Vattenverket"),
                                admin, shown["event"])
    for slug in (shown["slug"], other):
        body = _page(client, slug)
        assert "Anna Ek" in body and "Anna Andersson" not in body, slug


def test_event_page_shows_people_merged_at_once(app, client, count_queries, shown):
    with app.app_context():
        twin = Person(name="Anna A.", organisation="Vattenverket")
        db.session.add(twin)
        db.session.commit()
        twin_id, admin = twin.id, _user()
    assert "Anna Andersson" in _kept_page(client, count_queries, shown["slug"])
    with app.app_context():
        programme.merge_people(twin_id, shown["anna"], admin, shown["event"])
    body = _page(client, shown["slug"])
    assert "Anna A." in body and "Anna Andersson" not in body


def test_event_page_shows_a_cancelled_event_at_once(app, client, count_queries, shown):
    assert "Evenemanget är inställt" not in _kept_page(client, count_queries, shown["slug"])
    with app.app_context():
        operations.cancel_event(shown["event"], _user(), keyring.of(app), message="Lokalen brann.")
    body = _page(client, shown["slug"])
    assert "Evenemanget är inställt" in body and "Lokalen brann." in body
    assert 'name="csrf_token"' not in body  # no form for a cancelled event
    assert "https://schema.org/EventCancelled" in body


def test_event_page_shows_a_moved_event_at_once(app, client, count_queries, shown):
    with app.app_context():
        start = _event(shown["slug"]).starts_at
    local = lambda moment: moment.astimezone(ZoneInfo("Europe/Stockholm")).isoformat()  # noqa: E731
    assert f'"startDate": "{local(start)}"' in _kept_page(client, count_queries, shown["slug"])
    with app.app_context():
        operations.shift_programme(shown["event"], 90, _user(), keyring.of(app), with_event=True)
    body = _page(client, shown["slug"])
    assert f'"startDate": "{local(start + timedelta(minutes=90))}"' in body
    assert f'"previousStartDate": "{local(start)}"' in body


def test_event_page_shows_material_after_the_event_at_once(app, client, count_queries, make_event):
    slug = make_event(starts_at=datetime.now(UTC) - timedelta(days=3))
    assert "Bilderna från dagen" not in _kept_page(client, count_queries, slug)
    with app.app_context():
        db.session.add(EventMaterial(event_id=_event(slug).id, kind="slides", title="Bilderna från dagen",
                                     url="https://example.org/bilder.pdf"))
        db.session.commit()
    assert "Bilderna från dagen" in _page(client, slug)


def test_event_page_shows_its_documentation_at_once(app, client, count_queries, shown):
    """Once over, the page is the event's documentation: the summary and a group's key points, written
    after the page was kept (by an organiser, by the group's leader through their link), show at once."""
    with app.app_context():
        event = _get(Event, shown["event"])
        event.starts_at, event.ends_at = event.starts_at - timedelta(days=32), event.ends_at - timedelta(days=32)
        db.session.commit()
    assert "Vi kom fram till mycket" not in _kept_page(client, count_queries, shown["slug"])
    with app.app_context():
        documentation.save_summary(shown["event"], "Vi kom fram till mycket.", _user())
    assert "Vi kom fram till mycket" in _kept_page(client, count_queries, shown["slug"])
    with app.app_context():
        leaders.save_key_points(_get(DiscussionGroup, shown["group"]), "- Fler praktikplatser", datetime.now(UTC),
                                version=0)
    assert "Fler praktikplatser" in _page(client, shown["slug"])


def test_event_page_follows_the_clock_when_registration_closes(app, client, count_queries, make_event, monkeypatch):
    """Nothing is edited when registration closes: the time itself is part of what the page is kept by."""
    closes = datetime.now(UTC) + timedelta(days=1)
    slug = make_event(registration_closes_at=closes)
    assert 'name="csrf_token"' in _kept_page(client, count_queries, slug)
    monkeypatch.setattr(views, "utcnow", lambda: closes + timedelta(minutes=1))
    body = _page(client, slug)
    assert 'name="csrf_token"' not in body and "Anmälan är stängd" in body


def test_event_page_seat_taken_keeps_the_programme_kept(app, client, count_queries, shown):
    """A registration changes the places left, not the programme: only the form is rendered again."""
    _kept_page(client, count_queries, shown["slug"])
    with app.test_request_context():
        before = _get(Event, shown["event"]).version
        _register(shown)
        assert _get(Event, shown["event"]).version == before
    with count_queries() as queries:
        assert "6 platser kvar" in _page(client, shown["slug"])
    assert not any("item_speaker" in statement for statement in queries)  # the programme was not rendered


def test_event_page_keeps_each_language_and_audience_apart(client, count_queries, shown):
    swedish = _kept_page(client, count_queries, shown["slug"])
    english = _kept_page(client, count_queries, shown["slug"], "?lang=en")
    assert '<html lang="sv">' in swedish and "Programme as PDF" not in swedish
    assert '<html lang="en">' in english and "Programme as PDF" in english
    digital = _kept_page(client, count_queries, shown["slug"], "?audience=digital")
    assert "Grupp Ett" not in digital and "Grupp Ett" in swedish  # an on-site group
    nonsense = _kept_page(client, count_queries, shown["slug"], "?audience=nonsense")
    assert "Den publiken finns inte" in nonsense and "Den publiken finns inte" not in swedish


def test_event_page_links_never_follow_another_visitors_host(client, shown):
    """The absolute links (canonical, JSON-LD, Open Graph) are kept per host: a request with a Host of
    its own making cannot put its host into what others are served."""
    forged = client.get(f"/events/{shown['slug']}", base_url="http://evil.example").get_data(as_text=True)
    assert 'href="http://evil.example/events/' in forged
    body = _page(client, shown["slug"])
    assert "evil.example" not in body and f'href="http://localhost/events/{shown["slug"]}"' in body


def _sign_in(client, email: str) -> None:
    page = client.get("/account/login").get_data(as_text=True)
    response = client.post("/account/login", data={"email": email, "password": PASSWORD,
                                                    "csrf_token": CSRF.search(page).group(1)})
    assert response.status_code == 303


@pytest.mark.parametrize("organiser_first", [True, False], ids=["signed-in first", "visitor first"])
def test_event_page_never_shows_one_visitors_token_messages_or_name_to_another(app, shown, organiser_first):
    with app.app_context():
        _user(name="Olle Organisatör")
    organiser, visitor = app.test_client(), app.test_client()
    _sign_in(organiser, "olle@example.se")

    def organisers_page():
        with organiser.session_transaction() as session:
            session["_flashes"] = [("info", "Ett meddelande bara till Olle")]
        return _page(organiser, shown["slug"])

    first, second = (organisers_page, lambda: _page(visitor, shown["slug"]))[::1 if organiser_first else -1]
    pages = [first(), second()]
    organisers, visitors = pages if organiser_first else pages[::-1]
    assert "Ett meddelande bara till Olle" in organisers and "Ett meddelande bara till Olle" not in visitors
    assert 'data-sign-out' in organisers and 'data-sign-out' not in visitors
    assert set(CSRF.findall(organisers)).isdisjoint(CSRF.findall(visitors))
    # Each token is its own session's: the visitor registers with the one their page gave them.
    response = visitor.post(f"/events/{shown['slug']}/register", data={
        "csrf_token": CSRF.search(visitors).group(1), "name": "Vera Besökare", "email": "vera@example.se",
        "mode": "on_site", "sector": "public", "language": "sv", "privacy": "y"})
    assert response.status_code == 303, response.get_data(as_text=True)


def test_kept_parts_cannot_read_anything_personal(app):
    """The kept templates are rendered with the visitor's session out of reach: a template that asked
    for a token, a message or the signed-in person would fail, not leak."""
    with app.test_request_context():
        for call in ("csrf_token()", "get_flashed_messages()", "current_user.name", "current_user.is_authenticated",
                     "current_user", "session.get('x')", "request.cookies"):
            with pytest.raises(RuntimeError, match="personal"):
                render_template_string("{{ %s }}" % call, **views.NOTHING_PERSONAL)  # noqa: UP031


def test_event_page_is_served_when_the_shared_cache_is_down(database, shown):
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = create_app(TestingConfig, **database, CACHE_TYPE="RedisCache", CACHE_REDIS_URL=closed)
    response = app.test_client().get(f"/events/{shown['slug']}")
    assert response.status_code == 200 and "Samtal i grupper" in response.get_data(as_text=True)


def test_event_page_servers_share_what_is_kept_in_redis(database, shown, tmp_path):
    """Two app servers on one Redis: what one rendered the other serves, and a change made through
    either is seen on both at once."""
    with redis_server(tmp_path / "redis") as url:
        settings = {**database, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url}
        first, second = create_app(TestingConfig, **settings), create_app(TestingConfig, **settings)
        assert "Grupp Ett" in _page(first.test_client(), shown["slug"])
        queries = []
        with second.app_context():
            engine = db.engine

        def count(*_args):
            queries.append(1)

        sa_event.listen(engine, "before_cursor_execute", count)
        try:
            assert "Grupp Ett" in _page(second.test_client(), shown["slug"])
        finally:
            sa_event.remove(engine, "before_cursor_execute", count)
        assert len(queries) == 1  # the row: the rest came from what the first server kept
        with first.app_context():
            _get(DiscussionGroup, shown["group"]).title = "Grupp Alfa"
            db.session.commit()
        assert "Grupp Alfa" in _page(second.test_client(), shown["slug"])
        with second.app_context():
            caching.clear()
