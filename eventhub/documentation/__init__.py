"""The event's documentation page: what the organiser, the group leaders and the photos tell after the event."""
