"""Re-execute the workshop notebooks offline and keep their navigation footers in sync.

    python tools/notebooks.py run [NAME ...]   execute (all, or the named ones), rewrite outputs + footers
    python tools/notebooks.py nav              rewrite only the footers
    python tools/notebooks.py check            exit 1 if a footer is stale (used by the tests)

Outputs are produced in offline mode with this machine's AWS settings hidden, exactly as the
tests run them, so `git diff notebooks/` after a run shows what a change did to the lessons.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAV_TAG = "navigation"
NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")


def notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if NAME.match(p.name))


def title(path: Path) -> str:
    """The lesson title: the first H1 of its first markdown cell, without the number prefix."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return re.sub(r"^\d+\s*[·.:-]\s*", "", line[2:].strip())
    return path.stem


def footer(paths: list[Path], i: int) -> str:
    parts = []
    if i > 0:
        parts.append(f"[\u2190 {paths[i - 1].name[:2]} \u00b7 {title(paths[i - 1])}]({paths[i - 1].name})")
    parts.append("[Course map](../README.md#course-map)")
    if i + 1 < len(paths):
        parts.append(f"[{paths[i + 1].name[:2]} \u00b7 {title(paths[i + 1])} \u2192]({paths[i + 1].name})")
    return "---\n" + " | ".join(parts)


def _with_footer(nb, text: str) -> bool:
    """Put `text` in the tagged last cell; True if anything changed."""
    cells = [c for c in nb.cells if NAV_TAG in c.get("metadata", {}).get("tags", [])]
    if len(cells) == 1 and nb.cells[-1] is cells[0]:
        if cells[0].source == text:
            return False
        cells[0].source = text  # edit in place: the cell keeps its id, so diffs stay small
        return True
    for c in cells:
        nb.cells.remove(c)
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = [NAV_TAG]
    nb.cells.append(cell)
    return True


def sync_nav(check_only: bool = False) -> list[str]:
    paths = notebooks()
    stale = []
    for i, path in enumerate(paths):
        nb = nbformat.read(path, as_version=4)
        if _with_footer(nb, footer(paths, i)):
            stale.append(path.name)
            if not check_only:
                nbformat.write(nb, path)
    return stale


def _merge_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) pieces, which arrive split wherever the kernel flushed.

    nbval compares streams joined the same way, so this only keeps committed diffs stable.
    """
    merged: list = []
    for out in outputs:
        last = merged[-1] if merged else None
        if last and out.output_type == "stream" and last.output_type == "stream" and last.name == out.name:
            last.text += out.text
        else:
            merged.append(out)
    return merged


def run(names: list[str]) -> None:
    from nbclient import NotebookClient

    sys.path.insert(0, str(ROOT))
    from helpers.testing import use_offline_environment

    use_offline_environment()
    sync_nav()
    chosen = [p for p in notebooks() if not names or p.stem in names or p.name in names or p.name[:2] in names]
    for path in chosen:
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        where = {"metadata": {"path": str(NOTEBOOKS)}}
        # No widget state in the file: it would hold every picture an app drew, and each app prints a
        # static summary for readers where widgets don't render.
        client = NotebookClient(
            nb, timeout=600, kernel_name="python3", record_timing=False, store_widget_state=False, resources=where
        )
        client.execute()
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = _merge_streams(cell.outputs)
        nbformat.write(nb, path)
        print(f"{path.name}: executed in {time.perf_counter() - start:.1f} s")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "nav", "check"):
        print(__doc__)
        return 2
    if argv[0] == "run":
        run(argv[1:])
    elif argv[0] == "nav":
        print("rewrote:", ", ".join(sync_nav()) or "nothing")
    else:
        stale = sync_nav(check_only=True)
        if stale:
            print("stale navigation footers:", ", ".join(stale), "- run: python tools/notebooks.py nav")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
