"""Comparing embeddings: cosine similarity, L2 distance, whole matrices, a table and a heatmap.

matplotlib is imported inside `heatmap` only, so `import helpers` stays fast.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence

import numpy as np

__all__ = ["cosine", "heatmap", "l2", "matrix", "table"]

# Fonts that can draw Chinese, Japanese and Korean labels, tried in order (macOS, Windows, Linux).
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "SimHei",
    "WenQuanYi Zen Hei",
    "Arial Unicode MS",
)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity: 1 for the same direction, 0 for unrelated, -1 for opposite."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def l2(a: Sequence[float], b: Sequence[float]) -> float:
    """Euclidean (L2) distance: 0 for identical vectors, larger for vectors further apart."""
    return float(np.linalg.norm(np.asarray(a, float) - np.asarray(b, float)))


def matrix(vectors: Sequence[Sequence[float]], metric: str = "cosine") -> np.ndarray:
    """Every pairwise score of `vectors` ("cosine" or "l2") as a square array."""
    v = np.asarray(vectors, float)
    if metric == "cosine":
        unit = v / np.linalg.norm(v, axis=1, keepdims=True)
        return np.clip(unit @ unit.T, -1.0, 1.0)
    if metric == "l2":
        return np.linalg.norm(v[:, None, :] - v[None, :, :], axis=2)
    raise ValueError(f"metric must be 'cosine' or 'l2', not {metric!r}")


def _width(text: str) -> int:
    """Columns `text` takes in a monospaced font: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class Table:
    """A score matrix with its labels, shown as an HTML table in a notebook and as aligned plain text elsewhere.

    Plain text puts each row's label last, after the numbers, so the numbers line up whatever
    script the labels are in (browsers draw CJK characters at widths no space count can match).
    """

    def __init__(self, scores: np.ndarray, labels: Sequence[str], digits: int = 2) -> None:
        scores = np.asarray(scores, float)
        labels = [str(label) for label in labels]
        if scores.ndim != 2 or scores.shape[0] != len(labels):
            raise ValueError(f"scores must have one row per label: got shape {scores.shape} for {len(labels)} labels")
        self.scores, self.labels, self.digits = scores, labels, digits

    def __repr__(self) -> str:
        cell = max(self.digits + 4, 5)
        lines = [" #" + "".join(f"{j:>{cell}}" for j in range(self.scores.shape[1])) + "  text"]
        for i, label in enumerate(self.labels):
            row = "".join(f"{x:>{cell}.{self.digits}f}" for x in self.scores[i])
            lines.append(f"{i:>2}{row}  {label}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{j}</th>" for j in range(self.scores.shape[1]))
        rows = []
        for i, label in enumerate(self.labels):
            cells = "".join(f"<td>{x:.{self.digits}f}</td>" for x in self.scores[i])
            rows.append(f'<tr><th>{i}</th><th style="text-align:left">{html.escape(label)}</th>{cells}</tr>')
        return (
            '<table style="font-variant-numeric: tabular-nums; text-align: right">'
            f"<thead><tr><th>#</th><th>text</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )


def table(scores: np.ndarray, labels: Sequence[str], *, digits: int = 2) -> Table:
    """A score matrix with row labels and numbered columns; a notebook shows it as a table.

    Numbered columns refer to the numbered rows (`#`), so a 12 x 12 matrix stays narrow.
    Use `print(table(...))` outside a notebook.
    """
    return Table(scores, labels, digits)


def _plain(label: str) -> bool:
    """True if matplotlib's own font can draw `label` (no CJK characters)."""
    return all(ord(ch) < 0x2E80 for ch in label)


def _covers(path: str, needed: set[int]) -> bool:
    from matplotlib import ft2font

    try:
        return needed <= set(ft2font.FT2Font(path).get_charmap())
    except (OSError, RuntimeError):
        return False


def _cjk_font(labels: Sequence[str]) -> str | None:
    """The first installed font that has every character of `labels`, if the labels need one.

    matplotlib caches its font list: a font installed after that cache was written is missing
    from it, so when no listed font fits, font files on the system are checked once and added.
    """
    if all(_plain(label) for label in labels):
        return "DejaVu Sans"
    from matplotlib import font_manager

    needed = {ord(ch) for label in labels for ch in label}
    for attempt in range(2):
        for name in CJK_FONTS:
            for entry in font_manager.fontManager.ttflist:
                if entry.name == name and _covers(entry.fname, needed):
                    return name
        if attempt == 0 and not _scan_system_fonts():
            break
    return None


_scanned = False


def _scan_system_fonts() -> bool:
    """Add font files whose names suggest CJK coverage to matplotlib's list; True if any was new."""
    global _scanned
    if _scanned:
        return False
    _scanned = True
    from matplotlib import font_manager

    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    added = False
    for path in font_manager.findSystemFonts():
        lowered = path.lower()
        if path not in known and any(key in lowered for key in ("cjk", "sourcehan", "wqy", "pingfang", "yahei")):
            try:
                font_manager.fontManager.addfont(path)
                added = True
            except (OSError, RuntimeError, ValueError):
                continue
    return added


def heatmap(
    scores: np.ndarray, labels: Sequence[str], *, title: str = "", digits: int = 2, cmap: str = "viridis", ax=None
):
    """Draw `scores` as an annotated heatmap and return the matplotlib Figure.

    Labels are drawn in a CJK-capable font when one is installed; otherwise a CJK label shows as
    its row number from `table` (`#2`), so no character is drawn as an empty box.
    """
    import matplotlib.pyplot as plt

    font = _cjk_font(labels)
    ticks = [label if font or _plain(label) else f"#{i}" for i, label in enumerate(labels)]
    # Latin letters in matplotlib's own font, other characters from the CJK font (glyph fallback).
    families = ["DejaVu Sans"] + ([font] if font and font != "DejaVu Sans" else [])
    with plt.rc_context({"font.family": families}):
        if ax is None:
            size = 0.55 * len(labels) + 2.5
            fig, ax = plt.subplots(figsize=(size + 1.2, size))
        else:
            fig = ax.figure
        image = ax.imshow(scores, cmap=cmap)
        ax.set_xticks(range(len(ticks)), ticks, rotation=60, ha="right")
        ax.set_yticks(range(len(ticks)), ticks)
        low, high = float(np.min(scores)), float(np.max(scores))
        for i in range(scores.shape[0]):
            for j in range(scores.shape[1]):
                bright = (scores[i, j] - low) / ((high - low) or 1) > 0.6
                ax.text(
                    j,
                    i,
                    f"{scores[i, j]:.{digits}f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black" if bright else "white",
                )
        if title:
            ax.set_title(title)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        fig.tight_layout()
    return fig
