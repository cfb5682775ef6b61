"""The simulator's settings: every `BEDROCK_SIMULATOR_*` variable, read and checked in one place.

`current()` is cheap to call on every request: it re-parses only when one of the variables has
changed since the last call, so a learner (or a test) who sets a variable sees it take effect on
the next call, and a bad value is reported once, by name, with what is allowed.
"""

from __future__ import annotations

import datetime as dt
import os
from contextvars import ContextVar
from dataclasses import dataclass

LIFECYCLE = "BEDROCK_SIMULATOR_LIFECYCLE"
DATE = "BEDROCK_SIMULATOR_DATE"
LATENCY_SCALE = "BEDROCK_SIMULATOR_LATENCY_SCALE"
FAULTS = "BEDROCK_SIMULATOR_FAULTS"
VARIABLES = (LIFECYCLE, DATE, LATENCY_SCALE, FAULTS)

LIFECYCLE_MODES = ("preserved", "current")
DEFAULT_LATENCY_SCALE = 0.1


class SettingsError(ValueError):
    """A `BEDROCK_SIMULATOR_*` variable has a value the simulator cannot use."""


@dataclass(frozen=True)
class Settings:
    """What the variables say, parsed.

    lifecycle: 'preserved' (retired models still answer as they did, so the 2023 article runs)
        or 'current' (retired models are gone, as on AWS today).
    date: the simulator's "today"; None means the date the catalog was reviewed.
    latency_scale: real seconds slept per simulated second (0 answers at once).
    faults: the raw fault specification; parsed by the fault-injection hook.
    """

    lifecycle: str = "preserved"
    date: dt.date | None = None
    latency_scale: float = DEFAULT_LATENCY_SCALE
    faults: str = ""


def parse(env: dict[str, str] | os._Environ) -> Settings:
    """Settings from an environment mapping; raises SettingsError naming the bad variable."""
    lifecycle = (env.get(LIFECYCLE) or "preserved").strip().lower()
    if lifecycle not in LIFECYCLE_MODES:
        raise SettingsError(f"{LIFECYCLE}={lifecycle!r}; allowed: 'preserved' or 'current'")
    raw_date = (env.get(DATE) or "").strip()
    date = None
    if raw_date:
        try:
            date = dt.date.fromisoformat(raw_date)
        except ValueError:
            raise SettingsError(f"{DATE}={raw_date!r} is not a date; use YYYY-MM-DD, e.g. 2023-10-31") from None
    raw_scale = (env.get(LATENCY_SCALE) or "").strip() or str(DEFAULT_LATENCY_SCALE)
    try:
        scale = float(raw_scale)
    except ValueError:
        raise SettingsError(f"{LATENCY_SCALE}={raw_scale!r} is not a number (try 0, 0.1 or 1)") from None
    if not scale >= 0:  # also refuses NaN
        raise SettingsError(f"{LATENCY_SCALE}={raw_scale!r} must be 0 or more")
    return Settings(lifecycle, date, scale, (env.get(FAULTS) or "").strip())


_cache: tuple[tuple[str | None, ...], Settings] | None = None
# While dispatch answers a request, the settings it read for it (one read per request).
in_force: ContextVar[Settings | None] = ContextVar("bedrock_simulator_settings", default=None)


def current() -> Settings:
    """The settings in force now (re-read only when a variable changed)."""
    global _cache
    active = in_force.get()
    if active is not None:
        return active
    key = tuple(os.environ.get(name) for name in VARIABLES)
    cached = _cache
    if cached is not None and cached[0] == key:
        return cached[1]
    value = parse(os.environ)
    _cache = (key, value)
    return value
