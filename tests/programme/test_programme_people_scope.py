"""Who may see and change whom in the shared people directory (programme.operations), and
where a change to a person is logged.

The rule as a table first (no database), then the operations on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventhub.accounts import services as accounts
from eventhub.accounts.services import ManagedEvents
from eventhub.audit.models import AuditEntry
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.groups.models import DiscussionGroup, GroupLeader
from eventhub.programme import operations
from eventhub.programme.models import ItemSpeaker, Person, ProgrammeItem
from eventhub.text import name_key

A, B, C = 1, 2, 3  # event ids in the table: the organiser manages A; B and C are someone else's
ORGANISER_OF_A = ManagedEvents(ids=frozenset({A}), organiser=True)
ORGANISER_OF_A_AND_B = ManagedEvents(ids=frozenset({A, B}), organiser=True)
ADMIN = ManagedEvents(every=True, organiser=True)
HOST = ManagedEvents()


@pytest.mark.parametrize(("shown_in", "added_in", "managed", "public", "sees", "changes"), [
    ({A}, None, ORGANISER_OF_A, set(), True, True),
    ({A, B}, None, ORGANISER_OF_A, {B}, True, False),
    ({A, B}, None, ORGANISER_OF_A_AND_B, set(), True, True),
    ({B}, None, ORGANISER_OF_A, set(), False, False),  # only B's draft shows them
    ({B}, None, ORGANISER_OF_A, {B}, True, False),  # B's public programme shows them
    ({B}, A, ORGANISER_OF_A, set(), False, False),  # where they were added no longer counts
    (set(), A, ORGANISER_OF_A, set(), True, True),
    (set(), B, ORGANISER_OF_A, set(), False, False),
    (set(), B, ORGANISER_OF_A, {B}, True, False),
    (set(), None, ORGANISER_OF_A, set(), True, True),  # belongs to no event: any organiser
    (set(), None, HOST, set(), False, False),
    ({B, C}, None, ADMIN, set(), True, True),
], ids=["own", "shared-public", "shared-managed", "draft-elsewhere", "public-elsewhere", "moved-elsewhere",
        "added-here", "added-in-a-draft-elsewhere", "added-in-a-public-event", "nobodys", "host", "admin"])
def test_who_sees_and_changes_a_person(shown_in, added_in, managed, public, sees, changes):
    scope = operations.Reach(managed=managed, public=frozenset(public),
                             showing={7: frozenset(shown_in)} if shown_in else {}, added_in={7: added_in})
    assert (scope.may_see(7), scope.may_change(7)) == (sees, changes)


@pytest.mark.parametrize(("one", "other", "same"), [
    ("Berit Müllerström", "berit  mullerstrom", True),
    ("Åsa Öberg", "ASA OBERG", True),
    (" Lars Larsson ", "Lars Larsson", True),
    ("Lars Larsson", "Lars Larsen", False),
])
def test_names_are_the_same_whatever_the_case_accents_and_spaces(one, other, same):
    assert (name_key(one) == name_key(other)) is same


# --- on the database ---------------------------------------------------------------------------

START = datetime(2030, 10, 20, 11, 0, tzinfo=UTC)


@pytest.fixture
def world(app_ctx):
    """Two organisers: Olle runs A, Karin runs B (a draft) and C; Lars speaks in A and B."""
    now = datetime.now(UTC)
    olle, _ = accounts.create_user("olle@example.se", "Olle", "organiser", now, password="a-long-password")
    karin, _ = accounts.create_user("karin@example.se", "Karin", "organiser", now, password="a-long-password")
    admin, _ = accounts.create_user("admin@example.se", "Admin", "admin", now, password="a-long-password")
    events = {}
    for slug, status, staff in (("a", "published", olle), ("b", "draft", karin), ("c", "published", karin)):
        event = Event(slug=slug, title=slug.upper(), starts_at=START, ends_at=START + timedelta(hours=3),
                      format="hybrid", status=status)
        db.session.add(event)
        db.session.flush()
        accounts.add_staff(event.id, staff.id, "organiser", None)
        events[slug] = event
    items = {}
    for slug, event in events.items():
        items[slug] = ProgrammeItem(event_id=event.id, title=f"Föredrag {slug}", starts_at=START)
        db.session.add(items[slug])
    lars = Person(name="Lars Larsson")
    items["a"].speakers.append(ItemSpeaker(person=lars))
    items["b"].speakers.append(ItemSpeaker(person=lars))
    db.session.commit()
    return dict(olle=olle.id, karin=karin.id, admin=admin.id, lars=lars.id, items={k: v.id for k, v in items.items()},
                **{slug: event.id for slug, event in events.items()})


def _log(event_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.event_id == event_id)
                                   .order_by(AuditEntry.id)))


def test_a_person_in_another_organisers_programme_is_not_changed(world):
    with pytest.raises(operations.NotYoursToChange) as refused:
        operations.update_person(world["lars"], operations.PersonData("Lars L"), world["olle"], world["a"])
    assert refused.value.other_events == 1
    db.session.rollback()
    assert db.session.get(Person, world["lars"]).name == "Lars Larsson"
    assert "programme.person_updated" not in _log(world["a"]) + _log(world["b"])
    with pytest.raises(operations.NotYoursToChange):
        operations.delete_person(world["lars"], world["olle"], world["a"])


def test_a_change_to_a_person_is_logged_in_every_event_that_shows_them(world):
    operations.update_person(world["lars"], operations.PersonData("Lars Larsson", "Chef"), world["admin"], world["c"])
    assert _log(world["a"])[-1:] == ["programme.person_updated"]
    assert _log(world["b"])[-1:] == ["programme.person_updated"]
    assert "programme.person_updated" not in _log(world["c"])  # C does not show Lars


def test_a_person_added_for_a_draft_stays_out_of_other_organisers_lists(world):
    secret = operations.add_person(operations.PersonData("Hemlig Gäst"), world["karin"], world["b"])
    assert secret.added_in_event_id == world["b"]
    assert "Hemlig Gäst" not in [p.name for p in operations.people(world["olle"])]
    assert "Hemlig Gäst" in [p.name for p in operations.people(world["karin"])]
    with pytest.raises(operations.NotFound):
        operations.directory_entry(secret.id, world["olle"])
    with pytest.raises(operations.NotFound):  # nor put on A's programme by its id
        operations.add_speaker(world["a"], world["items"]["a"], secret.id, "speaker", world["olle"])
    # Nor does the duplicate check give the name away: Olle may add his own.
    mine = operations.add_person(operations.PersonData("Hemlig gäst"), world["olle"], world["a"])
    assert mine.id != secret.id


def test_adding_a_name_already_in_the_directory_asks_first(world):
    operations.add_person(operations.PersonData("Berit Müllerström"), world["olle"], world["a"])
    with pytest.raises(operations.SameNameExists) as same:
        operations.add_person(operations.PersonData("berit mullerström"), world["olle"], world["a"])
    assert [p.name for p in same.value.matches] == ["Berit Müllerström"]
    operations.add_person(operations.PersonData("berit mullerström", even_if_same_name=True), world["olle"],
                          world["a"])
    names = [p.name for p in operations.people(world["olle"])]
    assert names.count("Berit Müllerström") == 1 and names.count("berit mullerström") == 1


def test_merging_moves_every_part_to_the_person_kept(world):
    group_item = ProgrammeItem(event_id=world["a"], title="Grupper", kind="group_session", starts_at=START)
    group = DiscussionGroup(title="Grupp", mode="on_site")
    group_item.groups.append(group)
    db.session.add(group_item)
    twin = Person(name="Lars Larson", added_in_event_id=world["a"])
    item_a = db.session.get(ProgrammeItem, world["items"]["a"])
    item_a.speakers.append(ItemSpeaker(person=twin, position=1))  # both on A's talk
    group.leaders.append(GroupLeader(person=twin))
    other_item = ProgrammeItem(event_id=world["a"], title="Panel", starts_at=START + timedelta(hours=1))
    other_item.speakers.append(ItemSpeaker(person=twin, role="panellist"))
    db.session.add(other_item)
    db.session.commit()
    twin_id = twin.id
    with pytest.raises(operations.NotYoursToChange):  # Lars is in B too: not Olle's to merge
        operations.merge_people(world["lars"], twin_id, world["olle"], world["a"])
    db.session.rollback()
    with pytest.raises(operations.MergeWithItself):
        operations.merge_people(twin_id, twin_id, world["karin"], world["b"])
    kept = operations.merge_people(world["lars"], twin_id, world["admin"], world["a"])
    db.session.expire_all()
    assert db.session.get(Person, twin_id) is None
    assert [p.person_id for p in db.session.get(ProgrammeItem, world["items"]["a"]).speakers] == [kept.id]
    assert [(p.person_id, p.role) for p in db.session.get(ProgrammeItem, other_item.id).speakers] == \
        [(kept.id, "panellist")]
    assert [leader.person_id for leader in db.session.get(DiscussionGroup, group.id).leaders] == [kept.id]
    assert _log(world["a"])[-1] == "programme.people_merged"
    assert _log(world["b"])[-1] == "programme.people_merged"


def test_merging_keeps_the_title_and_organisation_only_the_other_entry_had(world):
    bare = Person(name="Tina Arekvist-Lundell", added_in_event_id=world["a"])
    full = Person(name="Tina Arekvist Lundell", title="chef", organisation="Borås stad",
                  added_in_event_id=world["a"])
    db.session.add_all([bare, full])
    db.session.commit()
    kept = operations.merge_people(bare.id, full.id, world["admin"], world["a"])
    assert (kept.name, kept.title, kept.organisation) == ("Tina Arekvist-Lundell", "chef", "Borås stad")
