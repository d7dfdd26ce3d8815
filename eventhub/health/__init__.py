"""Whether this server can do its work: the database, the shared rate-limit store, the outbox backlog."""
