"""A group chosen while on the event's waitlist is kept as a wish and honoured when the person gets a seat."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup
from eventhub.registration import services
from eventhub.registration.models import Registration
from tests.registration.support import (
    KEYS,
    add_group_session,
    csrf_of,
    event_by_slug,
    fresh,
    memberships,
    outbox,
    page_text,
    post_registration,
    register,
    token_for,
)

NOW = datetime.now(UTC)


def test_a_wish_made_on_the_waitlist_becomes_a_group_place_when_someone_cancels(app, client, make_event):
    slug = make_event(on_site_seats=1, group_choice_open=True)
    with app.app_context():
        [group] = add_group_session(slug, [("Cirkulär ekonomi", "on_site", 5)])
    post_registration(client, slug, email="first@example.se")
    post_registration(client, slug, email="wish@example.se", name="Vera Väntan", group=str(group))

    with app.app_context():
        waiting = services.find_by_token(token_for(app, "wish@example.se"))
        assert waiting.is_waitlisted and waiting.group_wish_id == group
        assert "Cirkulär ekonomi" in outbox("wish@example.se")[-1].body_text
    token = token_for(app, "wish@example.se")
    personal_page = page_text(client.get(f"/r/{token}?lang=en"))
    assert "Your group wish: Cirkulär ekonomi" in personal_page

    first = token_for(app, "first@example.se")
    client.post(f"/r/{first}/cancel", data={"csrf_token": csrf_of(client, f"/r/{first}/cancel")})

    with app.app_context():
        promoted = fresh(Registration, waiting.id)
        assert promoted.is_confirmed and promoted.group_wish_id is None
        assert [m.registration_id for m in memberships(group, "confirmed")] == [promoted.id]
        assert fresh(DiscussionGroup, group).taken == 1
        email = outbox("wish@example.se")[-1]
        assert email.subject.startswith("Du har fått en plats")
        assert 'Du har också en plats i samtalsgruppen "Cirkulär ekonomi"' in email.body_text
    assert "Cirkulär ekonomi" in page_text(client.get(f"/r/{token}?lang=en"))


SEAT_FREED = {
    "a place frees up": lambda slug, waiting: services.cancel(_by_email(slug, "cia@example.se"), NOW, KEYS),
    "the organiser gives one": lambda slug, waiting: services.promote(waiting, NOW, KEYS, override=True),
}


def _by_email(slug, email) -> int:
    return db.session.scalar(select(Registration.id).where(Registration.event_id == event_by_slug(slug).id,
                                                           Registration.email == email))


@pytest.mark.parametrize("seat_freed", list(SEAT_FREED), ids=list(SEAT_FREED))
def test_a_wished_group_full_by_then_gives_its_waitlist_and_the_email_says_so(app_ctx, make_event, seat_freed):
    slug = make_event(on_site_seats=2, group_choice_open=True)
    [group] = add_group_session(slug, [("Liten grupp", "on_site", 1)])
    register(slug, "anna@example.se", group_id=group)  # takes the group's only place
    register(slug, "cia@example.se")
    waiting = register(slug, "bert@example.se", group_id=group).registration.id

    SEAT_FREED[seat_freed](slug, waiting)

    assert fresh(Registration, waiting).is_confirmed
    assert [m.registration_id for m in memberships(group, "waitlisted")] == [waiting]
    assert 'Samtalsgruppen "Liten grupp" som du valde är full, så du står på dess reservlista.' in \
        outbox("bert@example.se")[-1].body_text


def test_a_wished_group_no_longer_open_to_the_persons_mode_is_not_given_and_the_email_says_so(app_ctx, make_event):
    slug = make_event(on_site_seats=1, group_choice_open=True, on_site_may_join_digital_groups=True)
    [group] = add_group_session(slug, [("Digital grupp", "digital", 5)])
    first = register(slug, "anna@example.se").registration.id
    waiting = register(slug, "bert@example.se", group_id=group).registration.id
    event_by_slug(slug).on_site_may_join_digital_groups = False
    db.session.commit()

    services.cancel(first, NOW, KEYS)

    assert fresh(Registration, waiting).is_confirmed and fresh(Registration, waiting).group_wish_id is None
    assert memberships(group) == []
    body = outbox("bert@example.se")[-1].body_text
    assert 'Samtalsgruppen "Digital grupp" som du valde är inte öppen för ditt sätt att delta' in body
    assert "Du kan välja en annan grupp på din sida." in body


def test_a_waitlisted_person_who_changes_mode_is_told_their_wished_group_does_not_fit(app_ctx, make_event):
    slug = make_event(on_site_seats=1, digital_seats=5, group_choice_open=True)
    [group] = add_group_session(slug, [("På plats", "on_site", 5)])
    register(slug, "anna@example.se")
    waiting = register(slug, "bert@example.se", group_id=group).registration.id

    services.change_mode(waiting, "digital", NOW, KEYS)

    assert fresh(Registration, waiting).is_confirmed and memberships(group) == []
    assert 'Samtalsgruppen "På plats" som du valde är inte öppen' in outbox("bert@example.se")[-1].body_text


@pytest.mark.parametrize("gone", ["the person cancels", "the group is deleted"])
def test_a_wish_is_forgotten_when_the_person_cancels_or_the_group_is_deleted(app_ctx, make_event, gone):
    slug = make_event(on_site_seats=1, group_choice_open=True)
    [group] = add_group_session(slug, [("På plats", "on_site", 5)])
    first = register(slug, "anna@example.se").registration.id
    waiting = register(slug, "bert@example.se", group_id=group).registration.id
    if gone == "the person cancels":
        services.cancel(waiting, NOW, KEYS)
    else:
        db.session.delete(db.session.get(DiscussionGroup, group))
        db.session.commit()

    assert fresh(Registration, waiting).group_wish_id is None
    services.cancel(first, NOW, KEYS)
    assert memberships(group) == []


def test_a_person_with_a_seat_at_once_gets_the_group_and_no_wish(app_ctx, make_event):
    slug = make_event(on_site_seats=1, group_choice_open=True)
    [group] = add_group_session(slug, [("På plats", "on_site", 5)])
    anna = register(slug, "anna@example.se", group_id=group).registration.id
    assert fresh(Registration, anna).group_wish_id is None
    assert [m.registration_id for m in memberships(group, "confirmed")] == [anna]
