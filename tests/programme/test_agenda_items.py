"""The agenda builder's programme items through the organiser's pages: who may see them, add, edit,
delete, reorder, times in the event's zone, bad input kept with its message, audit and content version.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from eventhub.accounts import services as accounts
from eventhub.extensions import db
from eventhub.programme.forms import ItemForm
from eventhub.programme.models import CancelledProgrammeItem, ProgrammeItem
from tests.programme.conftest import (
    CSRF,
    DAY,
    START,
    audit_actions,
    event_by_slug,
    item_form,
    make_user,
    sign_in,
)
from tests.registration.support import add_group_session, register

OLD = datetime(2020, 1, 1, tzinfo=UTC)


def _age_event(app, slug):
    """Set the event's content version back, so a change can be seen to bump it."""
    with app.app_context():
        event = event_by_slug(slug)
        db.session.execute(update(type(event)).where(type(event).id == event.id).values(updated_at=OLD))
        db.session.commit()


def _updated_at(app, slug):
    with app.app_context():
        return event_by_slug(slug).updated_at


def _titles(app, slug):
    with app.app_context():
        event = event_by_slug(slug)
        return [item.title for item in db.session.scalars(
            select(ProgrammeItem).where(ProgrammeItem.event_id == event.id)
            .order_by(ProgrammeItem.starts_at, ProgrammeItem.position, ProgrammeItem.id))]


# --- who may use the agenda builder ---------------------------------------------------------

def test_anonymous_visitor_is_sent_to_sign_in(client, event_slug):
    response = client.get(f"/manage/events/{event_slug}/programme/")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_door_host_of_the_event_gets_403(app, client, event_slug):
    with app.app_context():
        host = make_user("vera@example.se", role="host", name="Vera Värd")
        accounts.add_staff(event_by_slug(event_slug).id, host, "host", None)
        db.session.commit()
    sign_in(client, "vera@example.se")
    assert client.get(f"/manage/events/{event_slug}/programme/").status_code == 403
    token = CSRF.search(client.get(f"/events/{event_slug}").get_data(as_text=True)).group(1)
    response = client.post(f"/manage/events/{event_slug}/programme/items",
                           data={"csrf_token": token, **item_form()})
    assert response.status_code == 403
    assert _titles(app, event_slug) == []


def test_another_organisers_event_is_not_found(app, client, event_slug, make_event):
    with app.app_context():
        make_user("greta@example.se", name="Greta Annan")
    sign_in(client, "greta@example.se")
    assert client.get(f"/manage/events/{event_slug}/programme/").status_code == 404
    assert client.get(f"/manage/events/{event_slug}/programme/people").status_code == 404


def test_item_of_another_event_is_not_found(app, agenda, make_event, make_item, organiser):
    other = make_event(starts_at=START)
    with app.app_context():
        accounts.add_staff(event_by_slug(other).id, organiser, "organiser", None)  # the organiser's own, even
        db.session.commit()
    foreign = make_item(other, title="Elsewhere")
    [group_id] = _group_session(app, other)
    assert agenda.get(f"/items/{foreign}").status_code == 404
    assert agenda.get(f"/items/{foreign}/delete").status_code == 404
    assert agenda.post(f"/items/{foreign}/move", {"direction": "up"}).status_code == 404
    assert agenda.post(f"/items/{foreign}", item_form(prefix="item"), prefix="item").status_code == 404
    assert agenda.get(f"/groups/{group_id}").status_code == 404
    assert agenda.post(f"/groups/{group_id}/delete").status_code == 404
    assert agenda.get("/items/999999").status_code == 404
    assert agenda.get(f"/items/{10**20}").status_code == 404  # beyond PostgreSQL's integer
    assert agenda.get(f"/groups/{10**20}/delete").status_code == 404
    assert agenda.get(f"/people/{10**20}").status_code == 404
    assert _titles(app, other) == ["Elsewhere", "Gruppsamtal"]


def _group_session(app, slug, groups=(("Grupp", "on_site", 5),)):
    with app.app_context():
        return add_group_session(slug, list(groups))


def test_programme_is_in_the_event_navigation(agenda):
    page = agenda.client.get(f"/manage/events/{agenda.slug}?lang=en").get_data(as_text=True)
    assert f'href="/manage/events/{agenda.slug}/programme/"' in page
    assert ">Programme</a>" in page


# --- adding, editing, deleting -----------------------------------------------------------------

