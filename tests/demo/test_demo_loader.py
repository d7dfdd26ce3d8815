"""The demo events (eventhub/demo/events.json) against the seed articles they were transcribed from."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from eventhub.demo import loader
from eventhub.extensions import db
from tests.conftest import require_or_skip

SEEDS = Path(__file__).parents[2] / ".." / "shared" / "seeds"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
BORAS = "integration-i-arbetslivet"

# Seed 001's "Program", item by item, as printed: start, title, audience, speakers.
# 13:15 is split: "För er på plats" (Ziyad Tarek) and "För digitala deltagare" (Patrik Zapata).
# 14:25 prints no speaker lines; its title names the three it is for ("Erik" is Eric Zinn).
SEED_001_PROGRAMME = [
    ("12:45", "Registrering & digital check-in", "everyone", []),
    ("13:00", "Välkommen", "everyone", ["Sofia Hedström"]),
    ("13:15", "En väg in i sysselsättning", "on_site", ["Ziyad Tarek"]),
    ("13:15", "Arbetsmarknadsintegration, tack vare i stället för trots allt", "digital", ["Patrik Zapata"]),
    ("13:30", "Hållbar arbetsmarknadsintegration", "everyone", ["Lars Durfelt", "Elisabeth Andreás"]),
    ("13:50", "PAUS", "everyone", []),
    ("14:00", "Att öka sysselsättningsgraden – en del av stadens hållbarhetsarbete", "everyone",
     ["Tina Arekvist Lundell"]),
    ("14:10", "Arbetsmarknadsintegration för framgångsrikt företagande", "everyone",
     ["Eric Zinn", "Ulrica Mattsson"]),
    ("14:25", "Frågor till Erik, Ulrica och Tina", "everyone",
     ["Eric Zinn", "Ulrica Mattsson", "Tina Arekvist Lundell"]),
    ("14:30", "Pitch inför gruppsamtal och val av grupp", "everyone", []),
    ("14:45", "Fikapaus", "everyone", []),
    ("15:00", "Gruppsamtal med sakkunniga", "everyone", []),
    ("15:35", "Hybrid sammanfattande panelsamtal med återkoppling från gruppsamtalen", "everyone", []),
    ("16:00", "Avrundning av dagen", "everyone", []),
]

# "Samtalsgrupper på plats" and "Digitala samtalsgrupper", with the leader printed under each.
SEED_001_GROUPS = [
    ("on_site", "Samverkan för ökad social hållbarhet", "Tina Arekvist Lundell"),
    ("on_site", "Breddade perspektiv ger fler arbetstillfällen", "Ziyad Tarek"),
    ("on_site", "Arbetsintegrerande sociala företag som verktyg för att nå fler", "Pernilla Svebo"),
    ("digital", "Utmaningar med att organisera integrering i projektform", "Hanna Hellgren"),
    ("digital", "Arbetsmarknadsintegration tack vare snarare än trots allt", "Patrik Zapata"),
    ("digital", "Arbetsintegrerande sociala företag som verktyg för att nå fler", "Maria Norbäck"),
]


def _event(slug):
    from eventhub.events import services

    return services.get_public_event(slug)


def _local(dt):
    return dt.astimezone(STOCKHOLM)


def _seed_text(name_prefix: str) -> str:
    matches = sorted(SEEDS.glob(f"{name_prefix}_*.txt")) if SEEDS.is_dir() else []
    if not matches:
        require_or_skip(f"the seed article {name_prefix}_*.txt is not in {SEEDS.resolve()}")
    return matches[0].read_text(encoding="utf-8")


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


# --- the reference event -------------------------------------------------------------------


def test_boras_programme_matches_seed_001_item_by_item(app, demo):
    with app.app_context():
        event = _event(BORAS)
        actual = [
            (
                _local(item.starts_at).strftime("%H:%M"),
                item.title,
                item.audience,
                [part.person.name for part in item.speakers],
            )
            for item in event.programme_items
        ]
    assert actual == SEED_001_PROGRAMME


def test_boras_event_facts_match_seed_001(app, demo):
    with app.app_context():
        event = _event(BORAS)
        assert event.title == "Integration i arbetslivet"
        assert event.format == "hybrid" and event.status == "published"
        assert _local(event.starts_at).strftime("%m-%d %H:%M") == "10-20 13:00"
        assert _local(event.ends_at).strftime("%H:%M") == "16:00"  # "Tid: 13:00-16:00"
        assert event.venue_name == "DO-tank, Textile Fashion Center" and event.venue_address == "Borås"
        assert [p.name for p in event.partners] == ["Högskolan i Borås", "Göteborgs Energi", "Göteborgs Stadsmission"]
        assert event.organiser_name == "Agenda 2030 i Väst"
        # "16.00 Avrundning av dagen" is printed with a start only.
        assert event.programme_items[-1].ends_at is None
        # The article prints starts only: every other item ends when the next time slot starts.
        items = event.programme_items
        starts = sorted({item.starts_at for item in items})
        for item in items[:-1]:
            assert item.ends_at == min(start for start in starts if start > item.starts_at), item.title


def test_boras_split_slot_has_one_speaker_per_audience(app, demo):
    from eventhub.modes import Mode
    from eventhub.programme import services as programme

    with app.app_context():
        event = _event(BORAS)
        split = [slot for slot in programme.slots(programme.items_for(event, None)) if slot.is_parallel]
        assert len(split) == 1
        assert _local(split[0].starts_at).strftime("%H:%M") == "13:15"
        assert [(i.audience, [s.person.name for s in i.speakers]) for i in split[0].items] == [
            ("on_site", ["Ziyad Tarek"]),
            ("digital", ["Patrik Zapata"]),
        ]
        on_site = [i.title for i in programme.items_for(event, Mode.ON_SITE)]
        digital = [i.title for i in programme.items_for(event, Mode.DIGITAL)]
        assert "En väg in i sysselsättning" in on_site and "En väg in i sysselsättning" not in digital
        assert len(on_site) == len(digital) == len(SEED_001_PROGRAMME) - 1


def test_boras_has_six_groups_three_per_mode_with_printed_leaders(app, demo):
    with app.app_context():
        event = _event(BORAS)
        sessions = [item for item in event.programme_items if item.groups]
        assert [item.title for item in sessions] == ["Gruppsamtal med sakkunniga"]
        groups = [(g.mode, g.title, [leader.person.name for leader in g.leaders]) for g in sessions[0].groups]
    assert groups == [(mode, title, [leader]) for mode, title, leader in SEED_001_GROUPS]
    assert sum(1 for mode, _t, _l in groups if mode == "on_site") == 3
    assert sum(1 for mode, _t, _l in groups if mode == "digital") == 3


def test_boras_people_carry_printed_titles(app, demo):
    from eventhub.programme.models import Person

    with app.app_context():
        people = {p.name: p for p in db.session.scalars(select(Person))}
    assert (people["Sofia Hedström"].title, people["Sofia Hedström"].organisation) == (
        "verksamhetsledare", "Agenda 2030 i Väst")
    assert (people["Patrik Zapata"].title, people["Patrik Zapata"].organisation) == (
        "professor i offentlig förvaltning", "Göteborgs universitet")
    assert people["Pernilla Svebo"].organisation == "Skoopi-GR"


def test_events_json_titles_for_seed_001_appear_verbatim_in_article():
    article = _seed_text("001")
    spec = next(e for e in loader.read_data()["events"] if e["seed"].startswith("001_"))
    assert spec["slug"] == BORAS
    titles = [item["title"] for item in spec["programme"]]
    titles += [group["title"] for item in spec["programme"] for group in item.get("groups", [])]
    titles += [partner["name"] for partner in spec["partners"]]
    assert len(titles) == len(SEED_001_PROGRAMME) + len(SEED_001_GROUPS) + 3
    missing = [title for title in titles if title not in article]
    assert missing == []


def test_events_json_people_appear_in_their_seed_articles():
    data = loader.read_data()
    names = {person["key"]: person["name"] for person in data["people"]}
    for spec in data["events"]:
        article = _seed_text(spec["seed"].split("_")[0])
        keys = {key for item in spec["programme"] for key, _role in item.get("speakers", [])}
        keys |= {key for item in spec["programme"] for group in item.get("groups", []) for key in group["leaders"]}
        assert keys, spec["slug"]
        assert [names[key] for key in sorted(keys) if names[key] not in article] == [], spec["slug"]


def test_seed_001_expected_programme_is_in_article_order():
    # Guards the expected list itself: its titles occur in the article in this order.
    article = _seed_text("001")
    programme = article[article.index("\nProgram\n"):].replace("\xa0", " ")  # "14:30\xa0Pitch" as published
    assert "13:15 Programpunkter" in programme
    positions = [programme.index(title) for _start, title, _audience, _speakers in SEED_001_PROGRAMME]
    assert positions == sorted(positions)
    for start, title, _audience, _speakers in SEED_001_PROGRAMME:
        printed = {start, start.replace(":", ".")}
        assert any(f"{time} {title}" in programme for time in printed) or start == "13:15", title


# --- the other demo events -----------------------------------------------------------------


def test_fast_is_digital_with_recording_and_slides(app, demo):
    with app.app_context():
        event = _event("fast-kunskapsseminarium")
        assert event.format == "digital"
        assert event.recording_url
        assert [(m.kind, m.file_format, m.size_bytes) for m in event.materials] == [("slides", "PowerPoint", 4_200_000)]
        assert _local(event.starts_at).date() == date(2023, 3, 14)
        assert {item.audience for item in event.programme_items} == {"everyone"}


def test_workshop_is_on_site_with_a_moderator(app, demo):
    with app.app_context():
        event = _event("snabbspar-utbytesworkshop")
        assert event.format == "on_site"
        assert event.modes == ("on_site",)
        roles = {(s.person.name, s.role) for item in event.programme_items for s in item.speakers}
        assert ("Elisabet Sundén Ingeström", "moderator") in roles
        assert any(item.kind == "group_session" for item in event.programme_items)


def test_demo_events_are_all_published(app, demo):
    from eventhub.events.models import Event

    with app.app_context():
        events = {e.slug: e.status for e in db.session.scalars(select(Event))}
    assert events == {
        BORAS: "published", "fast-kunskapsseminarium": "published", "snabbspar-utbytesworkshop": "published",
    }


# --- loading -------------------------------------------------------------------------------


def test_load_demo_twice_creates_nothing_new(app):
    today = datetime.now(UTC).date()
    with app.app_context():
        first = loader.load_demo(today)
        after_first = _row_counts()
        second = loader.load_demo(today)
        after_second = _row_counts()
    assert sorted(first.created) == sorted([BORAS, "fast-kunskapsseminarium", "snabbspar-utbytesworkshop"])
    assert second.created == [] and sorted(second.skipped) == sorted(first.created)
    assert after_second == after_first
    assert after_first["event"] == 3 and after_first["programme_item"] > 0


def test_load_demo_reuses_one_person_per_name(app, demo):
    from eventhub.programme.models import Person

    with app.app_context():
        names = list(db.session.scalars(select(Person.name)))
    assert len(names) == len(set(names)) == len(loader.read_data()["people"])


def test_load_demo_keeps_organiser_edits(app, demo):
    from eventhub.events.models import Event

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == BORAS))
        event.title = "Ändrad titel"
        db.session.commit()
        report = loader.load_demo(datetime.now(UTC).date())
        assert BORAS in report.skipped
        assert db.session.scalar(select(Event.title).where(Event.slug == BORAS)) == "Ändrad titel"


def test_load_demo_recreates_only_a_missing_event(app, demo):
    from eventhub.events.models import Event

    with app.app_context():
        db.session.delete(db.session.scalar(select(Event).where(Event.slug == "fast-kunskapsseminarium")))
        db.session.commit()
        report = loader.load_demo(datetime.now(UTC).date())
        assert report.created == ["fast-kunskapsseminarium"]
        assert db.session.scalar(select(func.count()).select_from(Event)) == 3


def test_database_is_empty_before_and_not_after_loading(app):
    with app.app_context():
        assert loader.database_is_empty()
        loader.load_demo(date(2026, 1, 1))
        assert not loader.database_is_empty()


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 1, 1), date(2026, 10, 20)),
    (date(2026, 10, 19), date(2026, 10, 20)),
    (date(2026, 10, 20), date(2026, 10, 20)),  # today included
    (date(2026, 10, 21), date(2027, 10, 20)),
    (date(2026, 12, 31), date(2027, 10, 20)),
])
def test_event_date_next_is_this_year_until_the_day_then_next_year(today, expected):
    assert loader.event_date("next-10-20", today) == expected


def test_event_date_iso_date_is_taken_as_is():
    assert loader.event_date("2023-03-14", date(2026, 10, 21)) == date(2023, 3, 14)


def test_load_demo_puts_boras_on_next_twentieth_of_october(app):
    with app.app_context():
        loader.load_demo(date(2026, 10, 21))
        event = _event(BORAS)
        assert _local(event.starts_at) == datetime(2027, 10, 20, 13, 0, tzinfo=STOCKHOLM)
        # Registration closes when the event starts.
        assert event.registration_closes_at == event.starts_at
