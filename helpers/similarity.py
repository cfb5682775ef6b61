"""Comparing embeddings: cosine similarity, L2 distance, whole matrices, a printed table and a heatmap.

matplotlib is imported inside `heatmap` only, so `import helpers` stays fast.
"""

from __future__ import annotations

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
    """Columns `text` takes in a terminal or notebook: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(scores: np.ndarray, labels: Sequence[str], *, digits: int = 2) -> None:
    """Print a score matrix with row labels and numbered columns, aligned even for CJK labels."""
    n = len(labels)
    left = max(_width(label) for label in labels) + 4
    cell = max(digits + 4, 5)
    print(" " * left + "".join(f"{j:>{cell}}" for j in range(n)))
    for i, label in enumerate(labels):
        row = "".join(f"{scores[i, j]:>{cell}.{digits}f}" for j in range(n))
        print(_pad(f"{i:>2} {label}", left) + row)


def _plain(label: str) -> bool:
    """True if matplotlib's own font can draw `label` (no CJK characters)."""
    return all(ord(ch) < 0x2E80 for ch in label)


def _cjk_font(labels: Sequence[str]) -> str | None:
    """The first installed font that has every character of `labels`, if the labels need one."""
    if all(_plain(label) for label in labels):
        return "DejaVu Sans"
    from matplotlib import font_manager, ft2font

    needed = {ord(ch) for label in labels for ch in label}
    for name in CJK_FONTS:
        for entry in font_manager.fontManager.ttflist:
            if entry.name == name:
                try:
                    if needed <= set(ft2font.FT2Font(entry.fname).get_charmap()):
                        return name
                except (OSError, RuntimeError):
                    continue
    return None


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
    with plt.rc_context({"font.family": [font or "DejaVu Sans", "DejaVu Sans"]}):
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
