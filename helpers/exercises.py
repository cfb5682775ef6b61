"""Self-checking exercises: the learner edits one marked line, a check cell says if it is solved."""

from __future__ import annotations

from .display import fill


def check(name: str, passed: bool, *, solved: str, not_yet: str) -> None:
    """Print whether exercise `name` is solved, with a reason either way.

    It never raises, so "Run all" keeps going while an exercise is still open.
    """
    if passed:
        print(fill(f"\u2705 {name}: solved. {solved}", indent="   "))
    else:
        print(fill(f"\u274c {name}: not yet. {not_yet}", indent="   "))
