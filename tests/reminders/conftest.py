from __future__ import annotations

import pytest

from tests.mail.support import SMTPServer


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) in the test process, started."""
    server = SMTPServer().start()
    yield server
    server.stop()
