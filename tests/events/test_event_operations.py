"""What organisers do to an event: move its date, shift the programme, cancel, delete a draft, duplicate."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from eventhub.accounts.models import EventStaff
from eventhub.audit.models import AuditEntry
from eventhub.events import operations, services
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup
from eventhub.mail.models import OutboxMessage
from eventhub.modes import Mode
from eventhub.programme.models import ProgrammeItem
from eventhub.registration import services as registration
from eventhub.registration.models import Registration
from tests.accounts.support import make_user
from tests.registration.support import KEYS, event_by_slug, person, register

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)


def data_of(event: Event, **changes) -> operations.EventData:
    """The event as its form would post it back, with ``changes``."""
    fields = {name: getattr(event, name) for name in (
        "title", "starts_at", "ends_at", "format", "slug", "timezone", "language", "venue_name", "join_url",
        "on_site_seats", "digital_seats", "registration_opens_at", "registration_closes_at", "contact_email",
        "group_choice_open", "asks_dietary_needs")}
    fields.update(changes)
    return operations.EventData(**fields)


# Summer time ends on 25 October 2026: an afternoon in summer time moved to one in winter time.
SUMMER_DAY, WINTER_DAY = date(2027, 10, 19), date(2027, 11, 2)


@pytest.fixture
def forum(app, make_event, make_item):
    """Seed 001's afternoon on a summer-time day: registration 12:45, a 13:15 talk, a group session."""
    slug = make_event(starts_at=local(SUMMER_DAY, 12, 45), ends_at=local(SUMMER_DAY, 16, 0), on_site_seats=40,
                      digital_seats=40, registration_closes_at=local(SUMMER_DAY - timedelta(days=2), 23, 59),
                      join_url="https://meet.example/forum", venue_name="Navet", contact_email="info@example.se")
    make_item(slug, minutes_after_start=30, length=30, title="Föreläsning")  # 13:15–13:45
    make_item(slug, minutes_after_start=105, length=60, title="Gruppdiskussioner")  # 14:30–15:30
    return slug


@pytest.fixture
def organiser(app, forum):
    return make_user(app, "org@example.se", staff_of={forum: "organiser"})


def item_times(slug: str) -> list[tuple[datetime, datetime]]:
    items = db.session.scalars(select(ProgrammeItem).join(Event).where(Event.slug == slug)
                               .order_by(ProgrammeItem.starts_at)).all()
    return [(item.starts_at.astimezone(STOCKHOLM), item.ends_at.astimezone(STOCKHOLM)) for item in items]


def test_date_move_moves_every_item_at_its_wall_clock_time_across_summer_time(app, forum, organiser):
    with app.app_context():
        event = event_by_slug(forum)
        saved = operations.update_event(event.id, data_of(event, starts_at=local(WINTER_DAY, 12, 45)), organiser,
                                        datetime.now(UTC), KEYS)
        assert saved.items_moved == 2
        # The programme feed's items say they changed (SEQUENCE up).
        assert all(item.revision > 1 for item in db.session.scalars(
            select(ProgrammeItem).where(ProgrammeItem.event_id == event.id)))
        assert [(start.replace(tzinfo=None), end.replace(tzinfo=None)) for start, end in item_times(forum)] == [
            (datetime(2027, 11, 2, 13, 15), datetime(2027, 11, 2, 13, 45)),
            (datetime(2027, 11, 2, 14, 30), datetime(2027, 11, 2, 15, 30)),
        ]
        event = event_by_slug(forum)
        # The end and the registration's closing, left as they were, follow the date.
        assert event.ends_at == local(WINTER_DAY, 16, 0)
        assert event.registration_closes_at == local(WINTER_DAY - timedelta(days=2), 23, 59)


def test_time_change_on_the_same_day_leaves_the_items_where_they_are(app, forum, organiser):
    with app.app_context():
        event = event_by_slug(forum)
        before = item_times(forum)
        saved = operations.update_event(event.id, data_of(event, starts_at=local(SUMMER_DAY, 13, 0)), organiser,
                                        datetime.now(UTC), KEYS)
        assert saved.items_moved == 0 and item_times(forum) == before


def test_date_move_tells_everyone_registered_in_their_language_with_the_new_calendar(app, forum, organiser):
    with app.app_context():
        register(forum, "anna@example.se", "on_site")
        register(forum, "john@example.org", "digital", language="en")
        gone = register(forum, "gone@example.se", "on_site").registration
        registration.cancel(gone.id, datetime.now(UTC), KEYS)
        event = event_by_slug(forum)
        revision = event.revision
        first = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
        saved = operations.update_event(event.id, data_of(event, starts_at=local(WINTER_DAY, 12, 45)), organiser,
                                        datetime.now(UTC), KEYS)
        assert saved.told == 2
        mails = {m.to_address: m for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > first))}
        assert set(mails) == {"anna@example.se", "john@example.org"}
        assert mails["anna@example.se"].subject.startswith("Nytt datum:")
        assert "2 november 2027" in mails["anna@example.se"].body_text
        assert mails["john@example.org"].subject.startswith("New date:")
        assert "2 November 2027" in mails["john@example.org"].body_text
        vevent = Calendar.from_ical(mails["anna@example.se"].calendar_ics).walk("VEVENT")[0]
        assert vevent.decoded("dtstart") == local(WINTER_DAY, 12, 45)
        assert int(vevent["sequence"]) > revision
        assert event_by_slug(forum).revision > revision
        assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "event.moved"