def test_add_item_stores_times_typed_in_the_event_zone(app, agenda):
    _age_event(app, agenda.slug)
    item_id = agenda.add_item(title="Välkommen", kind="welcome", starts="13:00", ends="13.15",
                              location="Sal A", description="Hej **alla**")
    with app.app_context():
        item = db.session.get(ProgrammeItem, item_id)
        assert item.starts_at == START  # 13:00 in Stockholm in October is 11:00 UTC
        assert item.ends_at == START + timedelta(minutes=15)
        assert (item.kind, item.audience, item.location, item.description) == ("welcome", "everyone", "Sal A",
                                                                                "Hej **alla**")
    with app.app_context():
        assert "programme.item_added" in audit_actions(agenda.slug)
    assert _updated_at(app, agenda.slug) > OLD
    page = agenda.get("/?lang=en").get_data(as_text=True)
    assert "Välkommen" in page and ">13:00</time>–<time" in page and "Everyone" in page


def test_audience_is_shown_in_words(agenda):
    agenda.add_item(title="I salen", audience="on_site", starts="13:15")
    agenda.add_item(title="På nätet", audience="digital", starts="13:15")
    page = agenda.get("/?lang=en").get_data(as_text=True)
    assert 'class="audience audience-on_site">On site<' in page
    assert 'class="audience audience-digital">Digital<' in page
    assert "In parallel, in this order:" in page


def test_item_without_end_is_allowed(app, agenda):
    item_id = agenda.add_item(title="Avrundning", kind="closing", starts="16", ends="")
    with app.app_context():
        item = db.session.get(ProgrammeItem, item_id)
        assert item.starts_at == START + timedelta(hours=3) and item.ends_at is None


def test_bad_input_comes_back_with_what_was_typed_and_422(app, agenda):
    data = item_form(title="Panel om jobb", starts="25:99", ends="klockan tre", location="Aulan")
    response = agenda.post("/items?lang=en", data, prefix="new")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a time as hours and minutes, like 13:15." in page
    assert 'value="Panel om jobb"' in page and 'value="25:99"' in page and 'value="klockan tre"' in page
    assert 'value="Aulan"' in page and 'id="error-summary"' in page
    for broken in ({"new-title": ""}, {"new-day": "not a date"}, {"new-kind": "party"}, {"new-audience": "all"},
                   {"new-starts": ""}, {"new-day": "0001-01-01"}):
        response = agenda.post("/items", {**item_form(), **broken}, prefix="new")
        assert response.status_code == 422, broken
    assert _titles(app, agenda.slug) == []


def test_end_before_start_is_refused_on_the_end_field(app, agenda):
    response = agenda.post("/items?lang=en", item_form(starts="14:00", ends="13:30"), prefix="new")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="new-ends-error">The end must be after the start.' in page
    assert _titles(app, agenda.slug) == []


def test_missing_csrf_token_saves_nothing(app, agenda):
    response = agenda.client.post(f"{agenda.base}/items", data=item_form())
    assert response.status_code == 400
    assert _titles(app, agenda.slug) == []


def test_edit_item(app, agenda):
    item_id = agenda.add_item(title="Föredrag", starts="13:30", ends="13:50")
    page = agenda.get(f"/items/{item_id}").get_data(as_text=True)
    assert 'value="Föredrag"' in page and 'value="13:30"' in page and 'value="13:50"' in page
    _age_event(app, agenda.slug)
    response = agenda.post(f"/items/{item_id}", item_form(title="Hållbar integration", kind="panel",
                                                         audience="on_site", starts="14:00", ends="14:20",
                                                         prefix="item"), prefix="item")
    assert response.status_code == 303
    with app.app_context():
        item = db.session.get(ProgrammeItem, item_id)
        assert (item.title, item.kind, item.audience) == ("Hållbar integration", "panel", "on_site")
        assert item.starts_at == START + timedelta(hours=1)
        assert item.revision > 1
        assert audit_actions(agenda.slug)[-1] == "programme.item_updated"
    assert _updated_at(app, agenda.slug) > OLD


def test_edit_with_bad_input_keeps_it(agenda):
    item_id = agenda.add_item()
    response = agenda.post(f"/items/{item_id}?lang=en", item_form(title="", starts="13:00", ends="12:00",
                                                                   prefix="item"), prefix="item")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a title." in page and 'value="12:00"' in page


def test_delete_item_asks_first_then_deletes(app, agenda):
    keep = agenda.add_item(title="Behåll")
    gone = agenda.add_item(title="Ta bort", starts="14:00", ends="14:30")
    page = agenda.get(f"/items/{gone}/delete?lang=en").get_data(as_text=True)
    assert "Yes, delete the item" in page
    _age_event(app, agenda.slug)
    response = agenda.post(f"/items/{gone}/delete")
    assert response.status_code == 303
    assert _titles(app, agenda.slug) == ["Behåll"]
    with app.app_context():
        assert db.session.get(ProgrammeItem, keep) is not None
        assert audit_actions(agenda.slug)[-1] == "programme.item_deleted"
        # The calendar feed keeps a tombstone of it (eventhub.programme.revisions).
        assert db.session.scalar(select(CancelledProgrammeItem.title).where(CancelledProgrammeItem.item_id == gone))
    assert _updated_at(app, agenda.slug) > OLD


