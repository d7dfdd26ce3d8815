"""The event, live: each person's live channel (Server-Sent Events, polling, a reload) and the organisers'
announcements on it, and the countdown to the next item (docs/architecture.md)."""
