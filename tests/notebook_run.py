"""Run a lesson notebook in a fresh kernel, optionally with some cells replaced, and read what it printed.

The kernel inherits this process's environment, which the tests' conftest has made offline (local
AWS settings hidden); callers add simulator variables with monkeypatch before starting it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def lessons() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if NAME.match(p.name))


def lesson(number: str) -> Path:
    (path,) = NOTEBOOKS.glob(f"{number}_*.ipynb")
    return path


def read(path: Path):
    return nbformat.read(path, as_version=4)


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def printed(cell) -> str:
    """Everything a code cell showed as text: streams, results and error lines."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return _ANSI.sub("", "".join(parts))


def errors(cell) -> list[str]:
    return [f"{out.ename}: {out.evalue}" for out in cell.get("outputs", []) if out.output_type == "error"]


class Kernel:
    """One notebook's kernel: run its cells in order, then run more cells in the same state."""

    def __init__(self, client: NotebookClient, nb) -> None:
        self._client = client
        self.nb = nb

    def run_all(self) -> None:
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type == "code":
                self._client.execute_cell(cell, index)

    def run(self, source: str) -> str:
        """Execute `source` as one more cell; return what it printed."""
        cell = nbformat.v4.new_code_cell(source)
        self.nb.cells.append(cell)  # nbclient stores the executed cell back at its index
        try:
            self._client.execute_cell(cell, len(self.nb.cells) - 1)
        finally:
            cell = self.nb.cells.pop()
        return printed(cell)


@contextmanager
def kernel(nb) -> Iterator[Kernel]:
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    with client.setup_kernel():
        yield Kernel(client, nb)


def execute(nb):
    """Run every cell of `nb` in a fresh kernel (errors recorded, not raised); return `nb`."""
    with kernel(nb) as k:
        k.run_all()
    return nb
