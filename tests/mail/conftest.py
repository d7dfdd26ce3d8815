from __future__ import annotations

import pytest

from tests.mail.support import SMTPServer


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd), not started: ``smtp.start()``."""
    server = SMTPServer()
    yield server
    server.stop()
