"""Self-checking exercises: the learner edits one marked line, a check cell says if it is solved."""

from __future__ import annotations


def check(name: str, passed: bool, *, solved: str, not_yet: str) -> None:
    """Print whether exercise `name` is solved, with a reason either way.

    It never raises, so "Run all" keeps going while an exercise is still open.
    """
    if passed:
        print(f"\u2705 {name}: solved. {solved}")
    else:
        print(f"\u274c {name}: not yet. {not_yet}")
