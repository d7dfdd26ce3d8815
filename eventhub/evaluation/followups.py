"""The follow-up email after the event: thanks, the recording and slides, the event page, the evaluation.

Two texts, each in Swedish and English: one for those who came (checked in at the door, or took part
online: ``attendance.services``) and one for those who had a place and did neither. The organiser edits
them (until then they are the defaults, in the event's words), previews each variant in each
language, and sends it now or at a time after the event; ``flask follow-ups send`` sends what is due.

Who gets it: everyone with a place and an address, who has not stopped the organisers' emails about the
event (as every mailing; the message carries its one-click List-Unsubscribe), in their own language.
Each person gets it once, whatever runs twice or at the same moment: a ``FollowUpDelivery`` row per
registration (its key is the registration) is inserted with ON CONFLICT DO NOTHING in the transaction
that queues the email, so of two senders only one writes each person's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from eventhub.attendance import services as attendance
from eventhub.audit import services as audit
from eventhub.database import commit
from eventhub.evaluation import emails
from eventhub.evaluation import services as evaluations
from eventhub.evaluation.models import (
    BODY_MAX,
    SUBJECT_MAX,
    FollowUp,
    FollowUpDelivery,
    FollowUpText,
    FollowUpVariant,
)
from eventhub.events.models import Event
from eventhub.extensions import db
from eventhub.keyring import Keyring
from eventhub.registration.models import Registration, RegistrationStatus
from eventhub.text import CONTROL_CHARACTERS

VARIANTS = (FollowUpVariant.CAME, FollowUpVariant.MISSED)
LANGUAGES = ("sv", "en")

DEFAULT_SUBJECT = {
    FollowUpVariant.CAME: _l("Thank you for taking part: %(title)s"),
    FollowUpVariant.MISSED: _l("The recording and the slides: %(title)s"),
}
DEFAULT_BODY = {
    FollowUpVariant.CAME: _l(
        "Thank you for taking part in %(title)s!\n\n"
        "The recording and the slides are below, with the event page, where we gather what was said in the "
        "talks and the discussion groups.\n\n"
        "We would like to hear how it was for you: the evaluation takes a few minutes."),
    FollowUpVariant.MISSED: _l(
        "We missed you at %(title)s.\n\n"
        "The recording and the slides are below, with the event page, where we gather what was said in the "
        "talks and the discussion groups: catch up when it suits you.\n\n"
        "We hope to see you next time."),
}


class FollowUpError(Exception):
    pass


class EventNotOver(FollowUpError):
    def __init__(self, ends_at: datetime):
        super().__init__(ends_at)
        self.ends_at = ends_at


class BeforeTheEnd(FollowUpError):
    """A follow-up is scheduled for after the event ends."""


class UnsafeSubject(FollowUpError):
    """Empty, too long, or with a line break (it would add mail headers)."""


class EmptyBody(FollowUpError):
    pass


@dataclass(frozen=True)
class Text:
    subject: str
    body: str
    edited: bool = False  # the organiser's own, or still the default


def default_text(event: Event, variant: str, language: str) -> Text:
    with force_locale(language):
        return Text(str(DEFAULT_SUBJECT[variant]) % {"title": event.title},
                    str(DEFAULT_BODY[variant]) % {"title": event.title})


def of_event(event_id: int) -> FollowUp | None:
    return db.session.get(FollowUp, event_id)


def texts_of(event: Event) -> dict[tuple[str, str], Text]:
    """Every variant's subject and message in each language: the organiser's, else the default."""
    stored = {}
    follow_up = of_event(event.id)
    if follow_up is not None:
        stored = {(text.variant, text.language): Text(text.subject, text.body, True) for text in follow_up.texts}
    return {(variant, language): stored.get((variant, language)) or default_text(event, variant, language)
            for variant in VARIANTS for language in LANGUAGES}


def check_subject(subject: str) -> str:
    subject = (subject or "").strip()
    if not subject or len(subject) > SUBJECT_MAX or CONTROL_CHARACTERS.search(subject):
        raise UnsafeSubject(subject)
    return subject


def check_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not body.strip() or len(body) > BODY_MAX:
        raise EmptyBody()
    return body


def _follow_up(event_id: int, actor_id: int | None, now: datetime) -> FollowUp:
    """The event's follow-up row, made if it has none (also when two requests make it at once)."""
    evaluations.insert_once(FollowUp, event_id=event_id, updated_at=now)
    follow_up = of_event(event_id)
    follow_up.updated_by, follow_up.updated_at = actor_id, now
    return follow_up


def save_texts(event_id: int, texts: dict[tuple[str, str], tuple[str, str]], actor_id: int | None,
               now: datetime) -> None:
    """The organiser's subjects and messages, ``(variant, language) → (subject, body)``, all checked first."""
    checked = {key: (check_subject(subject), check_body(body)) for key, (subject, body) in texts.items()
               if key[0] in VARIANTS and key[1] in LANGUAGES}
    follow_up = _follow_up(event_id, actor_id, now)
    existing = {(text.variant, text.language): text for text in follow_up.texts}
    for (variant, language), (subject, body) in checked.items():
        row = existing.get((variant, language))
        if row is None:
            follow_up.texts.append(FollowUpText(variant=variant, language=language, subject=subject, body=body))
        else:
            row.subject, row.body = subject, body
    audit.record(actor_id, "follow_up.texts_changed", "", event_id=event_id)
    commit()


# --- who gets which ---------------------------------------------------------------------------------

def _people(event_id: int):
    """Everyone the follow-up goes to, those who already have it included."""
    return select(Registration).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED,
        Registration.email.is_not(None), Registration.anonymised_at.is_(None),
        Registration.mailings_stopped_at.is_(None))


