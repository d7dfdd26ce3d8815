"""The statistics page against known data: per mode, per sector, per group; tables as the text of the charts."""
from __future__ import annotations

import re

from eventhub.attendees import statistics
from tests.attendees.support import seed_registrations
from tests.registration.support import add_group_session, event_by_slug, register, register_many


def known_data(slug):
    """On site (2 seats): 2 confirmed, 2 waitlisted, 1 cancelled. Digital (2 seats): 1 confirmed, 1 cancelled."""
    from eventhub.registration import services
    from tests.registration.support import KEYS, NOW

    room, _zoom = add_group_session(slug, [("Rum A", "on_site", 1), ("Zoom", "digital", None)])
    anna = register(slug, "anna@example.se", sector="public", group_id=room).registration.id
    register(slug, "bert@example.se", sector="academia", group_id=room)  # group full: its waitlist
    register_many(slug, 2, prefix="waiting")  # sector business
    gone = register(slug, "gone@example.se").registration.id
    register(slug, "dora@example.se", "digital", sector="non_profit")
    left = register(slug, "left@example.se", "digital").registration.id
    # Cancel one waitlisted person on site, and one digital: nobody is promoted into those.
    services.cancel(register_many(slug, 1, prefix="late")[0], NOW, KEYS)
    services.cancel(left, NOW, KEYS)
    return anna, gone


def test_figures_per_mode_sector_and_group(app, hybrid):
    with app.app_context():
        known_data(hybrid)
        stats = statistics.for_event(event_by_slug(hybrid))
    on_site, digital = stats.modes
    assert (on_site.mode, on_site.confirmed, on_site.waitlisted, on_site.cancelled, on_site.seats) == (
        "on_site", 2, 3, 1, 2)
    assert (digital.mode, digital.confirmed, digital.waitlisted, digital.cancelled, digital.seats) == (
        "digital", 1, 0, 1, 2)
    assert stats.registered == 6
    by_sector = {row.sector: (row.confirmed, row.waitlisted) for row in stats.sectors}
    assert by_sector == {"business": (0, 3), "academia": (1, 0), "public": (1, 0), "non_profit": (1, 0),
                         "other": (0, 0)}
    room, zoom = stats.groups
    assert (room.title, room.confirmed, room.waitlisted, room.seats, room.session) == ("Rum A", 1, 1, 1,
                                                                                      "Gruppsamtal")
    assert (zoom.title, zoom.confirmed, zoom.waitlisted, zoom.seats) == ("Zoom", 0, 0, None)


def cells(body: str, caption_id: str) -> list[list[str]]:
    table = re.search(rf'<caption id="{caption_id}">.*?</table>', body, re.DOTALL).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in rows]


def test_page_shows_the_figures_as_tables_and_bars(app, signed_in):
    from datetime import UTC, datetime

    from sqlalchemy import select

    from eventhub.checkin import services as checkin
    from eventhub.extensions import db
    from eventhub.registration.models import Registration

    with app.app_context():
        known_data(signed_in.slug)
        arrived = db.session.scalars(select(Registration).where(
            Registration.mode == "on_site", Registration.status == "confirmed")).first()
        checkin.check_in_registration(arrived.event_id, arrived.id, None, "statistics-nonce-1", datetime.now(UTC))
    response = signed_in.client.get(f"/manage/events/{signed_in.slug}/statistics?lang=en")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert cells(body, "modes-caption") == [
        ["Taking part", "Confirmed", "Waitlisted", "Cancelled", "Places"],
        ["On site", "2", "3", "1", "2"],
        ["Digital", "1", "0", "1", "2"],
    ]
    assert ["Business", "0", "3", "3"] in cells(body, "sectors-caption")
    assert cells(body, "groups-caption")[1:] == [["Rum A", "Gruppsamtal", "On site", "1", "1", "1"],
                                                 ["Zoom", "Gruppsamtal", "Digital", "0", "0", "No limit"]]
    assert "6 people are registered" in body
    # Bars are inline SVG hidden from screen readers (the tables say the same); no scripts.
    assert '<svg class="bar-chart"' in body and 'aria-hidden="true" focusable="false"' in body
    assert not re.search(r'<script(?! src="/static/js/forms\.js")', body)  # none but the site's form helper
    # Arrivals come from check-in; the no-show rate waits until the event is over.
    text = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    assert "Checked in at the door 1 of 2" in text
    assert "Joined digitally 0 of 1" in text
    assert "No-show rate Shown after the event" in text


def test_page_is_fine_with_no_registrations_or_groups(signed_in):
    response = signed_in.client.get(f"/manage/events/{signed_in.slug}/statistics?lang=en")
    assert response.status_code == 200
    assert "This event has no discussion groups." in response.get_data(as_text=True)


def test_statistics_cost_the_same_queries_whatever_the_size(app, signed_in, count_queries):
    with app.app_context():
        add_group_session(signed_in.slug, [("Rum A", "on_site", 10)])
        seed_registrations(signed_in.slug, 10)
    url = f"/manage/events/{signed_in.slug}/statistics"
    signed_in.client.get(url)
    with count_queries() as small:
        signed_in.client.get(url)
    with app.app_context():
        seed_registrations(signed_in.slug, 300, prefix="more", mode="digital", status="waitlisted")
    with count_queries() as large:
        response = signed_in.client.get(url + "?lang=en")
    assert len(small) == len(large)
    assert ["Digital", "5", "300", "0", "2"] in cells(response.get_data(as_text=True), "modes-caption")