def test_date_move_sends_the_join_reminder_again_before_the_new_start(app, forum, organiser):
    with app.app_context():
        person = register(forum, "john@example.org", "digital").registration
        person.join_reminder_sent_at = datetime.now(UTC)
        db.session.commit()
        event = event_by_slug(forum)
        operations.update_event(event.id, data_of(event, starts_at=local(WINTER_DAY, 12, 45)), organiser,
                                datetime.now(UTC), KEYS)
        assert db.session.get(Registration, person.id).join_reminder_sent_at is None


def test_saving_without_a_new_time_tells_nobody(app, forum, organiser):
    with app.app_context():
        register(forum, "anna@example.se", "on_site")
        event = event_by_slug(forum)
        count = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        saved = operations.update_event(event.id, data_of(event, title="Ny titel"), organiser, datetime.now(UTC), KEYS)
        assert saved.told == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == count


@pytest.mark.parametrize(("minutes", "with_event", "first_item", "event_start"), [
    (15, False, (13, 30), (12, 45)),
    (-15, False, (13, 0), (12, 45)),
    (20, True, (13, 35), (13, 5)),
])
def test_shift_programme_moves_every_item_by_the_minutes(app, forum, organiser, minutes, with_event, first_item,
                                                          event_start):
    with app.app_context():
        event = event_by_slug(forum)
        assert operations.shift_programme(event.id, minutes, organiser, KEYS, with_event=with_event).items_moved == 2
        start, _end = item_times(forum)[0]
        assert (start.hour, start.minute) == first_item
        start = event_by_slug(forum).starts_at.astimezone(STOCKHOLM)
        assert (start.hour, start.minute) == event_start


@pytest.mark.parametrize(("with_event", "told"), [(True, 1), (False, 0)])
def test_a_late_start_of_the_event_itself_is_told_to_everyone_registered(app, forum, organiser, with_event, told):
    with app.app_context():
        register(forum, "anna@example.se", "on_site")
        first = db.session.scalar(select(func.max(OutboxMessage.id)))
        shifted = operations.shift_programme(event_by_slug(forum).id, 15, organiser, KEYS, with_event=with_event)
        assert shifted.told == told
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > first)).all()
        assert [m.subject.startswith("Ny tid:") for m in mails] == [True] * told
        if told:
            vevent = Calendar.from_ical(mails[0].calendar_ics).walk("VEVENT")[0]
            assert vevent.decoded("dtstart") == local(SUMMER_DAY, 13, 0)


@pytest.mark.parametrize("minutes", [0, 1441, -2000])
def test_shift_programme_refuses_nothing_or_more_than_a_day(app, forum, organiser, minutes):
    with app.app_context(), pytest.raises(operations.ShiftOutOfRange):
        operations.shift_programme(event_by_slug(forum).id, minutes, organiser, KEYS)


def test_cancelling_a_draft_never_published_keeps_it_private(app, client, make_event):
    slug = make_event(status="draft", title="Hemligt utkast")
    organiser = make_user(app, "org@example.se", staff_of={slug: "organiser"})
    with app.app_context():
        operations.cancel_event(event_by_slug(slug).id, organiser, KEYS)
        assert event_by_slug(slug).is_cancelled and not event_by_slug(slug).is_public
    assert "Hemligt utkast" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/events/{slug}").status_code == 404
    assert client.get(f"/api/v1/events/{slug}").status_code == 404
    assert slug not in client.get("/api/v1/events").get_data(as_text=True)


def test_cancelling_a_published_event_keeps_it_listed_with_the_message(app, client, forum, organiser):
    with app.app_context():
        register(forum, "anna@example.se", "on_site")
        assert operations.cancel_event(event_by_slug(forum).id, organiser, KEYS, "Ny träff den 3 december.") == 1
        mail = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert "Ny träff den 3 december." in mail.body_text and mail.subject.startswith("Inställt:")
    page = client.get(f"/events/{forum}").get_data(as_text=True)
    assert "Evenemanget är inställt" in page and "Ny träff den 3 december." in page
    assert forum in client.get("/").get_data(as_text=True)


