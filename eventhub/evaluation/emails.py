"""The follow-up email, written in the person's language: the organiser's text for their variant, then
the recording and slides, the event page (which becomes the event's documentation) and their own
evaluation link, with their registration link and the one-click stop of the organisers' emails.

Written once as text (templates/evaluation/emails/follow_up.txt); the outbox makes its HTML part.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from eventhub.evaluation.models import Evaluation
from eventhub.events.models import Event
from eventhub.keyring import Keyring
from eventhub.mail import services as outbox
from eventhub.mail.models import OutboxMessage
from eventhub.registration import emails as letters
from eventhub.registration.models import Registration

TEMPLATE = "evaluation/emails/follow_up.txt"


@dataclass(frozen=True)
class Link:
    title: str
    url: str


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def event_url(event: Event) -> str:
    return f"{_base()}/events/{event.slug}"


def material_links(event: Event) -> list[Link]:
    """The slides and other material, each where it is downloaded (the stored ones through our page)."""
    return [Link(material.title, material.url or f"{_base()}/events/{event.slug}/material/{material.id}")
            for material in event.materials]


def render(event: Event, variant: str, language: str, subject: str, body: str, *, name: str, manage_url: str,
           unsubscribe_url: str, evaluation_url: str | None, evaluation: Evaluation | None,
           now: datetime) -> tuple[str, str]:
    """The subject and text one person receives (or the preview's sample person), in ``language``; the
    evaluation's times as they are at ``now`` (open until, or open from and until)."""
    with force_locale(language):
        text = render_template(TEMPLATE, event=event, variant=variant, name=name, body=body,
                               recording_url=event.recording_url, materials=material_links(event),
                               event_url=event_url(event), evaluation=evaluation if evaluation_url else None,
                               opens_later=evaluation is not None and evaluation.opens_at > now,
                               evaluation_url=evaluation_url, manage_url=manage_url, unsubscribe_url=unsubscribe_url)
    return subject, text


def queue_follow_up(event: Event, registration: Registration, variant: str, subject: str, body: str, keys: Keyring,
                    evaluation: Evaluation | None, now: datetime) -> OutboxMessage | None:
    """Hand one person's follow-up to the outbox (the caller commits)."""
    if not registration.email:
        return None
    unsubscribe = letters.unsubscribe_url(registration, keys)
    evaluation_url = letters.personal_url(registration, keys, "/evaluation") if evaluation is not None else None
    subject, text = render(event, variant, registration.language, subject, body, name=registration.name,
                           manage_url=letters.manage_url(registration, keys), unsubscribe_url=unsubscribe,
                           evaluation_url=evaluation_url, evaluation=evaluation, now=now)
    return outbox.queue(registration.email, subject, text, registration_id=registration.id,
                        reply_to=event.contact_email, automatic=False, language=registration.language,
                        unsubscribe_url=unsubscribe)


def render_sample(event: Event, variant: str, language: str, subject: str, body: str,
                  evaluation: Evaluation | None, now: datetime) -> tuple[str, str]:
    """The email as a made-up person would get it: the preview never shows anyone's working link."""
    base = _base()
    with force_locale(language):
        sample = gettext("sample-link-not-a-real-one")  # reads as a sample, and is no one's token
        name = gettext("Alex Example")
    return render(event, variant, language, subject, body, name=name, manage_url=f"{base}/r/{sample}",
                  unsubscribe_url=f"{base}/unsubscribe/{sample}",
                  evaluation_url=f"{base}/r/{sample}/evaluation" if evaluation is not None else None,
                  evaluation=evaluation, now=now)
