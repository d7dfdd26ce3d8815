"""Column types shared by the domain models."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored in UTC.

    SQLite has no time zone type and hands back naive values; PostgreSQL keeps
    them as ``timestamptz``. Either way the model sees an aware UTC datetime,
    and a naive one is refused instead of being silently taken as local time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times must carry a time zone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Ids are PostgreSQL integers: a larger number in an address or a form names nothing.
MAX_ID = 2**31 - 1


class NoSuchLocalTime(ValueError):
    """A wall-clock time the zone skips: the hour clocks jump over when summer time begins."""


def wall_clock(naive: datetime, zone: str) -> datetime:
    """A local time typed in ``zone`` as an aware datetime.

    A skipped time (02:30 on the last Sunday of March in Stockholm) is refused rather than moved by
    an hour without a word. A time that happens twice (02:30 on the last Sunday of October) is read
    as the first, in summer time, as RFC 5545 reads such a local time; docs/calendars.md says so.
    """
    local = naive.replace(tzinfo=ZoneInfo(zone), fold=0)
    if local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) != naive.replace(fold=0):
        raise NoSuchLocalTime(naive.isoformat(timespec="minutes"))
    return local
