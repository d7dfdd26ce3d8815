"""Discussion groups in a group session and the event's group choice, through the organiser's pages."""
from __future__ import annotations

from sqlalchemy import select

from eventhub import keyring
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupMembership
from eventhub.programme import operations
from eventhub.programme.models import Person
from tests.programme.conftest import audit_actions, event_by_slug
from tests.registration.support import register


def _group_form(title="Samverkan för social hållbarhet", mode="on_site", seats="", place="Sal B", join_url="",
                description="", person="", name="", prefix="group") -> dict:
    values = dict(title=title, mode=mode, seats=seats, place=place, join_url=join_url, description=description,
                  person=person, new_name=name, new_title="", new_organisation="")
    return {f"{prefix}-{key}": value for key, value in values.items()}


def _session(agenda) -> int:
    return agenda.add_item(title="Gruppsamtal med sakkunniga", kind="group_session", starts="15:00", ends="15:35")


def _add_group(agenda, item_id, **fields) -> int:
    response = agenda.post(f"/items/{item_id}/groups", _group_form(**fields), prefix="group")
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("#group-", 1)[1])


def _group(app, group_id):
    with app.app_context():
        group = db.session.get(DiscussionGroup, group_id)
        return None if group is None else dict(
            title=group.title, mode=group.mode, seats=group.seats, place=group.place, join_url=group.join_url,
            leaders=[leader.person.name for leader in group.leaders], taken=group.taken)


def _open_choice(app, slug):
    with app.app_context():
        event_by_slug(slug).group_choice_open = True
        db.session.commit()


def test_add_groups_with_a_leader_new_or_from_the_directory(app, agenda):
    item_id = _session(agenda)
    with app.app_context():
        db.session.add(Person(name="Elisabeth Ek", title="Samtalsledare", organisation="Arbetsförmedlingen"))
        db.session.commit()
        elisabeth = db.session.scalar(select(Person.id).where(Person.name == "Elisabeth Ek"))
    on_site = _add_group(agenda, item_id, seats="12", person=str(elisabeth))
    digital = _add_group(agenda, item_id, title="Digitalt samtal", mode="digital", place="",
                         join_url="https://meet.example.se/grupp-2", name="Patrik Zapata")
    unlimited = _add_group(agenda, item_id, title="Utan ledare", place="")
    assert _group(app, on_site) | {} == dict(title="Samverkan för social hållbarhet", mode="on_site", seats=12,
                                             place="Sal B", join_url=None, leaders=["Elisabeth Ek"], taken=0)
    assert _group(app, digital)["join_url"] == "https://meet.example.se/grupp-2"
    assert _group(app, digital)["leaders"] == ["Patrik Zapata"]
    assert _group(app, unlimited)["seats"] is None and _group(app, unlimited)["leaders"] == []
    with app.app_context():
        assert audit_actions(agenda.slug).count("programme.group_added") == 3
    page = agenda.get(f"/items/{item_id}?lang=en").get_data(as_text=True)
    assert "0 of 12 places taken" in page and "0 places taken, no limit" in page
    programme = agenda.get("/?lang=en").get_data(as_text=True)
    assert "Samverkan för social hållbarhet" in programme
    assert "meet.example.se" not in programme  # join links stay off the overview


def test_group_form_errors_keep_what_was_typed(app, agenda):
    item_id = _session(agenda)
    response = agenda.post(f"/items/{item_id}/groups?lang=en",
                           _group_form(title="", seats="-3", join_url="javascript:alert(1)", place="Rum 4"),
                           prefix="group")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a topic." in page and "Enter a number from 0 upwards." in page
    assert "Enter a full link starting with https://." in page
    assert 'value="Rum 4"' in page and 'value="-3"' in page
    response = agenda.post(f"/items/{item_id}/groups?lang=en", _group_form(mode="in_the_garden"), prefix="group")
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(DiscussionGroup.id)) is None


def test_groups_belong_to_group_sessions_only(app, agenda):
    talk = agenda.add_item(title="Föredrag")
    response = agenda.post(f"/items/{talk}/groups?lang=en", _group_form(), prefix="group")
    assert response.status_code == 422
    assert "Discussion groups belong to an item of the kind group session." in response.get_data(as_text=True)
    assert "Add a discussion group" not in agenda.get(f"/items/{talk}?lang=en").get_data(as_text=True)


def test_a_group_session_with_groups_keeps_its_kind(app, agenda):
    from tests.programme.conftest import item_form

    item_id = _session(agenda)
    _add_group(agenda, item_id)
    response = agenda.post(f"/items/{item_id}?lang=en", item_form(title="Nu ett föredrag", kind="talk",
                                                                  starts="15:00", ends="15:35", prefix="item"),
                           prefix="item")
    assert response.status_code == 422
    assert "This group session has discussion groups." in response.get_data(as_text=True)


