"""Let "Run All" reach the end live, where the article's 2023 models are retired.

Offline (the default `preserved` life cycle) the article's models still answer, and a cell inside
`with helpers.retired.skip(...)` runs exactly as printed. Live, or offline with
`BEDROCK_SIMULATOR_LIFECYCLE=current`, such a model answers
`ResourceNotFoundException: This model version has reached the end of its life.`; the guard then
prints which error came, why, and where the lesson shows today's way, and the notebook goes on.

It swallows only what a retired model causes:
- `ResourceNotFoundException` from a runtime call (end of life) or from `get_foundation_model`
  (a retired model is no longer listed: `Could not find model ...`);
- live only, `ValidationException: The provided model identifier is invalid.`, which AWS answers
  in a region that never offered the model;
- a `NameError` in a later guarded cell, once a guard has skipped a cell in this kernel: the name
  was to be defined by the cell that could not run.
Every other error propagates, so a real mistake in a guarded cell still shows.
"""

from __future__ import annotations

from types import TracebackType

from .display import paragraphs

WIDTH = 100
INVALID_MODEL_ID = "The provided model identifier is invalid."


class _Memory:
    skipped = 0  # how many cells this kernel skipped because a model is retired


def _live() -> bool:
    from ._setup import _STATE

    return _STATE.current is not None and _STATE.current.mode == "live"


def _why(err: BaseException) -> tuple[str, str] | None:
    """(what happened, why) when `err` is what a retired model causes, else None."""
    response = getattr(err, "response", None)
    if not isinstance(response, dict):
        if isinstance(err, NameError) and _Memory.skipped:
            name = f"`{err.name}`" if getattr(err, "name", None) else "a result"
            return f"it needs {name}, which a cell above could not compute.", "That cell's model is retired."
        return None
    code = response.get("Error", {}).get("Code", "")
    message = response.get("Error", {}).get("Message", "")
    said = f"{code}: {message}"
    if code == "ResourceNotFoundException" and "end of its life" in message:
        return said, "The model it calls is retired on Amazon Bedrock."
    if code == "ResourceNotFoundException" and message.startswith("Could not find model"):
        return said, "A retired model is no longer listed, so the catalog has no details to give."
    if code == "ValidationException" and message == INVALID_MODEL_ID and _live():
        return said, "This region does not offer the model (or retired it before it came here)."
    return None


class skip:  # noqa: N801 - used as `with helpers.retired.skip(...)`, read as a sentence
    """Context manager: run the body; if a retired model stops it, explain and carry on.

    `then` is one sentence saying where to go instead, e.g. "Today's way: section 4, the Messages API."
    """

    def __init__(self, then: str) -> None:
        self.then = then

    def __enter__(self) -> skip:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> bool:
        if err is None:
            return False
        found = _why(err)
        if found is None:
            return False
        _Memory.skipped += 1
        said, why = found
        lines = [
            f"\u23ed Skipped the rest of this cell: {said}",
            f"{why} Offline it still answers as in 2023 (helpers.setup('offline')).",
            self.then,
        ]
        print(paragraphs(lines, indent="  ", width=WIDTH))
        return True
