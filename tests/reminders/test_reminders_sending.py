"""Who gets which reminder, when, and once (eventhub.reminders.services.send_due), on SQLite and PostgreSQL."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventhub.accounts import services as accounts
from eventhub.events import operations
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup
from eventhub.registration import services as registration
from eventhub.registration.models import Registration
from eventhub.reminders import services
from eventhub.reminders.models import Reminder
from tests.registration.support import KEYS, add_group_session, event_by_slug, fresh, outbox, register
from tests.reminders.support import (
    TWO_DAYS,
    TWO_HOURS,
    add_registration_desk,
    deliveries,
    due,
    reminder_mail,
    reminder_of,
    send,
    with_reminders,
)


def test_each_person_with_a_place_gets_each_reminder_once_by_how_they_take_part(app_ctx, make_event):
    slug = with_reminders(make_event)
    add_registration_desk(slug)
    [group_id] = add_group_session(slug, [("Cirkulär ekonomi", "on_site", 10)])
    db.session.get(DiscussionGroup, group_id).place = "Sal 3"
    db.session.commit()
    register(slug, "anna@example.se", "on_site", group_id=group_id)
    register(slug, "dana@example.se", "digital")

    first = send(due(slug, TWO_DAYS))
    again = send(due(slug, TWO_DAYS, after=timedelta(minutes=11)))  # the next run of the timer

    assert (first.sent, dict(first.by_kind)) == (2, {"on_site": 1, "digital": 1})
    assert again.sent == 0
    [on_site] = reminder_mail("anna@example.se")
    assert on_site.subject == "Påminnelse: Forumträff"
    for words in ("Textile Fashion Center", "Tio minuters promenad från Borås resecentrum", "kartor.example.se",
                  "Registreringen öppnar", "Cirkulär ekonomi", "Sal 3", "kortkod", "centraleuropeisk"):
        assert words in on_site.body_text, words
    assert on_site.attachment_renderer == "ticket_qr" and on_site.attachment_alt  # the QR, drawn when sent
    assert "/join" not in on_site.body_text and "zoom.example.org" not in on_site.body_text
    [digital] = reminder_mail("dana@example.se")
    assert digital.subject == "Påminnelse och din länk för att ansluta: Forumträff"
    assert re.search(r"/r/[\w-]+/join\?lang=sv", digital.body_text)
    assert "meet.example.org" not in digital.body_text  # the platform address stays behind our link
    assert "https://zoom.example.org/test" in digital.body_text
    assert "Textile Fashion Center" not in digital.body_text and digital.attachment_renderer is None

    later = send(due(slug, TWO_HOURS))
    assert later.sent == 2 and len(reminder_mail()) == 4
    assert {(d.reminder.minutes_before, d.registration.email) for d in deliveries()} == {
        (TWO_DAYS, "anna@example.se"), (TWO_DAYS, "dana@example.se"),
        (TWO_HOURS, "anna@example.se"), (TWO_HOURS, "dana@example.se")}


def test_nothing_goes_before_a_reminders_time_or_once_the_event_has_started(app_ctx, make_event):
    slug = with_reminders(make_event)
    register(slug, "anna@example.se", "on_site")

    assert send(due(slug, TWO_DAYS, after=-timedelta(minutes=1))).sent == 0
    assert send(event_by_slug(slug).starts_at + timedelta(minutes=1)).sent == 0  # too late: both are stale
    assert reminder_mail() == []


@pytest.mark.parametrize(("status", "event_status"), [
    ("cancelled", "published"), ("confirmed", "cancelled"), ("confirmed", "draft")])
def test_no_reminder_for_cancelled_people_or_events_that_are_not_on(app_ctx, make_event, status, event_status):
    slug = with_reminders(make_event)
    person = register(slug, "anna@example.se", "on_site").registration
    if status == "cancelled":
        registration.cancel(person.id, datetime.now(UTC), KEYS)
    event_by_slug(slug).status = event_status
    db.session.commit()

    assert send(due(slug, TWO_DAYS)).sent == 0


def test_someone_who_registers_after_a_reminders_time_gets_only_those_still_ahead(app_ctx, make_event):
    slug = with_reminders(make_event)
    late = due(slug, TWO_DAYS, after=timedelta(hours=5))
    register(slug, "late@example.se", "on_site", now=late)

    assert send(late + timedelta(minutes=10)).sent == 0  # not the two days' reminder a minute after confirming
    assert send(due(slug, TWO_HOURS)).sent == 1
    assert [d.reminder.minutes_before for d in deliveries()] == [TWO_HOURS]


def test_only_the_latest_due_reminder_goes_when_several_are_due_at_once(app_ctx, make_event):
    """The sender was stopped over both moments: one email, the latest, never a flood."""
    slug = with_reminders(make_event)
    register(slug, "anna@example.se", "on_site")

    report = send(due(slug, TWO_HOURS))

    assert report.sent == 1
    assert [d.reminder.minutes_before for d in deliveries()] == [TWO_HOURS]
    assert send(due(slug, TWO_HOURS, after=timedelta(minutes=20))).sent == 0


def test_a_reminder_set_after_its_moment_is_not_sent_late(app_ctx, make_event):
    slug = with_reminders(make_event, starts_in=timedelta(days=1), set_at=datetime.now(UTC))
    register(slug, "anna@example.se", "on_site", now=datetime.now(UTC) - timedelta(days=5))

    assert send(datetime.now(UTC) + timedelta(minutes=1)).sent == 0  # the two days' moment passed before it was set
    assert send(due(slug, TWO_HOURS)).sent == 1


def test_the_waitlist_gets_one_note_with_its_place_and_a_way_out(app_ctx, make_event):
    slug = with_reminders(make_event, on_site_seats=1)
    register(slug, "anna@example.se", "on_site")
    register(slug, "walter@example.se", "on_site", now=datetime.now(UTC) + timedelta(seconds=1))
    register(slug, "wilma@example.se", "on_site", now=datetime.now(UTC) + timedelta(seconds=2))

    first = send(due(slug, TWO_DAYS))
    second = send(due(slug, TWO_HOURS))

    assert dict(first.by_kind) == {"on_site": 1, "waitlist": 2}
    assert dict(second.by_kind) == {"on_site": 1}  # the note goes with the first reminder only
    [walter] = reminder_mail("walter@example.se")
    [wilma] = reminder_mail("wilma@example.se")
    assert walter.subject == "Du står fortfarande på reservlistan: Forumträff"
    assert "nummer 1" in walter.body_text and "nummer 2" in wilma.body_text
    assert re.search(r"/r/[\w-]+/waitlist/leave\?lang=sv", walter.body_text)
    assert walter.attachment_renderer is None and "kortkod" not in walter.body_text  # no ticket without a place


def test_someone_promoted_from_the_waitlist_gets_the_reminders_after_their_place(app_ctx, make_event):
    slug = with_reminders(make_event, on_site_seats=1)
    anna = register(slug, "anna@example.se", "on_site").registration
    register(slug, "walter@example.se", "on_site", now=datetime.now(UTC) + timedelta(seconds=1))
    send(due(slug, TWO_DAYS))
    registration.cancel(anna.id, due(slug, TWO_DAYS, after=timedelta(hours=1)), KEYS)  # Walter gets the seat

    report = send(due(slug, TWO_HOURS))

    assert dict(report.by_kind) == {"on_site": 1}
    assert [m.subject for m in reminder_mail("walter@example.se")] == [
        "Du står fortfarande på reservlistan: Forumträff", "Påminnelse: Forumträff"]


def test_a_moved_event_reminds_everyone_again_before_its_new_start(app_ctx, make_event):
    slug = with_reminders(make_event)
    register(slug, "dana@example.se", "digital")
    send(due(slug, TWO_DAYS))
    event = event_by_slug(slug)
    event.starts_at, event.ends_at = event.starts_at + timedelta(days=7), event.ends_at + timedelta(days=7)
    db.session.commit()

    assert send(due(slug, TWO_DAYS)).sent == 1
    assert [d.event_starts_at for d in deliveries()][-1] == event_by_slug(slug).starts_at
    assert len(reminder_mail("dana@example.se")) == 2


def test_a_digital_reminder_before_the_platform_link_is_set_says_where_the_link_will_be(app_ctx, make_event):
    slug = with_reminders(make_event, join_url=None, platform_test_url=None)
    person = register(slug, "dana@example.se", "digital").registration

    send(due(slug, TWO_DAYS))

    [message] = reminder_mail()
    assert message.subject == "Påminnelse: Forumträff"
    assert "/join" not in message.body_text and "anmälningssida från" in message.body_text
    assert fresh(Registration, person.id).join_reminder_sent_at is None


def test_the_join_link_reminder_keeps_join_reminder_sent_at_as_the_first_time(app_ctx, make_event):
    slug = with_reminders(make_event)
    person = register(slug, "dana@example.se", "digital").registration
    first = due(slug, TWO_DAYS)

    send(first)
    send(due(slug, TWO_HOURS))

    assert fresh(Registration, person.id).join_reminder_sent_at == first


@pytest.mark.parametrize("language", ["sv", "en"])
def test_reminder_is_in_the_persons_language_with_the_zone_named(app_ctx, make_event, language):
    slug = with_reminders(make_event)
    reminder = reminder_of(slug, TWO_DAYS)
    reminder.intro_sv, reminder.intro_en = "Välkommen på tisdag!", "Welcome on Tuesday!"
    db.session.commit()
    register(slug, "dana@example.se", "digital", language=language)

    send(due(slug, TWO_DAYS))

    [message] = reminder_mail()
    body = message.body_text
    assert body.startswith("Hello" if language == "en" else "Hej")
    assert ("Welcome on Tuesday!" if language == "en" else "Välkommen på tisdag!") in body
    assert ("Central European" if language == "en" else "centraleuropeisk") in body
    assert re.search(r"/join\?lang=" + language, body)
    assert "soon" not in body and "snart" not in body  # it may be days ahead
    # The link is given in the message: the letter does not also promise it "on your page from ...".
    assert "registration page from" not in body and "anmälningssida från" not in body


def test_an_introduction_written_in_one_language_reaches_everyone(app_ctx, make_event):
    slug = with_reminders(make_event)
    reminder_of(slug, TWO_DAYS).intro_sv = "Ta med en penna."
    db.session.commit()
    register(slug, "eve@example.se", "on_site", language="en")

    send(due(slug, TWO_DAYS))

    assert "Ta med en penna." in reminder_mail()[0].body_text


def test_a_walk_in_without_an_address_is_skipped(app_ctx, make_event):
    slug = with_reminders(make_event)
    person = register(slug, "anna@example.se", "on_site").registration
    db.session.get(Registration, person.id).email = None
    db.session.commit()

    assert send(due(slug, TWO_DAYS)).sent == 0


def test_new_and_copied_events_get_their_reminders(app_ctx, make_event):
    user, _ = accounts.create_user("olle@example.se", "Olle", "organiser", datetime.now(UTC), password="x" * 12)
    slug = with_reminders(make_event)
    reminder_of(slug, TWO_DAYS).intro_sv = "Välkommen!"
    db.session.add(Reminder(event_id=event_by_slug(slug).id, minutes_before=7 * 24 * 60,
                            set_at=datetime.now(UTC)))
    db.session.commit()

    copy = operations.duplicate_event(event_by_slug(slug).id, (datetime.now(UTC) + timedelta(days=60)).date(),
                                      user.id, title="Nästa forumträff").event

    copied = services.of_event(copy.id)
    assert [r.minutes_before for r in copied] == [7 * 24 * 60, TWO_DAYS, TWO_HOURS]
    assert copied[1].intro_sv == "Välkommen!"
    assert db.session.scalar(select(Event.directions).where(Event.id == copy.id)).startswith("Tio minuters")


def test_reminders_command_reports_what_it_queued(app, runner, make_event):
    with app.app_context():
        slug = with_reminders(make_event)
        register(slug, "anna@example.se", "on_site")
        register(slug, "dana@example.se", "digital")
        at = due(slug, TWO_DAYS).isoformat()

    result = runner.invoke(args=["reminders", "send", "--now", at])
    again = runner.invoke(args=["reminders", "send", "--now", at])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "queued 2 reminders (digital 1, on site 1)"
    assert again.output.strip() == "queued 0 reminders"


def test_reminders_command_still_takes_the_old_hours_option(app, runner):
    result = runner.invoke(args=["reminders", "send", "--hours", "24"])
    assert result.exit_code == 0 and "queued 0 reminders" in result.output


def test_confirmations_are_not_counted_as_reminders(app_ctx, make_event):
    slug = with_reminders(make_event)
    register(slug, "anna@example.se", "on_site")
    assert len(outbox()) == 1 and reminder_mail() == []
