"""The day rankings are computed for: today in UTC, unless a caller pins the clock.

Availability features count days from "today", so a ranking depends on the day. A batch
run reads the day once and ranks every partition for it (on Dask workers too), its
readers compare that day with `today()`, and tests fake the clock with `using_clock`
instead of depending on the time they happen to run at.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from contextvars import ContextVar


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_clock: ContextVar[Callable[[], dt.datetime]] = ContextVar("clock", default=system_clock)


def now() -> dt.datetime:
    """The current time, time-zone aware, from this context's clock."""
    return _clock.get()()


def today() -> dt.date:
    """The current UTC day, the day rankings are computed for."""
    return now().astimezone(dt.UTC).date()


@contextlib.contextmanager
def using_clock(clock: Callable[[], dt.datetime]) -> Iterator[None]:
    """Read the time from `clock` in this context (this thread or task) until exit."""
    token = _clock.set(clock)
    try:
        yield
    finally:
        _clock.reset(token)


def on_day(day: dt.date) -> contextlib.AbstractContextManager[None]:
    """Rank for `day` until exit: a clock stopped at noon UTC of that day."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return using_clock(lambda: noon)
