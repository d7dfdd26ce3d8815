"""The evaluation after an event, its results, and the follow-up email (see services and followups)."""
