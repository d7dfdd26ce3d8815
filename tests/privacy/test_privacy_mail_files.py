"""Erasing a person deletes the development mail files written to them too (the folder transport)."""
from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

from eventhub.mail import services as mail
from eventhub.mail.transports import transport_from_config
from eventhub.privacy import services as privacy
from eventhub.types import utcnow
from tests.registration.support import KEYS, outbox, register


def _recipients(folder) -> list[str]:
    return sorted(email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["To"]
                  for path in folder.glob("*.eml"))


def _deliver(app):
    return mail.deliver_due(transport_from_config(app.config, app.instance_path), utcnow())


def test_erase_deletes_the_persons_mail_files_and_keeps_others(app, make_event, tmp_path):
    app.config.update(MAIL_BACKEND="folder", MAIL_FOLDER=str(tmp_path))
    slug = make_event()
    with app.app_context():
        anna = register(slug, "anna@example.se", "digital").registration.id
        register(slug, "anna@example.se", "digital")  # her link again: a second email
        register(slug, "bert@example.se", "digital")
        assert _deliver(app).sent == 3
        assert _recipients(tmp_path) == ["anna@example.se", "anna@example.se", "bert@example.se"]

        privacy.erase(anna, datetime.now(UTC), KEYS)

        assert _recipients(tmp_path) == ["bert@example.se"]
        assert [m.to_address for m in outbox()] == ["bert@example.se"]
        assert _deliver(app).sent == 0  # her cancellation email went with the rest


def test_erase_rolled_back_keeps_the_mail_files(app, make_event, tmp_path, monkeypatch):
    app.config.update(MAIL_BACKEND="folder", MAIL_FOLDER=str(tmp_path))
    slug = make_event()
    with app.app_context():
        anna = register(slug, "anna@example.se", "digital").registration.id
        _deliver(app)

        def refuse(*args, **kwargs):
            raise RuntimeError("the audit log is down")

        monkeypatch.setattr(privacy.audit, "record", refuse)
        try:
            privacy.erase(anna, datetime.now(UTC), KEYS)
        except RuntimeError:
            pass

        assert _recipients(tmp_path) == ["anna@example.se"]
        assert [m.to_address for m in outbox()] == ["anna@example.se"]