def test_unpublished_then_cancelled_event_stays_visible_as_cancelled(app, client, forum, organiser):
    with app.app_context():
        operations.set_published(event_by_slug(forum).id, False, organiser)
        operations.cancel_event(event_by_slug(forum).id, organiser, KEYS)
    assert client.get(f"/events/{forum}").status_code == 200


def test_delete_draft_without_registrations_removes_it_and_logs_without_an_event(app, make_event, make_item):
    slug = make_event(status="draft", title="Testutkast")
    make_item(slug)
    organiser = make_user(app, "org@example.se", staff_of={slug: "organiser"})
    with app.app_context():
        event_id = event_by_slug(slug).id
        assert operations.delete_draft(event_id, organiser) == "Testutkast"
        assert event_by_slug(slug) is None
        assert db.session.scalar(select(func.count()).select_from(ProgrammeItem)
                                 .where(ProgrammeItem.event_id == event_id)) == 0
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.deleted")).one()
        assert entry.event_id is None and entry.user_id == organiser and slug in entry.summary


@pytest.mark.parametrize(("status", "registered", "error"), [
    ("published", False, operations.NotADraft),
    ("draft", True, operations.HasRegistrations),
])
def test_delete_refuses_a_published_event_or_one_with_registrations(app, make_event, status, registered, error):
    slug = make_event(status="published")
    organiser = make_user(app, "org@example.se", staff_of={slug: "organiser"})
    with app.app_context():
        if registered:
            register(slug, "anna@example.se")
        event = event_by_slug(slug)
        event.status = status
        event.published_at = None if status == "draft" else event.published_at
        db.session.commit()
        with pytest.raises(error):
            operations.delete_draft(event.id, organiser)
        assert event_by_slug(slug) is not None


def test_duplicate_starts_from_the_plan_without_old_links_and_closed_group_choice(app, forum, organiser, make_item):
    with app.app_context():
        event = event_by_slug(forum)
        event.group_choice_open = True
        item = db.session.get(ProgrammeItem, make_item(forum, minutes_after_start=120, kind="group_session"))
        item.groups.append(DiscussionGroup(title="Digital grupp", mode="digital", seats=1,
                                           join_url="https://meet.example/group"))
        db.session.commit()
        group_id = item.groups[0].id
        # Full, then an organiser places one more person: the limits grow by one each.
        for i in range(40):
            register(forum, f"p{i}@example.se", "on_site")
        registration.register(event.id, person("extra@example.se"), datetime.now(UTC), KEYS, organiser=True,
                              override=True)
        db.session.execute(DiscussionGroup.__table__.update().where(DiscussionGroup.id == group_id)
                           .values(seats=2, seats_added=1))
        db.session.commit()
        assert event_by_slug(forum).on_site_seats == 41
        copy = operations.duplicate_event(event.id, date(2027, 12, 7), organiser, title="Forumträff 2")
        new = copy.event
        assert copy.join_links_left_out
        assert (new.title, new.on_site_seats, new.digital_seats, new.join_url, new.group_choice_open) == (
            "Forumträff 2", 40, 40, None, False)
        group = db.session.scalars(select(DiscussionGroup).join(ProgrammeItem)
                                   .where(ProgrammeItem.event_id == new.id)).one()
        assert (group.seats, group.join_url) == (1, None)


def test_duplicate_refuses_the_same_title_on_the_same_day(app, forum, organiser):
    with app.app_context():
        event = event_by_slug(forum)
        with pytest.raises(operations.SameTitleAndDay):
            operations.duplicate_event(event.id, SUMMER_DAY, organiser, title="forumträff")
        assert operations.duplicate_event(event.id, SUMMER_DAY, organiser, title="Forumträff, andra passet").event


@pytest.mark.parametrize("copy_team", [True, False])
def test_duplicate_copies_the_team_only_when_asked(app, forum, organiser, copy_team):
    host = make_user(app, "host@example.se", role="host", staff_of={forum: "host"})
    with app.app_context():
        copy = operations.duplicate_event(event_by_slug(forum).id, WINTER_DAY, organiser, copy_team=copy_team).event
        team = set(db.session.scalars(select(EventStaff.user_id).where(EventStaff.event_id == copy.id)))
        assert team == ({organiser, host} if copy_team else {organiser})


def test_publication_checks_name_what_is_missing(app, make_event):
    slug = make_event(status="draft", format="hybrid")
    with app.app_context():
        assert services.publication_checks(event_by_slug(slug)) == ["no_programme", "no_join_link", "no_venue",
                                                                     "no_contact"]


def test_planned_seats_ignore_the_seats_an_override_added(app, forum):
    with app.app_context():
        event = event_by_slug(forum)
        event.on_site_seats, event.on_site_seats_added = 42, 2
        assert event.planned_seats(Mode.ON_SITE) == 40 and event.planned_seats(Mode.DIGITAL) == 40
