"""The forum of 9 March 2026 whose Teams and Zoom reports are in samples/, and its registrations."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from eventhub.attendance import services as attendance
from eventhub.attendance.models import ImportedParticipant
from eventhub.checkin import services as checkin
from eventhub.extensions import db
from eventhub.registration import services as registration
from eventhub.registration.models import Registration
from tests.registration.support import KEYS, event_by_slug

SAMPLES = Path(__file__).parent / "samples"
STARTS = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # 09:00 in Stockholm
REGISTERED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
AFTER = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

# name, email, mode, sector; the reports' people are Åsa, Örjan (his address in another case) and Fredrik
# (as "Frasse", from a private address: matched by hand).
PEOPLE = [
    ("Åsa Öberg", "asa.oberg@example.se", "digital", "public"),
    ("Örjan Ärlig", "orjan@example.se", "digital", "business"),
    ("Bengt Bäck", "bengt@example.se", "on_site", "academia"),  # checked in at 08:50
    ("Cecilia Ström", "cecilia@example.se", "digital", "non_profit"),  # joined by her link at 09:02
    ("Dan Dahl", "dan@example.se", "digital", "public"),  # did not come
    ("Eva Ek", "eva@example.se", "on_site", "other"),  # did not come
    ("Fredrik Fält", "fredrik.falt@example.se", "digital", "business"),
    ("Zäta Zetterlund", "zeta@example.se", "on_site", "academia"),  # checked in, and online too
]


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def make_forum(make_event, **overrides) -> str:
    values = dict(starts_at=STARTS, timezone="Europe/Stockholm", on_site_seats=10, digital_seats=10,
                  organiser_name="Agenda 2030 i Väst", title="Forumträff om arbetsmarknaden",
                  venue_name="Stadshuset", venue_address="Stora torget 1, Borås")
    values.update(overrides)
    return make_event(**values)


def seat_people(slug: str) -> dict[str, int]:
    """Everyone in ``PEOPLE`` registered, Bengt and Zäta checked in, Cecilia joined by link; a waitlisted and
    a cancelled person besides. Returns ids by first name."""
    event = event_by_slug(slug)
    ids = {}
    for name, email, mode, sector in PEOPLE:
        data = registration.RegistrationInput(name=name, email=email, mode=mode, sector=sector, privacy_accepted=True,
                                              language="sv")
        ids[name.split()[0]] = registration.register(event.id, data, REGISTERED, KEYS).registration.id
    checkin.check_in_registration(event.id, ids["Bengt"], None, "door-bengt", STARTS - timedelta(minutes=10))
    checkin.check_in_registration(event.id, ids["Zäta"], None, "door-zeta", STARTS - timedelta(minutes=5))
    db.session.execute(update(Registration).where(Registration.id.in_([ids["Cecilia"], ids["Zäta"]])).values(
        first_joined_at=STARTS + timedelta(minutes=2), last_joined_at=STARTS + timedelta(minutes=40)))
    cancelled = registration.RegistrationInput(name="Ylva Ytter", email="ylva@example.se", mode="on_site",
                                               sector="public", privacy_accepted=True)
    ids["Ylva"] = registration.register(event.id, cancelled, REGISTERED, KEYS).registration.id
    registration.cancel(ids["Ylva"], REGISTERED + timedelta(days=1), KEYS)
    db.session.commit()
    return ids


def import_sample(slug: str, name: str, actor_id: int | None = None, now: datetime = AFTER):
    return attendance.import_report(event_by_slug(slug).id, sample(name), name, actor_id, now)


def rows_of(slug: str) -> list[ImportedParticipant]:
    db.session.expire_all()
    return list(db.session.scalars(select(ImportedParticipant).where(
        ImportedParticipant.event_id == event_by_slug(slug).id).order_by(ImportedParticipant.id)))