def _came():
    return attendance.attended_on_site() | attendance.attended_online()


def variant_of_condition(variant: str):
    return _came() if variant == FollowUpVariant.CAME else attendance.no_show()


def _not_delivered():
    return ~exists().where(FollowUpDelivery.registration_id == Registration.id)


@dataclass(frozen=True)
class Reach:
    """How many each variant goes to, by language; how many already have it; how many stopped such emails."""

    counts: dict[tuple[str, str], int]  # (variant, language) → people still to get it
    delivered: int
    stopped: int

    def of(self, variant: str) -> int:
        return sum(count for (each, _language), count in self.counts.items() if each == variant)

    @property
    def waiting(self) -> int:
        return sum(self.counts.values())


def reach(event_id: int) -> Reach:
    counts = dict.fromkeys(((variant, language) for variant in VARIANTS for language in LANGUAGES), 0)
    for variant in VARIANTS:
        people = _people(event_id).where(variant_of_condition(variant), _not_delivered()).subquery()
        for language, count in db.session.execute(select(people.c.language, func.count()).group_by(people.c.language)):
            counts[(variant, language)] = count
    delivered = db.session.scalar(select(func.count()).select_from(FollowUpDelivery).where(
        FollowUpDelivery.event_id == event_id)) or 0
    stopped = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED,
        Registration.email.is_not(None), Registration.mailings_stopped_at.is_not(None))) or 0
    return Reach(counts, delivered, stopped)


def delivered_by_variant(event_id: int) -> dict[str, int]:
    rows = db.session.execute(select(FollowUpDelivery.variant, func.count()).where(
        FollowUpDelivery.event_id == event_id).group_by(FollowUpDelivery.variant)).all()
    return dict.fromkeys(VARIANTS, 0) | dict(rows)


# --- sending ----------------------------------------------------------------------------------------

def schedule(event_id: int, send_at: datetime, actor_id: int | None, now: datetime) -> FollowUp:
    """Send it at ``send_at`` (after the event's end; a time already past sends at the next run)."""
    event = db.session.get(Event, event_id)
    if send_at < event.ends_at:
        raise BeforeTheEnd()
    follow_up = _follow_up(event_id, actor_id, now)
    follow_up.send_at = send_at
    local = send_at.astimezone(ZoneInfo(event.timezone)).strftime("%Y-%m-%d %H:%M")
    audit.record(actor_id, "follow_up.scheduled", local, event_id=event_id, start=local)
    commit()
    return follow_up


def unschedule(event_id: int, actor_id: int | None, now: datetime) -> None:
    follow_up = of_event(event_id)
    if follow_up is None or follow_up.send_at is None:
        return
    follow_up.send_at, follow_up.updated_by, follow_up.updated_at = None, actor_id, now
    audit.record(actor_id, "follow_up.unscheduled", "", event_id=event_id)
    commit()


def send_now(event_id: int, actor_id: int | None, now: datetime, keys: Keyring) -> int:
    """Queue the follow-up to everyone who has not had it yet, now; how many."""
    event = db.session.get(Event, event_id)
    if now < event.ends_at:
        raise EventNotOver(event.ends_at)
    follow_up = _follow_up(event_id, actor_id, now)
    follow_up.send_at = None
    commit()
    sent = deliver(event_id, now, keys)
    if sent:
        audit.record(actor_id, "follow_up.sent", event.title, event_id=event_id, recipients=sent)
        commit()
    return sent


def deliver(event_id: int, now: datetime, keys: Keyring) -> int:
    """One email per person who has not had it yet, each in its own transaction with its delivery row;
    how many this run wrote (another run at the same moment writes the others)."""
    evaluations.insert_once(FollowUp, event_id=event_id, updated_at=now)  # the deliveries' parent row
    commit()
    event = db.session.get(Event, event_id)
    texts = texts_of(event)
    evaluation = evaluations.of_event(event_id)
    if evaluation is not None and now >= evaluation.closes_at:
        evaluation = None  # closed: no link to a page that only says so
    sent = 0
    for variant in VARIANTS:
        ids = list(db.session.scalars(_people(event_id).with_only_columns(Registration.id)
                                      .where(variant_of_condition(variant), _not_delivered())
                                      .order_by(Registration.id)))
        commit()
        for registration_id in ids:
            if not evaluations.insert_once(FollowUpDelivery, registration_id=registration_id, event_id=event_id,
                                            variant=variant, queued_at=now):
                commit()
                continue
            person = db.session.get(Registration, registration_id)
            text = texts[(variant, person.language if person.language in LANGUAGES else "sv")]
            emails.queue_follow_up(event, person, variant, text.subject, text.body, keys, evaluation, now)
            commit()
            sent += 1
    follow_up = of_event(event_id)
    if follow_up is not None:
        follow_up.sent_at = now
        commit()
    return sent


@dataclass(frozen=True)
class Sent:
    slug: str
    recipients: int


def send_due(now: datetime, keys: Keyring) -> list[Sent]:
    """Every scheduled follow-up whose time has come (``flask follow-ups send``): each person once."""
    due = db.session.execute(select(FollowUp.event_id, Event.slug).join(Event, Event.id == FollowUp.event_id)
                             .where(FollowUp.send_at.is_not(None), FollowUp.send_at <= now, Event.ends_at <= now)
                             .order_by(FollowUp.send_at, FollowUp.event_id)).all()
    commit()
    report = []
    for event_id, slug in due:
        sent = deliver(event_id, now, keys)
        follow_up = of_event(event_id)
        follow_up.send_at = None
        if sent:  # a second run at the same moment found everyone written to: nothing to log
            audit.record(None, "follow_up.sent", slug, event_id=event_id, recipients=sent)
        commit()
        report.append(Sent(slug, sent))
    return report