def test_edit_group_and_its_leaders(app, agenda):
    item_id = _session(agenda)
    group_id = _add_group(agenda, item_id, seats="10")
    page = agenda.get(f"/groups/{group_id}?lang=en").get_data(as_text=True)
    assert 'value="Samverkan för social hållbarhet"' in page and 'value="10"' in page
    response = agenda.post(f"/groups/{group_id}", _group_form(title="Ny rubrik", seats="8", place="Sal C"),
                           prefix="group")
    assert response.status_code == 303
    assert _group(app, group_id)["title"] == "Ny rubrik" and _group(app, group_id)["seats"] == 8
    leader = {"leader-person": "", "leader-new_name": "Ziyad Ali", "leader-new_title": "",
              "leader-new_organisation": "SGN"}
    assert agenda.post(f"/groups/{group_id}/leaders", leader, prefix="leader").status_code == 303
    assert _group(app, group_id)["leaders"] == ["Ziyad Ali"]
    with app.app_context():
        ziyad = db.session.scalar(select(Person.id).where(Person.name == "Ziyad Ali"))
    again = {"leader-person": str(ziyad), "leader-new_name": ""}
    response = agenda.post(f"/groups/{group_id}/leaders?lang=en", again, prefix="leader")
    assert response.status_code == 422 and "That person is already here." in response.get_data(as_text=True)
    with app.app_context():
        leader_id = db.session.get(DiscussionGroup, group_id).leaders[0].id
    assert agenda.post(f"/groups/{group_id}/leaders/{leader_id}/remove").status_code == 303
    assert _group(app, group_id)["leaders"] == []
    with app.app_context():
        actions = audit_actions(agenda.slug)
        assert {"programme.group_updated", "programme.leader_added", "programme.leader_removed"} <= set(actions)


def test_seat_limit_cannot_go_below_seats_taken(app, agenda):
    item_id = _session(agenda)
    group_id = _add_group(agenda, item_id, seats="3")
    _open_choice(app, agenda.slug)
    with app.app_context():
        for number in range(2):
            register(agenda.slug, f"person{number}@example.se", group_id=group_id)
    response = agenda.post(f"/groups/{group_id}?lang=en", _group_form(seats="1"), prefix="group")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "2 people already have a place in this group; the limit cannot be lower." in page
    assert 'value="1"' in page
    assert _group(app, group_id)["seats"] == 3
    assert agenda.post(f"/groups/{group_id}", _group_form(seats="2"), prefix="group").status_code == 303
    assert _group(app, group_id)["seats"] == 2


def test_seat_limit_rule_in_the_operation(app, agenda, organiser):
    item_id = _session(agenda)
    group_id = _add_group(agenda, item_id, seats="1")
    _open_choice(app, agenda.slug)
    with app.app_context():
        register(agenda.slug, "anna@example.se", group_id=group_id)
        event = event_by_slug(agenda.slug)
        data = operations.GroupData(title="G", mode="on_site", seats=0)
        try:
            operations.update_group(event.id, group_id, data, organiser, keyring.of(app))
        except operations.SeatsBelowTaken as error:
            assert error.taken == 1
        else:
            raise AssertionError("SeatsBelowTaken not raised")


def test_more_seats_move_the_group_waitlist_up(app, agenda):
    item_id = _session(agenda)
    group_id = _add_group(agenda, item_id, seats="1")
    _open_choice(app, agenda.slug)
    with app.app_context():
        register(agenda.slug, "first@example.se", group_id=group_id)
        register(agenda.slug, "second@example.se", group_id=group_id)
        statuses = sorted(db.session.scalars(select(GroupMembership.status)))
        assert statuses == ["confirmed", "waitlisted"]
    page = agenda.get(f"/groups/{group_id}?lang=en").get_data(as_text=True)
    assert "1 on the waitlist" in page
    agenda.post(f"/groups/{group_id}", _group_form(seats="2"), prefix="group")
    with app.app_context():
        assert sorted(db.session.scalars(select(GroupMembership.status))) == ["confirmed", "confirmed"]
    assert _group(app, group_id)["taken"] == 2


def test_a_group_with_members_is_not_deleted(app, agenda):
    item_id = _session(agenda)
    group_id = _add_group(agenda, item_id, seats="5")
    _open_choice(app, agenda.slug)
    with app.app_context():
        register(agenda.slug, "anna@example.se", group_id=group_id)
    page = agenda.get(f"/groups/{group_id}/delete?lang=en").get_data(as_text=True)
    assert "1 people have a place in this group and 0 are on its waitlist, so it cannot be deleted." in page
    assert "Yes, delete the group" not in page
    response = agenda.post(f"/groups/{group_id}/delete?lang=en")
    assert response.status_code == 409
    assert _group(app, group_id) is not None
    with app.app_context():
        assert db.session.scalar(select(GroupMembership.group_id)) == group_id


def test_an_empty_group_is_deleted_after_confirming(app, agenda):
    item_id = _session(agenda)
    group_id = _add_group(agenda, item_id)
    assert "Yes, delete the group" in agenda.get(f"/groups/{group_id}/delete?lang=en").get_data(as_text=True)
    response = agenda.post(f"/groups/{group_id}/delete")
    assert response.status_code == 303
    assert _group(app, group_id) is None
    with app.app_context():
        assert audit_actions(agenda.slug)[-1] == "programme.group_deleted"


def test_open_and_close_group_choice(app, agenda):
    _session(agenda)
    page = agenda.get("/?lang=en").get_data(as_text=True)
    assert "Open group choice" in page
    agenda.client.set_cookie("lang", "en")
    response = agenda.post("/group-choice", {"open": "1"}, follow_redirects=True)
    assert "Group choice is open" in response.get_data(as_text=True)
    assert "Close group choice" in response.get_data(as_text=True)
    with app.app_context():
        assert event_by_slug(agenda.slug).group_choice_open is True
    agenda.post("/group-choice", {"open": "0"})
    with app.app_context():
        assert event_by_slug(agenda.slug).group_choice_open is False
        assert audit_actions(agenda.slug)[-2:] == ["event.group_choice_opened", "event.group_choice_closed"]
