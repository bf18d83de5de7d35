"""Recurring tasks: RFC 5545 rules, read and stepped through by python-dateutil.

A task's `recurrence` is an RRULE (`FREQ=WEEKLY;BYDAY=MO,WE`). Its
occurrences are computed in the owner's time zone, on wall-clock times: a
task due at 09:00 every Monday stays due at 09:00 local time across
daylight-saving changes, and a monthly rule on the 31st skips the months
that have none, as RFC 5545 says (dateutil does both; nothing here adds
seconds to instants).

The series starts at `recurrence_start`, the due the task had when its rule
or its due was last set: COUNT counts from there, however many times the
task has moved on since. Completing the task moves the same task to the
next occurrence after its current due (`recur_from` "due"), or after the
day it was completed ("completion"); when the rule has none left, the task
stays completed.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "COUNT", "UNTIL", "WKST"}
RULE_MAX_LENGTH = 500


class InvalidRule(ValueError):
    """A rule the API does not take; its message says why, for a 400 on `recurrence`."""


def normalized(rule: str) -> str:
    """The rule as stored: upper case, without an "RRULE:" prefix, its parts checked.

    Raises InvalidRule for a frequency finer than daily, a part the API
    does not take, or a part given twice.
    """
    text = rule.strip().upper().removeprefix("RRULE:")
    parts = {}
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if not sep or not value:
            raise InvalidRule(f"{part!r} is not a NAME=VALUE part of a rule.")
        if name not in PARTS:
            raise InvalidRule(f"{name} is not a part this API takes: {', '.join(sorted(PARTS))}.")
        if name in parts:
            raise InvalidRule(f"{name} is given twice.")
        parts[name] = value
    if parts.get("FREQ") not in FREQUENCIES:
        raise InvalidRule("FREQ is DAILY, WEEKLY, MONTHLY or YEARLY.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise InvalidRule("COUNT and UNTIL cannot both be given.")
    return ";".join(f"{name}={value}" for name, value in parts.items())


def _local(moment: datetime, time_zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(time_zone)).replace(tzinfo=None)


def _wall_clock(due_date: datetime | None, due_on: date | None, time_zone: str) -> datetime:
    if due_on is not None:
        return datetime.combine(due_on, time.min)
    return _local(due_date, time_zone)


class Rule:
    """A task's rule in its owner's time zone, anchored at the series' start."""

    def __init__(self, rule: str, *, start_due_date, start_due_on, time_zone: str):
        self.all_day = start_due_on is not None
        self.time_zone = time_zone
        start = _wall_clock(start_due_date, start_due_on, time_zone)
        parts = dict(part.split("=", 1) for part in rule.split(";"))
        until = parts.get("UNTIL")
        if until is not None and until.endswith("Z"):
            # RFC 5545: a UTC UNTIL with a local start; dateutil wants them alike.
            try:
                instant = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            except ValueError as exc:
                raise InvalidRule("UNTIL is YYYYMMDD, or YYYYMMDDTHHMMSS(Z).") from exc
            parts["UNTIL"] = _local(instant, time_zone).strftime("%Y%m%dT%H%M%S")
        text = ";".join(f"{name}={value}" for name, value in parts.items())
        try:
            self.series = rrulestr(text, dtstart=start)
        except (ValueError, TypeError, OverflowError) as exc:
            raise InvalidRule(f"Not a rule that can be read: {exc}") from exc

    def after(self, moment: datetime) -> tuple:
        """The first occurrence strictly after `moment` (a naive local time), as the task's
        (due_date, due_on); (None, None) when the rule has none left."""
        try:
            found = self.series.after(moment)
        except (ValueError, OverflowError):
            found = None
        if found is None:
            return None, None
        if self.all_day:
            return None, found.date()
        local = found.replace(tzinfo=ZoneInfo(self.time_zone))
        return local.astimezone(UTC), None

    def next_due(self, *, due_date, due_on, recur_from: str, completed_at: datetime) -> tuple:
        """Where completing the occurrence due at (due_date, due_on) moves the task."""
        if recur_from == "completion":
            day = _local(completed_at, self.time_zone).date()
            return self.after(datetime.combine(day, time.max))
        return self.after(_wall_clock(due_date, due_on, self.time_zone))

    def has_an_occurrence_after(self, moment: datetime) -> bool:
        return self.after(_local(moment, self.time_zone)) != (None, None)
