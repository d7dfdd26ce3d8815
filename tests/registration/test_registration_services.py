"""The registration rules, called directly (eventhub.registration.services), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups import services as groups
from eventhub.groups.models import DiscussionGroup
from eventhub.mail import services as mail
from eventhub.mail.models import OutboxMessage
from eventhub.registration import emails, errors, services, tokens
from eventhub.registration.models import Registration
from tests.registration.support import (
    KEYS,
    add_group_session,
    count,
    event_by_slug,
    fresh,
    manage_token_from,
    memberships,
    outbox,
    register,
    register_many,
    registrations,
)

NOW = datetime.now(UTC)
SUBJECT_CONFIRMED_SV = "Du är anmäld: Forumträff"


def _event(slug) -> Event:
    db.session.expire_all()
    return event_by_slug(slug)


def _subjects(email) -> list[str]:
    return [message.subject for message in outbox(email)]


# --- registering ---------------------------------------------------------------------------------


def test_register_on_site_confirmed_takes_seat_and_queues_swedish_email(app_ctx, hybrid):
    result = register(hybrid, "anna@example.se", "on_site")

    registration = fresh(Registration, result.registration.id)
    assert result.created is True
    assert registration.status == "confirmed"
    assert registration.mode == "on_site"
    assert registration.confirmed_at is not None and registration.waitlisted_at is None
    event = _event(hybrid)
    assert (event.on_site_taken, event.digital_taken) == (1, 0)
    [message] = outbox("anna@example.se")
    assert message.subject == SUBJECT_CONFIRMED_SV
    assert message.body_text.startswith("Hej Anna Svensson!")
    assert message.attachment_type == "image/png" and message.attachment_name == "biljett.png"


def test_register_digital_confirmed_takes_digital_seat_and_queues_english_email(app_ctx, hybrid):
    result = register(hybrid, "ben@example.se", "digital", language="en", name="Ben Smith")

    assert fresh(Registration, result.registration.id).status == "confirmed"
    event = _event(hybrid)
    assert (event.on_site_taken, event.digital_taken) == (0, 1)
    [message] = outbox("ben@example.se")
    assert message.subject == "You are registered: Forumträff"
    assert message.body_text.startswith("Hello Ben Smith,")
    assert message.attachment_bytes() is None  # no door ticket for digital participants


def test_register_email_trimmed_and_lower_cased(app_ctx, hybrid):
    result = register(hybrid, "  Anna.Svensson@Example.SE \n")

    assert fresh(Registration, result.registration.id).email == "anna.svensson@example.se"
    assert [m.to_address for m in outbox()] == ["anna.svensson@example.se"]


def test_register_duplicate_email_returns_existing_and_queues_manage_link(app_ctx, hybrid):
    first = register(hybrid, "anna@example.se")
    second = register(hybrid, " ANNA@example.se", "digital", name="Someone Else")

    assert second.created is False
    assert second.registration.id == first.registration.id
    assert len(registrations(hybrid)) == 1
    registration = fresh(Registration, first.registration.id)
    assert (registration.name, registration.mode) == ("Anna Svensson", "on_site")  # nothing changed
    event = _event(hybrid)
    assert (event.on_site_taken, event.digital_taken) == (1, 0)
    confirmation, again = outbox("anna@example.se")
    assert again.subject == "Din anmälningslänk: Forumträff"
    assert manage_token_from(again.body_text) == manage_token_from(confirmation.body_text)


def test_register_after_cancelling_registers_again_with_new_ticket(app_ctx, hybrid):
    first = register(hybrid, "anna@example.se")
    services.cancel(first.registration.id, NOW, KEYS)
    again = register(hybrid, "anna@example.se", "digital")

    assert again.created is True
    assert again.registration.id == first.registration.id
    registration = fresh(Registration, first.registration.id)
    assert (registration.status, registration.mode, registration.cancelled_at) == ("confirmed", "digital", None)
    assert registration.ticket_version == 3  # bumped by the cancel and by the new registration
    event = _event(hybrid)
    assert (event.on_site_taken, event.digital_taken) == (0, 1)


def test_register_mode_not_offered_raises(app_ctx, make_event):
    slug = make_event(format="on_site", on_site_seats=10)

    with pytest.raises(errors.ModeNotOffered):
        register(slug, "anna@example.se", "digital")
    with pytest.raises(errors.ModeNotOffered):
        register(slug, "anna@example.se", "hologram")
    db.session.rollback()
    assert count(Registration) == 0
    assert count(OutboxMessage) == 0
    assert _event(slug).digital_taken == 0


@pytest.mark.parametrize(("overrides", "reason"), [
    ({"registration_opens_at": NOW + timedelta(days=1)}, "not_open_yet"),
    ({"registration_closes_at": NOW - timedelta(minutes=1)}, "closed"),
    ({"status": "cancelled"}, "cancelled"),
    ({"starts_at": NOW - timedelta(days=2)}, "past"),
])
def test_register_outside_window_raises_registration_closed(app_ctx, make_event, overrides, reason):
    values = {"on_site_seats": 10, "registration_opens_at": NOW - timedelta(days=10)}
    values.update(overrides)
    slug = make_event(**values)

    with pytest.raises(errors.RegistrationClosed) as raised:
        register(slug, "anna@example.se")
    assert raised.value.reason == reason
    db.session.rollback()
    assert count(Registration) == 0
    assert count(OutboxMessage) == 0


def test_registration_state_open_between_opening_and_closing(app_ctx, make_event):
    slug = make_event(registration_opens_at=NOW - timedelta(days=1), registration_closes_at=NOW + timedelta(days=1))
    event = _event(slug)

    assert services.registration_state(event, NOW) == "open"
    assert services.registration_state(event, NOW - timedelta(days=2)) == "not_open_yet"
    assert services.registration_state(event, NOW + timedelta(days=1)) == "closed"


def test_register_full_mode_waitlists_in_arrival_order(app_ctx, hybrid):
    ids = register_many(hybrid, 5, "on_site")

    statuses = [fresh(Registration, rid).status for rid in ids]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    event = _event(hybrid)
    assert (event.on_site_taken, event.digital_taken) == (2, 0)
    assert _subjects("person002@example.se") == ["Du står på reservlistan: Forumträff"]
    waitlist = [r.id for r in registrations(hybrid, "waitlisted")]
    by_time = sorted(waitlist, key=lambda rid: fresh(Registration, rid).waitlisted_at)
    assert by_time == ids[2:]
    # The other mode's seats are untouched by a full on-site mode.
    assert register(hybrid, "digital@example.se", "digital").registration.status == "confirmed"


def test_register_unlimited_seats_never_waitlists(app_ctx, make_event):
    slug = make_event(on_site_seats=None)

    ids = register_many(slug, 4)

    assert {fresh(Registration, rid).status for rid in ids} == {"confirmed"}
    assert _event(slug).on_site_taken == 4


def test_register_zero_seats_waitlists_first_person(app_ctx, make_event):
    slug = make_event(on_site_seats=0)

    result = register(slug, "anna@example.se")

    assert fresh(Registration, result.registration.id).status == "waitlisted"
    assert _event(slug).on_site_taken == 0


def test_register_special_answers_without_consent_not_stored(app_ctx, hybrid):
    result = register(hybrid, "anna@example.se", dietary_needs="Glutenfritt", accessibility_needs="Rullstol",
                      special_consent=False)

    registration = fresh(Registration, result.registration.id)
    assert (registration.dietary_needs, registration.accessibility_needs) == ("", "")
    assert registration.special_consent_at is None


def test_register_special_answers_with_consent_stored(app_ctx, hybrid):
    result = register(hybrid, "anna@example.se", dietary_needs=" Glutenfritt ", special_consent=True)

    registration = fresh(Registration, result.registration.id)
    assert registration.dietary_needs == "Glutenfritt"
    assert registration.special_consent_at is not None


def test_update_special_answers_withdrawn_consent_erases_answers(app_ctx, hybrid):
    result = register(hybrid, "anna@example.se", dietary_needs="Vegan", special_consent=True)

    services.update_special_answers(result.registration.id, "Vegan", "Hörslinga", False, NOW)

    registration = fresh(Registration, result.registration.id)
    assert (registration.dietary_needs, registration.accessibility_needs) == ("", "")
    assert registration.special_consent_at is None


def test_db_refuses_special_answers_without_consent(app_ctx, hybrid):
    result = register(hybrid, "anna@example.se")

    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE registration SET dietary_needs = 'Vegan' WHERE id = :id"),
                           {"id": result.registration.id})
        db.session.flush()
    db.session.rollback()


# --- cancelling and the waitlist -------------------------------------------------------------------


def test_cancel_confirmed_promotes_first_waitlisted_of_same_mode(make_event, app_ctx):
    slug = make_event(on_site_seats=1, digital_seats=1)
    start = NOW - timedelta(hours=1)
    anna = register(slug, "anna@example.se", "on_site", now=start).registration.id
    register(slug, "dora@example.se", "digital", now=start + timedelta(seconds=1))
    bert = register(slug, "bert@example.se", "digital", now=start + timedelta(seconds=2)).registration.id
    cleo = register(slug, "cleo@example.se", "on_site", now=start + timedelta(seconds=3)).registration.id
    erik = register(slug, "erik@example.se", "on_site", now=start + timedelta(seconds=4)).registration.id

    services.cancel(anna, NOW, KEYS)

    assert fresh(Registration, anna).status == "cancelled"
    assert fresh(Registration, cleo).status == "confirmed"
    assert fresh(Registration, erik).status == "waitlisted"
    assert fresh(Registration, bert).status == "waitlisted"  # waited longer, but for the other mode
    event = _event(slug)
    assert (event.on_site_taken, event.digital_taken) == (1, 1)
    assert _subjects("cleo@example.se")[-1] == "Du har fått en plats: Forumträff"
    promoted = outbox("cleo@example.se")[-1]
    assert promoted.attachment_type == "image/png"  # the promoted on-site person gets a ticket
    # They were registered all along (on the waitlist): the email says they got a place, not that they
    # are "now registered".
    assert "Goda nyheter: en plats på Forumträff har blivit ledig, och den är din." in promoted.body_text
    assert "nu anmäld" not in promoted.body_text
    assert _subjects("anna@example.se")[-1] == "Avanmäld: Forumträff"
    assert len(outbox("erik@example.se")) == len(outbox("bert@example.se")) == 1


def test_cancel_waitlisted_frees_no_seat(app_ctx, make_event):
    slug = make_event(on_site_seats=1)
    first, second, third = register_many(slug, 3)

    services.cancel(second, NOW, KEYS)

    assert [fresh(Registration, rid).status for rid in (first, second, third)] == [
        "confirmed", "cancelled", "waitlisted"]
    assert _event(slug).on_site_taken == 1


def test_cancel_twice_raises_already_cancelled(app_ctx, hybrid):
    rid = register(hybrid, "anna@example.se").registration.id
    services.cancel(rid, NOW, KEYS)

    with pytest.raises(errors.AlreadyCancelled):
        services.cancel(rid, NOW, KEYS)
    assert _event(hybrid).on_site_taken == 0
    assert _subjects("anna@example.se").count("Avanmäld: Forumträff") == 1


def test_cancel_bumps_ticket_version(app_ctx, hybrid):
    rid = register(hybrid, "anna@example.se").registration.id
    before = fresh(Registration, rid).ticket_version

    services.cancel(rid, NOW, KEYS)

    assert fresh(Registration, rid).ticket_version == before + 1


# --- changing mode ---------------------------------------------------------------------------------


def test_change_mode_moves_seat_and_promotes_old_modes_waitlist(app_ctx, make_event):
    slug = make_event(on_site_seats=1, digital_seats=1)
    anna, bert = register_many(slug, 2, "on_site")
    version = fresh(Registration, anna).ticket_version

    services.change_mode(anna, "digital", NOW, KEYS)

    registration = fresh(Registration, anna)
    assert (registration.mode, registration.status) == ("digital", "confirmed")
    assert registration.ticket_version == version + 1
    assert fresh(Registration, bert).status == "confirmed"
    event = _event(slug)
    assert (event.on_site_taken, event.digital_taken) == (1, 1)
    assert _subjects(registration.email)[-1] == "Din anmälan är ändrad: Forumträff"
    assert _subjects(fresh(Registration, bert).email)[-1] == "Du har fått en plats: Forumträff"


def test_change_mode_to_full_mode_raises_and_keeps_registration(app_ctx, make_event):
    slug = make_event(on_site_seats=5, digital_seats=1)
    register(slug, "dora@example.se", "digital")
    anna = register(slug, "anna@example.se", "on_site").registration.id
    version = fresh(Registration, anna).ticket_version

    with pytest.raises(errors.NoSeatsLeft) as raised:
        services.change_mode(anna, "digital", NOW, KEYS)

    assert raised.value.mode == "digital"
    registration = fresh(Registration, anna)
    assert (registration.mode, registration.status, registration.ticket_version) == ("on_site", "confirmed", version)
    event = _event(slug)
    assert (event.on_site_taken, event.digital_taken) == (1, 1)
    assert len(outbox("anna@example.se")) == 1


def test_change_mode_waitlisted_person_gets_free_seat_in_other_mode(app_ctx, make_event):
    slug = make_event(on_site_seats=1, digital_seats=1)
    register(slug, "anna@example.se", "on_site")
    bert = register(slug, "bert@example.se", "on_site").registration.id

    services.change_mode(bert, "digital", NOW, KEYS)

    registration = fresh(Registration, bert)
    assert (registration.mode, registration.status, registration.waitlisted_at) == ("digital", "confirmed", None)
    event = _event(slug)
    assert (event.on_site_taken, event.digital_taken) == (1, 1)


def test_change_mode_not_offered_raises(app_ctx, make_event):
    slug = make_event(format="on_site")
    rid = register(slug, "anna@example.se").registration.id

    with pytest.raises(errors.ModeNotOffered):
        services.change_mode(rid, "digital", NOW, KEYS)
    assert fresh(Registration, rid).mode == "on_site"


def test_change_mode_after_registration_closed_raises(app_ctx, make_event):
    slug = make_event(registration_closes_at=NOW + timedelta(hours=1))
    rid = register(slug, "anna@example.se").registration.id

    with pytest.raises(errors.RegistrationClosed) as raised:
        services.change_mode(rid, "digital", NOW + timedelta(hours=2), KEYS)
    assert raised.value.reason == "closed"
    assert fresh(Registration, rid).mode == "on_site"


def test_change_mode_drops_group_of_old_mode_and_frees_its_seat(app_ctx, hybrid):
    [on_site_group] = add_group_session(hybrid, [("Samverkan", "on_site", 1)])
    anna = register(hybrid, "anna@example.se", "on_site").registration.id
    bert = register(hybrid, "bert@example.se", "on_site").registration.id
    groups.choose(anna, on_site_group, NOW, KEYS)
    groups.choose(bert, on_site_group, NOW, KEYS)  # group full: Bert waits

    services.change_mode(anna, "digital", NOW, KEYS)

    assert fresh(Registration, anna).memberships == []
    [membership] = memberships(on_site_group)
    assert (membership.registration_id, membership.status) == (bert, "confirmed")
    assert fresh(DiscussionGroup, on_site_group).taken == 1


def test_change_mode_to_on_site_keeps_digital_group_when_event_allows(app_ctx, make_event):
    slug = make_event(group_choice_open=True, on_site_may_join_digital_groups=True)
    [digital_group] = add_group_session(slug, [("Digital grupp", "digital", 3)])
    rid = register(slug, "anna@example.se", "digital").registration.id
    groups.choose(rid, digital_group, NOW, KEYS)

    services.change_mode(rid, "on_site", NOW, KEYS)

    assert [m.group_id for m in fresh(Registration, rid).memberships] == [digital_group]
    assert fresh(DiscussionGroup, digital_group).taken == 1


# --- the database as the backstop, and the outbox in the transaction --------------------------------


@pytest.mark.parametrize("column", ["on_site_taken", "digital_taken"])
def test_db_check_refuses_event_taken_over_seats(app_ctx, hybrid, column):
    seats = column.replace("taken", "seats")
    with pytest.raises(IntegrityError):
        db.session.execute(text(f"UPDATE event SET {column} = {seats} + 1 WHERE slug = :slug"),  # noqa: S608
                           {"slug": hybrid})
    db.session.rollback()
    assert getattr(_event(hybrid), column) == 0


def test_db_check_refuses_negative_taken(app_ctx, hybrid):
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE event SET on_site_taken = -1 WHERE slug = :slug"), {"slug": hybrid})
    db.session.rollback()


def test_outbox_rollback_after_queueing_leaves_no_message(app_ctx):
    mail.queue("anna@example.se", "Ämne", "Text")
    db.session.flush()
    assert count(OutboxMessage) == 1  # inside the transaction it is there

    db.session.rollback()

    assert count(OutboxMessage) == 0


def test_register_failing_after_email_queued_leaves_nothing(app_ctx, hybrid, monkeypatch):
    real_send = emails.send

    def queue_then_fail(*args, **kwargs):
        real_send(*args, **kwargs)
        db.session.flush()
        raise RuntimeError("the process died here")

    monkeypatch.setattr(services.emails, "send", queue_then_fail)
    with pytest.raises(RuntimeError):
        register(hybrid, "anna@example.se")
    db.session.rollback()

    assert count(OutboxMessage) == 0
    assert count(Registration) == 0
    assert _event(hybrid).on_site_taken == 0


def test_find_by_token_finds_registration_and_refuses_others(app_ctx, hybrid):
    rid = register(hybrid, "anna@example.se").registration.id
    registration = fresh(Registration, rid)
    token = tokens.manage_token(KEYS, registration.token_salt)

    assert services.find_by_token(token).id == rid
    assert services.find_by_token(token[:-1]) is None
    assert services.find_by_token("") is None
    assert services.find_by_token("x" * 65) is None
