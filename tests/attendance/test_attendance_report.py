"""Who took part, one rule everywhere: the report's figures, the attendee list's filters and columns, the
mailing's audiences and the statistics select the same people."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from eventhub.attendance import services as attendance
from eventhub.attendees import segments
from eventhub.attendees.services import Filters
from eventhub.mailings import services as mailings
from tests.attendance.support import AFTER, STARTS, import_sample, rows_of
from tests.registration.support import event_by_slug

ROW = re.compile(r'<th scope="row"[^>]*>.*?<a href="/manage/events/[^/]+/attendees/\d+">([^<]*)</a>', re.S)


@pytest.fixture
def reported(app, forum):
    """The forum after its Teams report is imported and Frasse matched by hand to Fredrik."""
    with app.app_context():
        outcome = import_sample(forum.slug, "teams_attendance_report.csv")
        frasse = next(row for row in rows_of(forum.slug) if row.name == "Frasse")
        attendance.match_by_hand(event_by_slug(forum.slug).id, outcome.import_id, frasse.id, forum.ids["Fredrik"],
                                 None)
    return forum


def _tally(tally: attendance.Tally) -> tuple[int, ...]:
    return tally.registered, tally.on_site, tally.online, tally.attended, tally.no_show, tally.minutes


def test_the_report_counts_everyone_with_a_place_by_mode_and_by_sector(app, reported):
    with app.app_context():
        result = attendance.report(event_by_slug(reported.slug).id)

    # with a place, at the door, online, took part, did not come, minutes
    assert _tally(result.total) == (8, 2, 5, 6, 2, 162 + 115 + 150)
    assert {mode: _tally(tally) for mode, tally in result.by_mode} == {
        "on_site": (3, 2, 1, 2, 1, 0),  # Zäta came to the door and watched online too: counted once
        "digital": (5, 0, 4, 4, 1, 427),  # Cecilia used her link (no minutes), Fredrik was matched by hand
    }
    assert {sector: _tally(tally) for sector, tally in result.by_sector} == {
        "business": (2, 0, 2, 2, 0, 265), "academia": (2, 2, 1, 2, 0, 0), "public": (2, 0, 1, 1, 1, 162),
        "non_profit": (1, 0, 1, 1, 0, 0), "other": (1, 0, 0, 0, 1, 0)}
    assert (result.unmatched, result.cancelled, result.waitlisted) == (2, 1, 0)  # Ulla and the guest; Ylva


def test_the_reports_people_are_in_swedish_name_order_with_their_times(app, reported):
    with app.app_context():
        people = attendance.report(event_by_slug(reported.slug).id).people

    assert [person.name for person in people] == ["Bengt Bäck", "Cecilia Ström", "Dan Dahl", "Eva Ek",
                                                  "Fredrik Fält", "Zäta Zetterlund", "Åsa Öberg", "Örjan Ärlig"]
    asa = people[6]
    cecilia = people[1]
    assert (asa.online.first_at, asa.online.last_at, asa.online.minutes) == (
        STARTS + timedelta(minutes=1, seconds=10), STARTS + timedelta(hours=2, minutes=58), 162)
    assert (cecilia.online.first_at, cecilia.online.minutes) == (STARTS + timedelta(minutes=2), None)
    assert people[0].checked_in_at == STARTS - timedelta(minutes=10) and people[0].online is None


def test_the_join_link_and_the_report_together_give_the_first_and_last_time_online(app, reported):
    """Åsa used her link at 08:59 too, and again at 12:10, after the report's last leave."""
    from sqlalchemy import update

    from eventhub.extensions import db
    from eventhub.registration.models import Registration

    with app.app_context():
        db.session.execute(update(Registration).where(Registration.id == reported.ids["Åsa"]).values(
            first_joined_at=STARTS - timedelta(minutes=1), last_joined_at=STARTS + timedelta(hours=3, minutes=10)))
        db.session.commit()
        person = db.session.get(Registration, reported.ids["Åsa"])
        online = attendance.online_of(person.event_id, [person])[person.id]

    assert (online.first_at, online.last_at, online.minutes) == (
        STARTS - timedelta(minutes=1), STARTS + timedelta(hours=3, minutes=10), 162)


