"""Organiser operations on registrations: the seat rules hold, overrides raise limits by one and are logged."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventhub.attendees import operations
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import GroupMembership
from eventhub.registration import errors
from eventhub.registration.models import Registration
from tests.attendees.support import (
    audit_actions,
    audit_entries,
    counters,
    group_counters,
    staff_member,
)
from tests.registration.support import (
    KEYS,
    add_group_session,
    event_by_slug,
    fresh,
    memberships,
    outbox,
    person,
    register,
    register_many,
)

NOW = datetime.now(UTC)


@pytest.fixture
def actor(app, hybrid):
    return staff_member(app, hybrid, "organiser@example.se", "organiser")


def attendee_actions(slug):
    return [action for action in audit_actions(slug) if action.startswith("attendees.")]


def test_change_mode_into_a_full_mode_is_refused_and_leaves_nothing(app, hybrid, actor):
    with app.app_context():
        anna, _bert, _cia, _dan = (register(hybrid, email, mode).registration.id for email, mode in (
            ("anna@example.se", "on_site"), ("bert@example.se", "on_site"),
            ("cia@example.se", "digital"), ("dan@example.se", "digital")))
        event_id = event_by_slug(hybrid).id
        before = counters(hybrid)
        with pytest.raises(errors.NoSeatsLeft):
            operations.change_mode(event_id, anna, "digital", actor, NOW, KEYS)
        assert counters(hybrid) == before
        assert fresh(Registration, anna).mode == "on_site"
        assert attendee_actions(hybrid) == []


def test_change_mode_with_override_raises_the_limit_by_one_and_logs_it(app, hybrid, actor):
    with app.app_context():
        anna = register(hybrid, "anna@example.se", "on_site").registration.id
        register(hybrid, "bert@example.se", "on_site")
        waiting = register(hybrid, "wait@example.se", "on_site").registration.id  # on-site waitlist
        register_many(hybrid, 2, mode="digital")
        event_id = event_by_slug(hybrid).id
        mails_to_anna = len(outbox("anna@example.se"))

        outcome = operations.change_mode(event_id, anna, "digital", actor, NOW, KEYS, override=True)

        assert [(r.what, r.seats) for r in outcome.raised] == [("digital", 3)]
        assert fresh(Registration, anna).mode == "digital" and fresh(Registration, anna).status == "confirmed"
        # The freed on-site seat went to the waitlist at once.
        assert fresh(Registration, waiting).status == "confirmed"
        assert counters(hybrid) == {"on_site_taken": 2, "on_site_seats": 2, "digital_taken": 3, "digital_seats": 3,
                                    "on_site_confirmed": 2, "digital_confirmed": 3}
        assert attendee_actions(hybrid) == ["attendees.seat_limit_raised", "attendees.mode_changed"]
        raised = audit_entries(hybrid, "attendees.seat_limit_raised")[0]
        assert raised.details["seats_before"] == 2 and raised.details["seats"] == 3
        assert raised.user_id == actor
        assert len(outbox("anna@example.se")) == mails_to_anna + 1  # told about the move


def test_change_mode_by_organiser_works_after_registration_closed(app, make_event):
    slug = make_event(on_site_seats=5, digital_seats=5,
                      registration_closes_at=datetime.now(UTC) + timedelta(hours=1))
    actor = staff_member(app, slug, "organiser@example.se", "organiser")
    with app.app_context():
        anna = register(slug, "anna@example.se").registration.id
        event = event_by_slug(slug)
        event.registration_closes_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
        operations.change_mode(event.id, anna, "digital", actor, datetime.now(UTC), KEYS)
        assert fresh(Registration, anna).mode == "digital"


def test_override_with_a_free_seat_raises_nothing(app, hybrid, actor):
    with app.app_context():
        anna = register(hybrid, "anna@example.se").registration.id
        outcome = operations.change_mode(event_by_slug(hybrid).id, anna, "digital", actor, NOW, KEYS,
                                         override=True)
        assert outcome.raised == []
        assert counters(hybrid)["digital_seats"] == 2
        assert attendee_actions(hybrid) == ["attendees.mode_changed"]


def test_promote_out_of_order_needs_a_seat_or_the_override(app, hybrid, actor):
    with app.app_context():
        register_many(hybrid, 2)
        first_waiting, second_waiting = register_many(hybrid, 2, prefix="waiting")
        event_id = event_by_slug(hybrid).id

        with pytest.raises(errors.NoSeatsLeft):
            operations.promote(event_id, second_waiting, actor, NOW, KEYS)
        assert fresh(Registration, second_waiting).status == "waitlisted"

        outcome = operations.promote(event_id, second_waiting, actor, NOW, KEYS, override=True)
        assert [(r.what, r.seats) for r in outcome.raised] == [("on_site", 3)]
        assert fresh(Registration, second_waiting).status == "confirmed"
        assert fresh(Registration, first_waiting).status == "waitlisted"  # jumped over, on purpose
        assert counters(hybrid)["on_site_taken"] == 3 == counters(hybrid)["on_site_confirmed"]
        assert [m.to_address for m in outbox() if "waiting001" in m.to_address][-1] == "waiting001@example.se"
        assert attendee_actions(hybrid) == ["attendees.seat_limit_raised", "attendees.promoted"]


def test_promote_with_a_free_seat_skips_the_queue_without_override(app, hybrid, actor):
    with app.app_context():
        register_many(hybrid, 2)
        first_waiting, second_waiting = register_many(hybrid, 2, prefix="waiting")
        event = event_by_slug(hybrid)
        event.on_site_seats = 3  # set directly: nobody has been moved up yet
        db.session.commit()
        outcome = operations.promote(event.id, second_waiting, actor, NOW, KEYS)
        assert outcome.raised == []
        assert fresh(Registration, second_waiting).status == "confirmed"
        assert fresh(Registration, first_waiting).status == "waitlisted"
        assert counters(hybrid)["on_site_seats"] == 3


def test_promote_someone_not_waitlisted_is_refused(app, hybrid, actor):
    with app.app_context():
        anna = register(hybrid, "anna@example.se").registration.id
        with pytest.raises(errors.NotWaitlisted):
            operations.promote(event_by_slug(hybrid).id, anna, actor, NOW, KEYS, override=True)
        assert counters(hybrid)["on_site_seats"] == 2
        assert attendee_actions(hybrid) == []


def test_cancel_releases_the_seat_to_the_waitlist_and_is_logged(app, hybrid, actor):
    with app.app_context():
        anna, _bert = register_many(hybrid, 2)
        (waiting,) = register_many(hybrid, 1, prefix="waiting")
        operations.cancel_registration(event_by_slug(hybrid).id, anna, actor, NOW, KEYS)
        assert fresh(Registration, anna).status == "cancelled"
        assert fresh(Registration, waiting).status == "confirmed"
        assert counters(hybrid)["on_site_taken"] == 2 == counters(hybrid)["on_site_confirmed"]
        entry = audit_entries(hybrid, "attendees.cancelled")[0]
        assert entry.details == {"registration_id": anna, "previous_status": "confirmed"}
        with pytest.raises(errors.AlreadyCancelled):
            operations.cancel_registration(event_by_slug(hybrid).id, anna, actor, NOW, KEYS)
        assert len(audit_entries(hybrid, "attendees.cancelled")) == 1


def test_an_id_from_another_event_is_not_found(app, hybrid, make_event, actor):
    other = make_event()
    with app.app_context():
        stranger = register(other, "stranger@example.se").registration.id
        with pytest.raises(operations.NotFound):
            operations.cancel_registration(event_by_slug(hybrid).id, stranger, actor, NOW, KEYS)
        assert fresh(Registration, stranger).status == "confirmed"


def test_update_details_logs_which_fields_changed_not_their_values(app, hybrid, actor):
    with app.app_context():
        anna = register(hybrid, "anna@example.se").registration.id
        operations.update_details(event_by_slug(hybrid).id, anna, operations.Details(
            name="Anna Ärlig", organisation="Borås Stad", role_title="Chef", sector="public", language="en"), actor)
        row = fresh(Registration, anna)
        assert (row.name, row.organisation, row.role_title, row.sector, row.language) == (
            "Anna Ärlig", "Borås Stad", "Chef", "public", "en")
        entry = audit_entries(hybrid, "attendees.updated")[0]
        assert entry.details["fields"] == ["language", "name", "organisation", "role_title", "sector"]
        assert "Ärlig" not in entry.summary and "Borås" not in entry.summary
        with pytest.raises(operations.InvalidChoice):
            operations.update_details(event_by_slug(hybrid).id, anna, operations.Details(name="A", sector="x"), actor)


def test_place_in_group_full_means_waitlist_unless_override(app, hybrid, actor):
    with app.app_context():
        small, other = add_group_session(hybrid, [("Liten", "on_site", 1), ("Annan", "on_site", 5)])
        anna, bert = register_many(hybrid, 2)
        event_id = event_by_slug(hybrid).id
        assert operations.place_in_group(event_id, anna, small, actor, KEYS).membership.status == "confirmed"
        assert operations.place_in_group(event_id, bert, small, actor, KEYS).membership.status == "waitlisted"
        assert group_counters(small) == (1, 1)

        outcome = operations.place_in_group(event_id, bert, small, actor, KEYS, override=True)
        assert outcome.membership.status == "confirmed"
        assert [(r.what, r.seats) for r in outcome.raised] == [("Liten", 2)]
        assert group_counters(small) == (2, 2)
        assert len(memberships(small, "confirmed")) == 2

        # Moving to another group of the same session frees the seat in the first.
        operations.place_in_group(event_id, anna, other, actor, KEYS)
        assert group_counters(small) == (1, 2)
        assert group_counters(other) == (1, 5)
        assert [m.group_id for m in fresh(Registration, anna).memberships] == [other]
        assert "attendees.group_limit_raised" in attendee_actions(hybrid)


def test_place_in_group_needs_an_event_seat_and_the_right_mode(app, hybrid, actor):
    with app.app_context():
        on_site_group, digital_group = add_group_session(hybrid, [("Rum", "on_site", 5), ("Zoom", "digital", 5)])
        register_many(hybrid, 2)
        (waiting,) = register_many(hybrid, 1, prefix="waiting")
        digital = register(hybrid, "cia@example.se", "digital").registration.id
        event_id = event_by_slug(hybrid).id
        with pytest.raises(groups.NeedsSeatFirst):
            operations.place_in_group(event_id, waiting, on_site_group, actor, KEYS)
        with pytest.raises(groups.GroupNotAllowed):
            operations.place_in_group(event_id, digital, on_site_group, actor, KEYS)
        assert operations.place_in_group(event_id, digital, digital_group, actor, KEYS).membership.status == "confirmed"


def test_place_in_group_of_another_event_is_refused(app, hybrid, make_event, actor):
    other = make_event()
    with app.app_context():
        (foreign,) = add_group_session(other, [("Annat", "on_site", 5)])
        anna = register(hybrid, "anna@example.se").registration.id
        with pytest.raises(groups.GroupNotAllowed):
            operations.place_in_group(event_by_slug(hybrid).id, anna, foreign, actor, KEYS)
        assert group_counters(foreign) == (0, 5)


def test_remove_from_group_frees_the_seat_for_its_waitlist(app, hybrid, actor):
    with app.app_context():
        (small,) = add_group_session(hybrid, [("Liten", "on_site", 1)])
        anna, bert = register_many(hybrid, 2)
        event_id = event_by_slug(hybrid).id
        operations.place_in_group(event_id, anna, small, actor, KEYS)
        operations.place_in_group(event_id, bert, small, actor, KEYS)
        operations.remove_from_group(event_id, anna, small, actor, KEYS)
        assert db.session.scalar(select(GroupMembership.status).where(GroupMembership.registration_id == bert)) \
            == "confirmed"
        assert group_counters(small) == (1, 1)
        with pytest.raises(operations.NotFound):
            operations.remove_from_group(event_id, anna, small, actor, KEYS)


def test_add_by_hand_outside_the_window_with_email_and_group(app, make_event):
    slug = make_event(on_site_seats=1, digital_seats=1, group_choice_open=False,
                      registration_opens_at=datetime.now(UTC) + timedelta(days=3))
    actor = staff_member(app, slug, "organiser@example.se", "organiser")
    with app.app_context():
        (group,) = add_group_session(slug, [("Rum", "on_site", 3)])
        event_id = event_by_slug(slug).id
        outcome = operations.add_registration(event_id, person("walkin@example.se", group_id=group,
                                                               privacy_accepted=True), actor, NOW, KEYS)
        assert outcome.registration.status == "confirmed" and outcome.membership.status == "confirmed"
        assert [m.to_address for m in outbox()] == ["walkin@example.se"]
        entry = audit_entries(slug, "attendees.added")[0]
        assert entry.details["registration_id"] == outcome.registration.id
        assert "walkin" not in entry.summary

        # Full: the waitlist, unless the organiser overrides.
        assert operations.add_registration(event_id, person("second@example.se"), actor, NOW,
                                           KEYS).registration.status == "waitlisted"
        third = operations.add_registration(event_id, person("third@example.se"), actor, NOW, KEYS, override=True)
        assert third.registration.status == "confirmed"
        assert [(r.what, r.seats) for r in third.raised] == [("on_site", 2)]
        assert counters(slug)["on_site_taken"] == 2 == counters(slug)["on_site_confirmed"]


def test_add_by_hand_an_address_already_registered_names_the_registration(app, hybrid, actor):
    with app.app_context():
        anna = register(hybrid, "anna@example.se").registration.id
        mails = len(outbox())
        with pytest.raises(errors.AlreadyRegistered) as caught:
            operations.add_registration(event_by_slug(hybrid).id, person(" Anna@Example.se "), actor, NOW, KEYS)
        assert caught.value.registration_id == anna
        assert len(outbox()) == mails  # no email to the existing registration
        assert attendee_actions(hybrid) == []


def test_add_by_hand_to_a_cancelled_event_is_refused(app, hybrid, actor):
    with app.app_context():
        event = event_by_slug(hybrid)
        event.status = "cancelled"
        db.session.commit()
        with pytest.raises(errors.RegistrationClosed):
            operations.add_registration(event.id, person("late@example.se"), actor, NOW, KEYS)
