"""A time box for a run: `--minutes N` or `--until HH:MM`, turned into a deadline the trainer stops at.

A hosted GPU (Colab, Kaggle) gives a session of some hours, and a workshop has a start time: the run
should end by itself, with a checkpoint, instead of being cut off mid-epoch. The trainer lets the epoch
in progress when the time is up finish, saves it, and stops as if asked (`callbacks.TimeLimit`); the run
is then resumable like any stopped run. `--minutes` counts from when training starts (after the networks
are built and the last state restored), `--until` is a clock time (local time, today, or tomorrow when it
has already passed today).
"""

import argparse
import datetime as dt
import math
import time
from dataclasses import dataclass


def minutes_arg(text: str) -> float:
    """An argparse type: a positive, finite number of minutes (fractions allowed)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of minutes {text!r}: use e.g. 90 or 0.5") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"--minutes must be a positive number, not {text!r}")
    return value


def until_arg(text: str) -> str:
    """An argparse type: a clock time HH:MM (24-hour), checked here and turned into a deadline later."""
    clock_time(text)
    return text


def clock_time(text: str) -> dt.time:
    try:
        hours, minutes = text.strip().split(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
            raise ValueError
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid clock time {text!r}: use HH:MM, e.g. 14:30") from None


def next_clock_time(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """The next moment the local clock shows `text` (HH:MM): today, or tomorrow if that has passed."""
    now = now or dt.datetime.now().astimezone()
    at = now.replace(hour=clock_time(text).hour, minute=clock_time(text).minute, second=0, microsecond=0)
    return at if at > now else at + dt.timedelta(days=1)


@dataclass(frozen=True)
class TimeBox:
    """How long a run may train: a number of minutes from its start, or until a clock time (or neither)."""

    minutes: float | None = None
    until: float | None = None  # seconds since the epoch, fixed when the command was given

    @classmethod
    def from_args(cls, minutes: float | None, until: str | None) -> "TimeBox":
        if minutes is not None and until is not None:
            raise ValueError("pass either --minutes or --until, not both")
        return cls(minutes=minutes, until=next_clock_time(until).timestamp() if until else None)

    def __bool__(self) -> bool:
        return self.minutes is not None or self.until is not None

    def deadline(self, start: float | None = None) -> float | None:
        """Seconds since the epoch at which the time is up, for training that starts at `start` (now)."""
        if self.minutes is not None:
            return (time.time() if start is None else start) + 60 * self.minutes
        return self.until


def iso(seconds: float) -> str:
    """A deadline as status.json writes times: UTC, ISO 8601, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def seconds_from_iso(text: str) -> float | None:
    """status.json's `deadline` back into seconds since the epoch (None if missing or unreadable)."""
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp()
    except (TypeError, ValueError):
        return None
