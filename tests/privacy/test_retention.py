"""Retention that runs by itself (eventhub.privacy.retention and ``flask privacy purge``), with a frozen clock."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from eventhub.attendees import statistics
from eventhub.extensions import db
from eventhub.groups import services as group_services
from eventhub.groups.models import GroupMembership
from eventhub.mail.models import OutboxMessage
from eventhub.privacy import retention, services
from eventhub.privacy.models import EventPrivacy
from eventhub.registration.models import Registration
from tests.privacy.conftest import ENDED
from tests.privacy.support import audit, backdated, consents, registered, row, token_of, with_answers
from tests.registration.support import KEYS, add_group_session, count, event_by_slug, outbox

BEFORE = ENDED - timedelta(days=2)  # when people registered for the past event


def _purge(now, dry_run=False):
    return retention.purge(now, KEYS, dry_run=dry_run)


def test_special_answers_stay_until_the_last_minute_and_go_at_thirty_days(app_ctx, past):
    person = with_answers(past, "anna@example.se", now=BEFORE)
    plain = registered(past, "bo@example.se", now=BEFORE)

    report = _purge(ENDED + timedelta(days=29, hours=23, minutes=59))
    assert report.events == []
    assert row(person).dietary_needs == "Vegan, celiaki"

    report = _purge(ENDED + timedelta(days=30))
    assert (report.special_deleted, report.anonymised) == (1, 0)
    kept = row(person)
    assert (kept.dietary_needs, kept.accessibility_needs, kept.special_consent_at) == ("", "", None)
    # Everything else is still there: the registration is not anonymised yet.
    assert (kept.name, kept.email, kept.photo_consent, kept.anonymised_at) == ("Anna Svensson", "anna@example.se",
                                                                               True, None)
    assert row(plain).name == "Anna Svensson"


def test_registrations_are_anonymised_at_365_days_not_a_minute_before(app_ctx, past):
    people = [with_answers(past, "anna@example.se", now=BEFORE), registered(past, "bo@example.se", now=BEFORE)]
    almost = ENDED + timedelta(days=364, hours=23, minutes=59)

    report = _purge(almost)
    assert (report.special_deleted, report.anonymised) == (1, 0)  # the 30 days are long over
    assert row(people[1]).email == "bo@example.se"

    report = _purge(ENDED + timedelta(days=365))
    assert (report.special_deleted, report.anonymised) == (0, 2)
    for registration_id in people:
        gone = row(registration_id)
        assert gone.name == f"#{registration_id}"
        assert (gone.email, gone.organisation, gone.role_title) == (None, "", "")
        assert (gone.dietary_needs, gone.accessibility_needs, gone.special_consent_at, gone.photo_consent) == \
            ("", "", None, False)
        assert gone.anonymised_at == ENDED + timedelta(days=365)


def test_each_event_uses_its_own_periods(app_ctx, past, make_event):
    strict = make_event(starts_at=ENDED - timedelta(hours=3))
    db.session.add(EventPrivacy(event_id=event_by_slug(strict).id, special_retention_days=0, anonymise_after_days=7))
    db.session.commit()
    lenient = with_answers(past, "anna@example.se", now=BEFORE)
    quick = with_answers(strict, "anna@example.se", now=BEFORE)

    report = _purge(ENDED)  # the moment the strict event ended
    assert [(item.slug, item.special_deleted, item.anonymised) for item in report.events] == [(strict, 1, 0)]
    assert row(quick).dietary_needs == "" and row(lenient).dietary_needs == "Vegan, celiaki"

    report = _purge(ENDED + timedelta(days=7))
    assert [(item.slug, item.anonymised) for item in report.events] == [(strict, 1)]
    assert row(quick).email is None and row(lenient).email == "anna@example.se"


def test_a_second_run_changes_nothing_and_logs_nothing(app_ctx, past):
    backdated(past, 5, BEFORE)
    later = ENDED + timedelta(days=400)
    first = _purge(later)
    assert (first.special_deleted, first.anonymised) == (5, 5)
    entries = [(entry.action, entry.details["rows"], entry.user_id) for entry in audit(past)]
    assert entries == [("privacy.special_category_deleted", 5, None), ("privacy.anonymised", 5, None)]
    snapshot = [(r.id, r.name, r.token_hash, r.updated_at) for r in
                db.session.scalars(select(Registration).order_by(Registration.id))]

    second = _purge(later + timedelta(days=1))
    assert second.events == [] and (second.special_deleted, second.anonymised) == (0, 0)
    db.session.expire_all()
    assert [(r.id, r.name, r.token_hash, r.updated_at) for r in
            db.session.scalars(select(Registration).order_by(Registration.id))] == snapshot
    assert len(audit(past)) == 2  # decided: a run that purges nothing writes no audit entry


def test_audit_entries_count_without_personal_data(app_ctx, past):
    backdated(past, 3, BEFORE)
    _purge(ENDED + timedelta(days=365))
    entries = audit(past)
    assert [entry.details for entry in entries] == [{"rows": 3, "days": 30},
                                                    {"rows": 3, "days": 365, "reason": "retention"}]
    text = " ".join(f"{entry.summary} {entry.details}" for entry in entries)
    for personal in ("Old 0", "old0@example.se", "Vegetarisk", "Hörslinga", "Borås Stad", "Samordnare"):
        assert personal not in text


def test_dry_run_counts_and_changes_nothing(app_ctx, past):
    backdated(past, 4, BEFORE)
    report = _purge(ENDED + timedelta(days=365), dry_run=True)
    assert (report.special_deleted, report.anonymised) == (4, 4)
    assert count(Registration, Registration.anonymised_at.is_not(None)) == 0
    assert count(Registration, Registration.dietary_needs != "") == 4
    assert audit(past) == []


def test_future_and_running_events_are_never_touched(app_ctx, upcoming):
    person = with_answers(upcoming, "anna@example.se")
    event = event_by_slug(upcoming)
    report = _purge(event.ends_at - timedelta(minutes=1))
    assert report.events == []
    assert row(person).dietary_needs == "Vegan, celiaki"


def test_anonymised_rows_keep_what_statistics_count(app_ctx, past):
    groups = add_group_session(past, [("Grupp A", "on_site", 5)])
    people = [registered(past, f"p{i}@example.se", mode, now=BEFORE, sector=sector)
              for i, (mode, sector) in enumerate([("on_site", "public"), ("on_site", "business"),
                                                  ("digital", "academia")])]
    event = event_by_slug(past)
    event.group_choice_open = True
    db.session.commit()
    group_services.choose(people[0], groups[0], BEFORE, KEYS)
    db.session.get(Registration, people[1]).checked_in_at = ENDED - timedelta(hours=3)
    db.session.commit()
    before = statistics.for_event(event_by_slug(past))

    _purge(ENDED + timedelta(days=365))

    db.session.expire_all()
    after = statistics.for_event(event_by_slug(past))
    assert after == before
    assert [(m.mode, m.confirmed) for m in after.modes] == [("on_site", 2), ("digital", 1)]
    assert {s.sector: s.confirmed for s in after.sectors if s.confirmed} == {"public": 1, "business": 1,
                                                                             "academia": 1}
    assert after.groups[0].confirmed == 1
    assert count(GroupMembership, GroupMembership.registration_id == people[0]) == 1
    assert row(people[1]).checked_in_at is not None


def test_anonymising_deletes_emails_consents_and_the_link(app, client, past):
    with app.app_context():
        person = with_answers(past, "anna@example.se", now=BEFORE)
        other = registered(past, "bo@example.se", now=BEFORE)
        token = token_of(person)
        assert outbox("anna@example.se") and consents(person)
        _purge(ENDED + timedelta(days=365))
        assert outbox("anna@example.se") == [] and consents(person) == []
        assert count(OutboxMessage, OutboxMessage.registration_id == other) == 0
        assert row(person).token_hash != row(other).token_hash
    assert client.get(f"/r/{token}").status_code == 404


def test_older_emails_without_a_registration_link_are_found_by_address_and_link(app_ctx, past):
    person = registered(past, "anna@example.se", now=BEFORE)
    token = token_of(person)
    db.session.execute(OutboxMessage.__table__.update().values(registration_id=None))  # as before the migration
    unrelated = OutboxMessage(to_address="anna@example.se", subject="Another event", body_text="/r/someone-else")
    db.session.add(unrelated)
    db.session.commit()
    assert any(f"/r/{token}" in message.body_text for message in outbox("anna@example.se"))

    _purge(ENDED + timedelta(days=365))
    assert [message.subject for message in outbox("anna@example.se")] == ["Another event"]


def test_the_address_can_register_again_after_anonymising(app_ctx, past):
    """Anonymised rows have no email, so the (event, email) uniqueness never blocks anyone."""
    backdated(past, 2, BEFORE)
    services.anonymise_event(event_by_slug(past).id, None, ENDED + timedelta(days=1), KEYS)
    assert count(Registration, Registration.email.is_(None)) == 2
    event = event_by_slug(past)
    db.session.add(Registration(event_id=event.id, name="Ny", email="old0@example.se", mode="on_site",
                                status="confirmed", privacy_accepted_at=ENDED, token_salt="x", token_hash="y" * 64))
    db.session.commit()


@pytest.mark.parametrize("flag", ["--dry-run", None])
def test_flask_privacy_purge_command(app, runner, past, flag):
    with app.app_context():
        backdated(past, 3, BEFORE)
    later = (ENDED + timedelta(days=365)).isoformat()
    args = ["privacy", "purge", "--now", later] + ([flag] if flag else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    if flag:
        assert f"would purge {past}: special-category answers of 3 registrations, 3 registrations anonymised" \
            in result.output
        assert "dry run: 3 special-category deletions, 3 anonymisations in 1 event" in result.output
        return
    assert f"purged {past}" in result.output
    again = runner.invoke(args=["privacy", "purge", "--now", later])
    assert again.exit_code == 0
    assert again.output.strip() == "0 special-category deletions, 0 anonymisations in 0 events"
    assert "old0" not in result.output + again.output


def test_purge_command_refuses_a_bad_time(runner):
    result = runner.invoke(args=["privacy", "purge", "--now", "tomorrow"])
    assert result.exit_code == 2
    assert "ISO 8601" in result.output
