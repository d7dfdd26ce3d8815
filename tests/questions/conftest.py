"""The privacy tests' events (an upcoming one, one that ended at ``ENDED``) for the questions' tests too."""
from tests.privacy.conftest import past, upcoming  # noqa: F401
