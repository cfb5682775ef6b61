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


def test_table_text_puts_labels_last_so_numbers_align_in_any_script():
    t = hs.table(np.array([[1, 0.5, -0.25], [0.5, 1, 0], [-0.25, 0, 1]]), ["对不起", "the weather", "미안해"])
    lines = repr(t).splitlines()
    assert lines == [
        " #     0     1     2  text",
        " 0  1.00  0.50 -0.25  对不起",
        " 1  0.50  1.00  0.00  the weather",
        " 2 -0.25  0.00  1.00  미안해",
    ]


def test_table_html_has_one_cell_per_score_and_escapes_labels():
    from html.parser import HTMLParser

    t = hs.table(np.eye(2), ["对不起", "<b>&"], digits=3)
    cells: list[str] = []

    class Cells(HTMLParser):
        def handle_data(self, data):
            cells.append(data)

    Cells().feed(t._repr_html_())
    assert cells == ["#", "text", "0", "1", "0", "对不起", "1.000", "0.000", "1", "<b>&", "0.000", "1.000"]


def test_table_refuses_scores_that_do_not_match_the_labels():
    with pytest.raises(ValueError, match="one row per label"):
        hs.table(np.eye(3), ["a", "b"])


def test_heatmap_draws_without_missing_glyph_warnings():
    import matplotlib

    matplotlib.use("Agg")
    labels = ["对不起", "抱歉", "the weather", "Désolé", "미안해"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn
        fig = hs.heatmap(np.eye(5), labels, title="cosine")
        fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[2:4] == ["the weather", "Désolé"]
    assert ticks in (labels, ["#0", "#1", "the weather", "Désolé", "#4"])  # CJK font installed, or numbered


def test_heatmap_falls_back_to_row_numbers_without_a_cjk_font(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.setattr(hs, "CJK_FONTS", ("No Such Font",))
    monkeypatch.setattr(hs, "_scanned", True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = hs.heatmap(np.eye(2), ["对不起", "sorry"])
        fig.canvas.draw()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["#0", "sorry"]


def test_heatmap_uses_a_cjk_font_when_one_is_installed():
    from matplotlib import font_manager

    if not any("CJK" in path for path in font_manager.findSystemFonts()):
        pytest.skip("no Noto/Source Han CJK font on this machine (apt-get install fonts-noto-cjk)")
    assert hs._cjk_font(["对不起", "미안해", "ごめんなさい"]) in hs.CJK_FONTS


def test_importing_helpers_does_not_import_matplotlib():
    import subprocess

    code = "import helpers, helpers.similarity, sys; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
