"""Calendars read back with two independent parsers (icalendar and vobject), in one process."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from sqlalchemy import select

from eventhub import keyring
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup
from eventhub.programme.models import ProgrammeItem
from eventhub.registration import services
from tests.conftest import require_or_skip
from tests.registration.support import (
    MANAGE_LINK_PATTERN,
    add_group_session,
    event_by_slug,
    outbox,
    register,
)

BORAS = "integration-i-arbetslivet"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def parse_both(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.get_data(as_text=True)
    # vobject keeps the first VTIMEZONE it sees for a TZID for the whole process, as a long-running
    # client does: every file must therefore read right after any other (test_two_years_in_one_reader).
    return icalendar.Calendar.from_ical(text), vobject.readOne(text), text


def vevents(cal):
    return [component for component in cal.walk("VEVENT")]


def test_event_ics_is_one_event_in_local_time_with_timezone(client, demo):
    ical, vcal, text = parse_both(client.get(f"/events/{BORAS}/event.ics"))
    (only,) = vevents(ical)
    start = only.decoded("dtstart")
    assert start.tzinfo is not None and start.astimezone(STOCKHOLM).strftime("%H:%M") == "13:00"
    assert "DTSTART;TZID=Europe/Stockholm:" in text
    assert [tz["tzid"] for tz in ical.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert vcal.vevent.summary.value == "Integration i arbetslivet"
    assert vcal.vevent.dtstart.value.astimezone(UTC).hour == 11  # 13:00 CEST
    assert only["uid"].startswith("event-") and "DTSTAMP" in text


def test_programme_ics_has_one_event_per_item_with_stable_uids(client, demo):
    first, vfirst, _ = parse_both(client.get(f"/events/{BORAS}/programme.ics"))
    second, _, _ = parse_both(client.get(f"/events/{BORAS}/programme.ics"))
    titles = [str(e["summary"]) for e in vevents(first)]
    assert len(titles) == 14 and titles[0] == "Registrering & digital check-in"
    assert "En väg in i sysselsättning" in titles
    assert "Arbetsmarknadsintegration, tack vare i stället för trots allt" in titles
    assert [str(e["uid"]) for e in vevents(first)] == [str(e["uid"]) for e in vevents(second)]
    assert len(vfirst.vevent_list) == 14


@pytest.mark.parametrize(("audience", "present", "absent"), [
    ("digital", "Arbetsmarknadsintegration, tack vare i stället för trots allt", "En väg in i sysselsättning"),
    ("on_site", "En väg in i sysselsättning", "Arbetsmarknadsintegration, tack vare i stället för trots allt"),
])
def test_programme_ics_audience_variant_shows_that_audience_only(client, demo, audience, present, absent):
    ical, _, _ = parse_both(client.get(f"/events/{BORAS}/programme.ics?audience={audience}"))
    titles = {str(e["summary"]) for e in vevents(ical)}
    assert present in titles and absent not in titles


def test_programme_ics_unknown_audience_is_404(client, demo):
    assert client.get(f"/events/{BORAS}/programme.ics?audience=backstage").status_code == 404


def test_public_calendars_never_contain_join_links(client, demo, app):
    with app.app_context():
        join_url = event_by_slug(BORAS).join_url
    assert join_url
    for path in ("event.ics", "programme.ics", "programme.ics?audience=digital"):
        body = client.get(f"/events/{BORAS}/{path}").get_data(as_text=True)
        assert join_url not in body and "meet.example.org" not in body


def test_changed_item_gets_higher_sequence_and_new_last_modified(client, demo, app):
    before, _, _ = parse_both(client.get(f"/events/{BORAS}/programme.ics"))
    old = {str(e["uid"]): e for e in vevents(before)}
    with app.app_context():
        item = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.title == "PAUS"))
        item.title = "Paus med kaffe"
        db.session.commit()
        uid = f"item-{item.id}-{item.event.calendar_uid}@eventhub"
    after, _, _ = parse_both(client.get(f"/events/{BORAS}/programme.ics"))
    new = {str(e["uid"]): e for e in vevents(after)}
    assert str(new[uid]["summary"]) == "Paus med kaffe"
    assert int(new[uid]["sequence"]) > int(old[uid]["sequence"])
    assert new[uid].decoded("last-modified") >= old[uid].decoded("last-modified")


def test_deleted_item_stays_in_feed_as_cancelled(client, demo, app):
    with app.app_context():
        item = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.title == "Fikapaus"))
        uid, revision = f"item-{item.id}-{item.event.calendar_uid}@eventhub", item.revision
        db.session.delete(item)
        db.session.commit()
    ical, vcal, _ = parse_both(client.get(f"/events/{BORAS}/programme.ics"))
    cancelled = [e for e in vevents(ical) if str(e["uid"]) == uid]
    assert len(cancelled) == 1
    assert str(cancelled[0]["status"]) == "CANCELLED"
    assert int(cancelled[0]["sequence"]) > revision
    assert any(e.uid.value == uid and e.status.value == "CANCELLED" for e in vcal.vevent_list)


def test_local_times_correct_on_both_sides_of_summer_time_end(client, make_event, make_item, app):
    # Summer time ends in Stockholm at 03:00 on 25 October 2026 (clocks go back to 02:00).
    start = datetime(2026, 10, 24, 10, 0, tzinfo=STOCKHOLM)
    slug = make_event(starts_at=start, ends_at=datetime(2026, 10, 25, 12, 0, tzinfo=STOCKHOLM))
    make_item(slug, title="Lördag", starts_at=start, ends_at=start + timedelta(hours=1))
    sunday = datetime(2026, 10, 25, 10, 0, tzinfo=STOCKHOLM)
    make_item(slug, title="Söndag", starts_at=sunday, ends_at=sunday + timedelta(hours=1))
    night = datetime(2026, 10, 25, 1, 30, tzinfo=STOCKHOLM)  # CEST; +2 h real time is 02:30 CET
    # Two real hours: arithmetic in UTC, since aware local arithmetic moves the wall clock.
    make_item(slug, title="Natt", starts_at=night, ends_at=night.astimezone(UTC) + timedelta(hours=2))
    ical, vcal, text = parse_both(client.get(f"/events/{slug}/programme.ics"))
    by_title = {str(e["summary"]): e for e in vevents(ical)}
    assert by_title["Lördag"].decoded("dtstart").astimezone(UTC).hour == 8   # 10:00 CEST
    assert by_title["Söndag"].decoded("dtstart").astimezone(UTC).hour == 9   # 10:00 CET
    assert by_title["Natt"].decoded("dtend").astimezone(STOCKHOLM).strftime("%H:%M") == "02:30"
    vby = {e.summary.value: e for e in vcal.vevent_list}
    assert vby["Lördag"].dtstart.value.astimezone(UTC).hour == 8
    assert vby["Söndag"].dtstart.value.astimezone(UTC).hour == 9
    night_length = vby["Natt"].dtend.value.astimezone(UTC) - vby["Natt"].dtstart.value.astimezone(UTC)
    assert night_length == timedelta(hours=2)
    # 02:30 happens twice that night; the second one is written in UTC so it cannot be misread.
    assert "DTEND:20261025T013000Z" in text
    # The VTIMEZONE is the zone's yearly rule, not a list of this file's transitions.
    (zone,) = ical.walk("VTIMEZONE")
    assert [str(sub["rrule"].to_ical(), "ascii") for sub in zone.subcomponents] == [
        "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"]


def test_text_is_escaped_and_lines_folded(client, make_event, make_item):
    slug = make_event(title="Möte; med, komma")
    make_item(slug, title="Rad ett, rad; två", description="Första raden\nAndra raden, med komma; och semikolon " * 4)
    ical, vcal, text = parse_both(client.get(f"/events/{slug}/programme.ics"))
    (item,) = vevents(ical)
    assert str(item["summary"]) == "Rad ett, rad; två"
    assert "Andra raden, med komma; och semikolon" in vcal.vevent.description.value
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def _token_for(app, email):
    with app.app_context():
        body = outbox(email)[0].body_text
    return MANAGE_LINK_PATTERN.search(body).group(1)


def test_personal_feed_has_own_mode_items_and_own_group(client, demo, app):
    with app.app_context():
        group_ids = add_group_session(BORAS, [("Min grupp", "on_site", 10)], minutes_after_start=300)
        result = register(BORAS, "anna@example.se", "on_site")
        event = event_by_slug(BORAS)
        group = db.session.get(DiscussionGroup, group_ids[0])
        group.place = "Sal B"
        db.session.commit()
        groups.choose(result.registration.id, group_ids[0], datetime.now(UTC), keyring.of(app))
        assert event.join_url
        join_url = event.join_url
    token = _token_for(app, "anna@example.se")
    response = client.get(f"/r/{token}/calendar.ics")
    ical, _, text = parse_both(response)
    titles = {str(e["summary"]) for e in vevents(ical)}
    assert "En väg in i sysselsättning" in titles
    assert "Arbetsmarknadsintegration, tack vare i stället för trots allt" not in titles
    assert "Min grupp (Sal B)" in text.replace("\r\n ", "")
    assert join_url not in text
    assert response.headers["Cache-Control"] == "private, no-store"


def test_personal_feed_of_cancelled_registration_marks_everything_cancelled(client, demo, app):
    with app.app_context():
        result = register(BORAS, "bo@example.se", "digital")
        services.cancel(result.registration.id, datetime.now(UTC), keyring.of(app))
    token = _token_for(app, "bo@example.se")
    ical, _, _ = parse_both(client.get(f"/r/{token}/calendar.ics"))
    assert vevents(ical) and {str(e["status"]) for e in vevents(ical)} == {"CANCELLED"}


def test_personal_feed_unknown_token_is_404(client, demo):
    assert client.get("/r/not-a-real-token/calendar.ics").status_code == 404


def test_confirmation_email_attaches_the_event_calendar(app, demo):
    from email import message_from_bytes

    from eventhub.mail.transports import build_message

    with app.app_context():
        register(BORAS, "cal@example.se", "digital")
        message = outbox("cal@example.se")[0]
        built = message_from_bytes(bytes(build_message(message, "EventHub <noreply@example.se>")))
    parts = {part.get_filename(): part for part in built.walk() if part.get_filename()}
    calendar = icalendar.Calendar.from_ical(parts["event.ics"].get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Integration i arbetslivet"
    assert parts["event.ics"].get_content_type() == "text/calendar"
    assert b"meet.example.org" not in parts["event.ics"].get_payload(decode=True)


def test_confirmation_email_calendar_follows_a_change_to_the_event(app, make_event):
    from eventhub.events.models import Event
    from eventhub.extensions import db

    slug = make_event(title="Forumträff")
    with app.app_context():
        register(slug, "first@example.se", "digital")
        register(slug, "second@example.se", "digital")
        first, second = outbox("first@example.se")[0], outbox("second@example.se")[0]
        assert first.calendar_ics == second.calendar_ics  # one version of the event, one file
        event = db.session.scalar(db.select(Event).where(Event.slug == slug))
        event.title = "Forumträff, ny tid"
        db.session.commit()
        register(slug, "third@example.se", "digital")
        (vevent,) = icalendar.Calendar.from_ical(outbox("third@example.se")[0].calendar_ics).walk("VEVENT")
    assert str(vevent["summary"]) == "Forumträff, ny tid"


def test_waitlist_email_has_no_calendar(app, make_event):
    slug = make_event(digital_seats=0, format="digital")
    with app.app_context():
        register(slug, "wait@example.se", "digital")
        assert outbox("wait@example.se")[0].calendar_ics is None


def events_of_three_years(make_event, make_item) -> dict[str, datetime]:
    slugs = {}
    for moment in (datetime(2027, 6, 10, 13, 15, tzinfo=STOCKHOLM), datetime(2031, 1, 15, 13, 15, tzinfo=STOCKHOLM),
                   datetime(2029, 3, 25, 13, 15, tzinfo=STOCKHOLM)):  # the 25th is the Sunday summer time begins
        slug = make_event(starts_at=moment, ends_at=moment + timedelta(hours=3), contact_email="forum@boras.se")
        make_item(slug, title=f"Punkt {moment.year}", starts_at=moment, ends_at=moment + timedelta(hours=1))
        slugs[slug] = moment
    return slugs


def test_two_years_in_one_reader_read_right(client, make_event, make_item):
    """A long-running reader (vobject keeps the first VTIMEZONE of a TZID) reads a winter file after a
    summer file of another year, and the other way round, at the times they say."""
    slugs = events_of_three_years(make_event, make_item)
    for _ in range(2):  # each file read after every other
        for slug, moment in slugs.items():
            for path in ("event.ics", "programme.ics"):
                ical, vcal, _ = parse_both(client.get(f"/events/{slug}/{path}"))
                assert vcal.vevent.dtstart.value.astimezone(UTC) == moment.astimezone(UTC), (slug, path)
                assert ical.walk("VEVENT")[0].decoded("dtstart").astimezone(UTC) == moment.astimezone(UTC)


def test_calendar_names_the_organiser_where_publish_needs_it(client, make_event):
    with_contact = make_event(contact_email="forum@boras.se", contact_name="Berit Müllerström")
    ical, _, text = parse_both(client.get(f"/events/{with_contact}/event.ics"))
    assert str(ical["method"]) == "PUBLISH"
    organiser = ical.walk("VEVENT")[0]["organizer"]
    assert str(organiser) == "mailto:forum@boras.se" and organiser.params["cn"] == "Berit Müllerström"

    without = make_event(contact_email=None)
    ical, _, text = parse_both(client.get(f"/events/{without}/event.ics"))
    assert "METHOD" not in text and "ORGANIZER" not in text


def test_calendar_has_no_empty_location(client, make_event, make_item):
    slug = make_event(format="digital", venue_name=None, venue_address=None, platform_name=None)
    make_item(slug, title="Utan plats")
    for path in ("event.ics", "programme.ics"):
        _, _, text = parse_both(client.get(f"/events/{slug}/{path}"))
        assert "LOCATION:\r\n" not in text and "\nLOCATION:\r" not in text
        assert all(line != "LOCATION:" for line in text.splitlines())


@pytest.mark.parametrize(("path", "is_feed"), [("event.ics", False), ("programme.ics", True),
                                               ("programme.ics?audience=digital", True)])
def test_subscribed_feeds_say_how_often_to_refresh(client, demo, path, is_feed):
    ical, _, _ = parse_both(client.get(f"/events/{BORAS}/{path}"))
    assert ("REFRESH-INTERVAL" in ical) is is_feed and ("X-PUBLISHED-TTL" in ical) is is_feed
    if is_feed:
        assert ical.decoded("refresh-interval") == timedelta(hours=1)
        assert ical["refresh-interval"].params["VALUE"] == "DURATION"


def test_uids_do_not_follow_the_address_the_app_is_served_from(client, demo):
    def uids(host):
        ical, _, _ = parse_both(client.get(f"/events/{BORAS}/programme.ics", base_url=f"https://{host}"))
        return {str(e["uid"]) for e in vevents(ical)}

    assert uids("eventhub.boras.se") == uids("forum.example.org")


def test_ical_js_reads_every_calendar_of_three_years_in_one_process(client, app, make_event, make_item, tmp_path):
    """ical.js (Thunderbird's and Nextcloud's parser), in one Node process: the event, the programme and a
    personal feed of three years, each after the others, at the times and UIDs we wrote."""
    node = shutil.which("node")
    if node is None:
        require_or_skip("Node.js is not installed, so the ical.js reading is skipped")
    slugs = events_of_three_years(make_event, make_item)
    files, expected = [], {}
    for number, slug in enumerate(slugs):
        with app.app_context():
            register(slug, f"person{number}@example.se", mode="digital")
        token = _token_for(app, f"person{number}@example.se")
        for path in (f"/events/{slug}/event.ics", f"/events/{slug}/programme.ics", f"/r/{token}/calendar.ics"):
            ical, _, text = parse_both(client.get(path))
            file = tmp_path / f"{number}-{path.rsplit('/', 1)[1]}-{len(files)}.ics"
            file.write_text(text, encoding="utf-8")
            files.append(str(file))
            for vevent in vevents(ical):
                expected[(str(file), str(vevent["uid"]))] = vevent.decoded("dtstart").astimezone(UTC)
    output = subprocess.run([node, str(Path(__file__).with_name("icaljs_read.mjs")), *files, *files],
                            capture_output=True, text=True, timeout=60, check=True).stdout
    rows = [json.loads(line) for line in output.splitlines()]
    assert len(rows) == 2 * len(expected)
    for row in rows:
        start = datetime.fromisoformat(row["start"].replace("Z", "+00:00"))
        assert start == expected[(row["file"], row["uid"])], row
        assert row["method"] == "PUBLISH" and row["status"] == "CONFIRMED"