WHO = [
    ("attended_on_site", "yes", {"Bengt Bäck", "Zäta Zetterlund"}),
    ("attended_online", "online", {"Åsa Öberg", "Örjan Ärlig", "Cecilia Ström", "Fredrik Fält", "Zäta Zetterlund"}),
    ("no_show", "no_show", {"Dan Dahl", "Eva Ek"}),
]


@pytest.mark.parametrize(("segment", "arrived", "expected"), WHO, ids=[segment for segment, _a, _e in WHO])
def test_the_list_the_mailing_and_the_report_select_the_same_people(app, client, reported, segment, arrived,
                                                                     expected):
    from tests.attendees.support import sign_in, staff_member

    staff_member(app, reported.slug, "olle@example.se", "organiser")
    sign_in(client, "olle@example.se")
    page = client.get(f"/manage/events/{reported.slug}/attendees", query_string={"arrived": arrived})
    listed = {html.unescape(name) for name in ROW.findall(page.get_data(as_text=True))}
    with app.app_context():
        event_id = event_by_slug(reported.slug).id
        emailed = {person.name for person in mailings.recipients(event_id, segment)}
        people = attendance.report(event_id).people
    by_report = {person.name for person in people if {"yes": person.on_site, "online": person.online_attended,
                                                      "no_show": not person.attended}[arrived]}

    assert listed == emailed == by_report == expected
    assert Filters.for_segment(segment).query_args() == {"arrived": arrived}


def test_the_mailing_offers_who_took_part_only_once_the_event_has_begun(app, reported):
    with app.app_context():
        event = event_by_slug(reported.slug)
        before = mailings.audience_choices(event, STARTS - timedelta(minutes=1))
        after = mailings.audience_choices(event, AFTER)

    assert not {segments.ATTENDED_ON_SITE, segments.ATTENDED_ONLINE, segments.NO_SHOW} & set(before)
    assert after[-3:] == [segments.ATTENDED_ON_SITE, segments.ATTENDED_ONLINE, segments.NO_SHOW]


def test_the_statistics_count_imported_attendance_as_joined(app, reported):
    with app.app_context():
        figures = attendance.day_figures(event_by_slug(reported.slug).id)

    assert figures == {"on_site_expected": 3, "checked_in": 2, "digital_expected": 5, "digital_joined": 4,
                       "no_show": 2}


def test_the_attendee_list_shows_when_each_came(app, client, reported):
    from tests.attendees.support import sign_in, staff_member

    staff_member(app, reported.slug, "olle@example.se", "organiser")
    sign_in(client, "olle@example.se")
    body = client.get(f"/manage/events/{reported.slug}/attendees").get_data(as_text=True)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())

    assert "Incheckad 08:50" in text  # Bengt, in Stockholm time
    assert "Digitalt från 09:01, 162 minuter" in text  # Åsa, from the report
    assert "Digitalt från 09:02" in text  # Cecilia, by her link, without minutes
    assert '<option value="no_show"' in body and '<option value="online"' in body


def test_the_report_page_shows_the_figures_and_the_downloads(app, client, reported):
    from tests.attendees.support import sign_in, staff_member

    staff_member(app, reported.slug, "olle@example.se", "organiser")
    sign_in(client, "olle@example.se")
    response = client.get(f"/manage/events/{reported.slug}/attendance")
    body = response.get_data(as_text=True)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())

    assert response.status_code == 200
    assert "Tiderna anges i centraleuropeisk normaltid, UTC+1 (Europe/Stockholm)." in text
    assert "Digitalt 5 0 4 4 1 427" in text and "Totalt 8 2 5 6 2 427" in text
    for download in ("attendance.xlsx", "attendance.pdf", "attendance-excel.csv", "attendance.csv",
                     "signature-list.pdf"):
        assert f"/manage/events/{reported.slug}/{download}" in body
    assert "2 inte kopplade" in text  # the import with its people still to match