def test_item_whose_groups_have_members_is_not_deleted(app, agenda):
    with app.app_context():
        [group_id] = add_group_session(agenda.slug, [("Samtal", "on_site", 5)])
        event = event_by_slug(agenda.slug)
        event.group_choice_open = True
        db.session.commit()
        register(agenda.slug, "anna@example.se", group_id=group_id)
        item_id = db.session.scalar(select(ProgrammeItem.id).where(ProgrammeItem.title == "Gruppsamtal"))
    page = agenda.get(f"/items/{item_id}/delete?lang=en").get_data(as_text=True)
    assert "1 person has a place" in page and "Yes, delete the item" not in page
    response = agenda.post(f"/items/{item_id}/delete")
    assert response.status_code == 409
    assert "Gruppsamtal" in _titles(app, agenda.slug)


# --- reordering items that start together -----------------------------------------------------

def test_move_up_and_down_among_items_that_start_together(app, agenda):
    first = agenda.add_item(title="A", starts="13:15", audience="on_site")
    second = agenda.add_item(title="B", starts="13:15", audience="digital")
    third = agenda.add_item(title="C", starts="13:15", audience="digital")
    agenda.add_item(title="Later", starts="14:00", ends="14:10")
    page = agenda.get("/?lang=en").get_data(as_text=True)
    assert f'id="move-up-{first}"' not in page and f'id="move-down-{first}"' in page
    assert f'id="move-down-{third}"' not in page and f'id="move-up-{third}"' in page
    assert "Move up" in page and "Move down" in page

    response = agenda.post(f"/items/{third}/move", {"direction": "up"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#move-up-{third}")
    assert _titles(app, agenda.slug) == ["A", "C", "B", "Later"]
    agenda.post(f"/items/{first}/move", {"direction": "down"})
    assert _titles(app, agenda.slug) == ["C", "A", "B", "Later"]
    # At the edge nothing changes, and the page says so.
    agenda.client.set_cookie("lang", "en")
    response = agenda.post(f"/items/{third}/move", {"direction": "up"}, follow_redirects=True)
    assert "That item cannot move further." in response.get_data(as_text=True)
    assert agenda.post(f"/items/{second}/move", {"direction": "sideways"}).status_code == 303
    assert _titles(app, agenda.slug) == ["C", "A", "B", "Later"]
    # Moved to the end, it has no "Move down" any more: the address names its "Move up" instead.
    response = agenda.post(f"/items/{first}/move", {"direction": "down"})
    assert response.headers["Location"].endswith(f"#move-up-{first}")
    assert _titles(app, agenda.slug) == ["C", "B", "A", "Later"]
    with app.app_context():
        assert audit_actions(agenda.slug).count("programme.item_moved") == 3


def test_an_item_moved_to_another_start_joins_the_end_of_that_slot(app, agenda):
    agenda.add_item(title="A", starts="13:15", audience="on_site")
    agenda.add_item(title="B", starts="13:15", audience="digital")
    moved = agenda.add_item(title="C", starts="13:45", ends="14:00", audience="digital")
    agenda.post(f"/items/{moved}", item_form(title="C", starts="13:15", audience="digital", prefix="item"),
                prefix="item")
    assert _titles(app, agenda.slug) == ["A", "B", "C"]


def test_item_form_defaults_to_the_event_day(agenda):
    page = agenda.get("/").get_data(as_text=True)
    assert f'id="new-day" name="new-day" type="date" value="{DAY}"' in page


@pytest.mark.parametrize(("event_format", "offered"), [
    ("hybrid", ["everyone", "on_site", "digital"]),
    ("on_site", ["everyone"]),
    ("digital", ["everyone"]),
])
def test_item_form_offers_only_the_audiences_the_event_has(app, make_event, event_format, offered):
    slug = make_event(format=event_format)
    with app.test_request_context(), app.app_context():
        form = ItemForm(prefix="new", meta={"csrf": False})
        form.fit_event(event_by_slug(slug))
        assert [value for value, _label in form.audience.choices] == offered
        form.fit_event(event_by_slug(slug), keep="digital")  # an item's own audience stays, to be corrected
        assert "digital" in [value for value, _label in form.audience.choices]


@pytest.mark.parametrize(("starts", "ends"), [("02:30", "04:00"), ("01:00", "02:15")])
def test_an_item_at_a_time_the_clocks_skip_is_refused_and_what_was_typed_stays(app, agenda, starts, ends):
    """Summer time begins in Stockholm on 30 March 2031: 02:00 becomes 03:00."""
    response = agenda.post("/items", item_form(title="Nattpass", day="2031-03-30", starts=starts, ends=ends),
                           prefix="new")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Den tiden finns inte den dagen" in body
    assert 'value="Nattpass"' in body and f'value="{starts}"' in body and f'value="{ends}"' in body
    assert _titles(app, agenda.slug) == []
