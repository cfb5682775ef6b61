"""Self-checking exercises: the learner edits a marked cell, a check cell says whether it is solved.

A check names the learner's actual mistake rather than only repeating the task: it takes a list
of *diagnoses*, `(condition, message)` pairs tried in order, and prints the first whose condition
holds. Conditions may be callables, evaluated only when reached, so that a diagnosis can look
inside the learner's answer without failing on an answer of another shape.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .display import paragraphs

WIDTH = 100  # printed lines stay readable in a notebook and in a terminal

Condition = bool | Callable[[], object]


def _holds(condition: Condition) -> bool:
    """A diagnosis applies when its condition is true; a callable that fails does not apply."""
    if not callable(condition):
        return bool(condition)
    try:
        return bool(condition())
    except Exception:  # the answer has another shape than this diagnosis looks for
        return False


def _say(text: str) -> None:
    print(paragraphs(text.split("\n"), indent="   ", width=WIDTH))


def verdict(
    passed: bool, *, solved: str, not_yet: str, diagnoses: Iterable[tuple[Condition, str]] = ()
) -> tuple[bool, str]:
    """(passed, message): `solved` if passed, else the first diagnosis that holds, else `not_yet`."""
    if passed:
        return True, solved
    for condition, message in diagnoses:
        if _holds(condition):
            return False, message
    return False, not_yet


def check(
    name: str,
    passed: bool,
    *,
    solved: str,
    not_yet: str,
    diagnoses: Iterable[tuple[Condition, str]] = (),
) -> None:
    """Print whether exercise `name` is solved, with the reason either way.

    When it is not, the first of `diagnoses` whose condition holds says what is wrong; `not_yet`
    is the fallback. It never raises, so "Run All" keeps going while an exercise is still open.
    """
    ok, message = verdict(passed, solved=solved, not_yet=not_yet, diagnoses=diagnoses)
    _say(f"\u2705 {name}: solved. {message}" if ok else f"\u274c {name}: not yet. {message}")


@dataclass(frozen=True)
class Attempt:
    """What calling the learner's function gave: a value, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe_error(self) -> str:
        """`KeyError: 'text'` style, the way Python would name it."""
        err = self.error
        return f"{type(err).__name__}: {err}" if err is not None else ""


def attempt(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Attempt:
    """Call the learner's function; an exception is kept for the diagnosis instead of stopping the check."""
    try:
        return Attempt(func(*args, **kwargs))
    except Exception as err:  # the learner's code may raise anything; the check reports it
        return Attempt(error=err)


def assigned_in(name: str, history: list[str] | None = None) -> str:
    """The source of the most recent executed cell that assigns `name` at its top level, or "".

    A check uses it to see *how* an answer was computed (for example, whether a filter was sent to
    the service or applied in Python), which the value alone cannot tell. `history` defaults to
    IPython's list of executed inputs (`In`).
    """
    if history is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return ""
        shell = get_ipython()
        history = list(shell.user_ns.get("In", [])) if shell is not None else []
    for source in reversed(history):
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return source
    return ""
