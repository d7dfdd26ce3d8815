"""Reminders before an event: the organiser's times and words, who has had each (docs/architecture.md)."""
