"""helpers.similarity: cosine and L2 agree on unit vectors; tables align CJK; heatmaps never draw tofu."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import helpers.similarity as hs


def test_cosine_and_l2_basics():
    assert hs.cosine([1, 0], [1, 0]) == pytest.approx(1.0)
    assert hs.cosine([1, 0], [0, 3]) == pytest.approx(0.0)
    assert hs.cosine([1, 2], [-1, -2]) == pytest.approx(-1.0)
    assert hs.l2([0, 0], [3, 4]) == pytest.approx(5.0)


def test_on_unit_vectors_l2_is_a_function_of_cosine():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(6, 32))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    cos, dist = hs.matrix(v), hs.matrix(v, "l2")
    assert np.allclose(dist, np.sqrt(np.clip(2 - 2 * cos, 0, None)), atol=1e-6)


def test_matrix_shape_diagonal_and_bad_metric():
    m = hs.matrix([[1, 2, 3], [3, 2, 1], [0, 1, 0]])
    assert m.shape == (3, 3) and np.allclose(np.diag(m), 1) and np.allclose(m, m.T)
    with pytest.raises(ValueError, match="'cosine' or 'l2'"):
        hs.matrix([[1.0]], "dot")


def test_table_aligns_cjk_labels(capsys):
    hs.table(np.eye(3), ["对不起", "the weather", "미안해"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == " 0 对不起        1.00  0.00  0.00"
    widths = {hs._width(line) for line in lines[1:]}
    assert len(widths) == 1


def test_heatmap_draws_without_missing_glyph_warnings():
    import matplotlib

    matplotlib.use("Agg")
    labels = ["对不起", "抱歉", "the weather", "Désolé"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn
        fig = hs.heatmap(np.eye(4), labels, title="cosine")
        fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[2:] == ["the weather", "Désolé"]
    assert ticks[:2] in (["对不起", "抱歉"], ["#0", "#1"])  # CJK font installed, or numbered


def test_importing_helpers_does_not_import_matplotlib():
    import subprocess

    code = "import helpers, helpers.similarity, sys; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
