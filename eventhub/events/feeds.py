"""An organiser's new events as an Atom feed (RFC 4287), through feedgen, so that a network such as
Agenda 2030 i Väst can be followed in a feed reader. Entries are ordered by when they were published;
each one's id is the event's calendar UID, which no change of address or title alters."""
from __future__ import annotations

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _

from eventhub.events.linked_data import description
from eventhub.events.services import OrganiserListing

FEED_LENGTH = 50


def organiser_atom(listing: OrganiserListing, page_url: str, feed_url: str, event_url, language: str,
                   title: str) -> bytes:
    """``event_url(event)`` gives each event's public address; ``title`` is the feed's, in ``language``."""
    newest = sorted(listing.events, key=lambda event: event.published_at or event.created_at, reverse=True)
    feed = FeedGenerator()
    feed.id(page_url)
    feed.title(title)
    feed.link(href=page_url, rel="alternate")
    feed.link(href=feed_url, rel="self")
    feed.language(language)
    feed.author({"name": listing.name})
    feed.updated(max(event.updated_at for event in newest))
    for event in reversed(newest[:FEED_LENGTH]):  # feedgen puts the last added first
        entry = feed.add_entry()
        entry.id(f"urn:uuid:{event.calendar_uid}")
        entry.title(_("Cancelled: %(title)s", title=event.title) if event.is_cancelled else event.title)
        entry.link(href=event_url(event), rel="alternate")
        entry.published(event.published_at or event.created_at)
        entry.updated(event.updated_at)
        if text := description(event):
            entry.summary(text)
    return feed.atom_str(pretty=True)
