from __future__ import annotations

import pytest

from eventhub.mail import transports
from tests.mail.support import SMTPServer


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd), not started: ``smtp.start()``."""
    server = SMTPServer()
    yield server
    server.stop()


@pytest.fixture
def smtp_offers_cleared():
    """What servers said about SMTPUTF8 is kept an hour per host and port; a port a test's server had
    may be another's now, so these tests start from nothing known."""
    transports._OFFERS_SMTPUTF8.clear()
    yield
    transports._OFFERS_SMTPUTF8.clear()
