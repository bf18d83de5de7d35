"""Days and instants in a user's time zone: when a task is due, and what "today" is.

A task is due at an instant (`due_date`) or on a day of its owner's calendar
(`due_on`, an all-day task). To sort and compare the two kinds together,
every task also has one instant, `due_at`: the instant itself, or the last
moment of that day in the owner's time zone. The day is what the user set
and never changes by itself; its `due_at` follows the user's time zone when
they change it (tasks.apps, on the user's save).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ONE_MICROSECOND = timedelta(microseconds=1)


def start_of_day(day: date, time_zone: str) -> datetime:
    """The first moment of `day` in `time_zone`, in UTC (what midnight there is, even on
    a day whose midnight a daylight-saving change skips)."""
    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(time_zone))
    # Round-trip through UTC: a skipped local time becomes the instant it names.
    return local.astimezone(UTC)


def end_of_day(day: date, time_zone: str) -> datetime:
    """The last moment (microsecond) of `day` in `time_zone`, in UTC."""
    return start_of_day(day + timedelta(days=1), time_zone) - ONE_MICROSECOND


def due_moment(due_date: datetime | None, due_on: date | None, time_zone: str):
    """A task's `due_at`: its due instant, or the end of its due day, or None."""
    if due_on is not None:
        return end_of_day(due_on, time_zone)
    return due_date


def iso_datetime(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as DRF's DateTimeField writes it."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def today(time_zone: str, now: datetime) -> date:
    """The date it is at `now` in `time_zone`."""
    return now.astimezone(ZoneInfo(time_zone)).date()
