"""The event form's time-zone list: real IANA zones, Stockholm first, no aliases; an old alias still loads."""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from eventhub.events.forms import canonical_zones
from tests.attendees.support import sign_in, staff_member

OPTION = re.compile(r'<option (?:selected )?value="([^"]+)"(?: selected)?>')


def zone_options(body: str) -> list[str]:
    select = body.split('id="timezone"', 1)[1].split("</select>", 1)[0]
    return OPTION.findall(select)


def test_the_list_starts_with_the_nordic_zones_and_every_name_loads():
    zones = canonical_zones()
    assert zones[:5] == ("Europe/Stockholm", "Europe/Helsinki", "Europe/Oslo", "Europe/Copenhagen", "UTC")
    assert len(zones) == len(set(zones)) > 300
    for zone in zones:
        ZoneInfo(zone)


@pytest.mark.parametrize("alias", ["US/Eastern", "Etc/GMT+3", "Singapore", "Europe/Kiev", "Asia/Calcutta", "GB"])
def test_aliases_are_not_offered(alias):
    assert alias not in canonical_zones()


@pytest.mark.parametrize("zone", ["Asia/Singapore", "America/New_York", "Europe/Kyiv", "Asia/Kolkata"])
def test_the_zones_behind_the_aliases_are(zone):
    assert zone in canonical_zones()


def test_the_new_event_form_offers_the_canonical_zones(app, client):
    staff_member(app, None, "organiser@example.se", "organiser")
    sign_in(client, "organiser@example.se")
    options = zone_options(client.get("/manage/events/new").get_data(as_text=True))
    assert options == list(canonical_zones())


def test_an_event_saved_with_an_alias_still_opens_its_form_with_that_zone(app, client, make_event):
    slug = make_event(timezone="US/Eastern")
    staff_member(app, slug, "organiser@example.se", "organiser")
    sign_in(client, "organiser@example.se")
    response = client.get(f"/manage/events/{slug}/edit")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "US/Eastern" in zone_options(body)
    assert re.search(r'<option (selected )?value="US/Eastern"( selected)?>', body).group(0).count("selected") == 1


SKIPPED = {"sv": "Den tiden finns inte den dagen", "en": "That time does not exist on that day"}
OUT_OF_RANGE = {"sv": "Ange ett datum mellan åren 1900 och 2200", "en": "Enter a date between the years 1900 and 2200"}


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("field", ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"])
@pytest.mark.parametrize(("typed", "message"), [
    ("2027-03-28T02:30", SKIPPED),  # 02:00 becomes 03:00 in Stockholm
    ("0001-01-01T00:30", OUT_OF_RANGE),  # before year 1 in UTC: Python cannot hold it (was a 500)
    ("9999-12-31T23:30", OUT_OF_RANGE),
])
def test_a_time_the_clocks_skip_is_refused_with_a_message_and_keeps_what_was_typed(app, client, make_event,
                                                                                    field, language, typed, message):
    """A time that does not exist, or that no calendar could hold, is a form error, not a 500."""
    slug = make_event(status="draft", title="Nattforum")
    staff_member(app, slug, "organiser@example.se", "organiser")
    sign_in(client, "organiser@example.se")
    form = client.get(f"/manage/events/{slug}/edit?lang={language}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    values = {"csrf_token": token, "title": "Nattforum", "format": "hybrid", "timezone": "Europe/Stockholm",
              "language": "sv", "starts_at": "2027-03-28T01:00", "ends_at": "2027-03-28T05:00",
              "controller_name": "Borås Stad", "retention_days": "30", "special_retention_days": "7"}
    values[field] = typed
    response = client.post(f"/manage/events/{slug}/edit?lang={language}", data=values)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message[language] in body
    assert f'value="{typed}"' in body  # what was typed stays in the field


@pytest.mark.parametrize("zone", ["Europe", "x" * 300, "../../etc/passwd", "Europe/Stockholm\u2028", ""])
def test_a_time_zone_not_on_the_list_is_a_form_error(app, client, zone):
    """Found by tests/test_fuzz_inputs.py: a directory's name or a name too long for a file was a 500."""
    staff_member(app, None, "organiser@example.se", "organiser")
    sign_in(client, "organiser@example.se")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                      client.get("/manage/events/new").get_data(as_text=True)).group(1)

    response = client.post("/manage/events/new", data={
        "csrf_token": token, "title": "Forumträff", "format": "hybrid", "timezone": zone, "language": "sv",
        "starts_at": "2027-03-14T10:00", "ends_at": "2027-03-14T12:00"})

    assert response.status_code == 422
    assert "Välj en tidszon i listan" in response.get_data(as_text=True)
