"""Lessons recommend only models that are ACTIVE on the catalog's date.

The convention (CONTRIBUTING.md, "Model ids in lessons"): every model id or inference-profile id in a
lesson's code cells is a recommendation, and must name a catalog model whose status on the catalog's
date is ACTIVE, unless
- the cell carries the tag `retired-models` (a cell that shows retired or legacy models on purpose:
  the article's code, a lifecycle table), or
- the id's line ends with a comment that says why it is not current: `# retired`, `# legacy` or
  `# article` (case-insensitive), e.g. `"cohere.command-text-v14": ...,  # retired`.
Ids in markdown are prose, not code to run; they must still name a model the catalog knows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers.profiles import split
from helpers.simulator import catalog

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PROVIDERS = sorted({m.model_id.split(".")[0] for m in catalog.all_models()})
MODEL_ID = re.compile(
    r"(?<![\w.-])(?:(?:us-gov|us|eu|apac|jp|au|global)\.)?(?:"
    + "|".join(PROVIDERS)
    + r")\.[a-z0-9][a-z0-9.:-]*[a-z0-9]"
)
EXEMPT_COMMENT = re.compile(r"#.*\b(retired|legacy|article)\b", re.IGNORECASE)
EXEMPT_TAG = "retired-models"
# Lessons already checked against the 2026-11-25 catalog. The others are being updated (issue 8) and
# are expected to fail; the expectation is strict, so a lesson joins this set as soon as it passes.
UPDATED = {
    "00_setup_and_iam.ipynb",
    "01_first_invoke.ipynb",
    "02_streaming.ipynb",
    "03_model_catalog.ipynb",
    "04_anthropic_claude.ipynb",
    "05_cohere_command.ipynb",
    "06_ai21_jurassic.ipynb",
    "07_titan_embeddings_similarity.ipynb",
    "08_stable_diffusion_xl.ipynb",
    "09_converse_and_tool_use.ipynb",
    "10_playground.ipynb",
    "11_retrieval_augmented_generation.ipynb",
    "12_errors_retries_limits.ipynb",
}


def _model_ids(text: str) -> list[str]:
    # "meta.events.register" and "meta.region" are botocore attributes, not models: a model id has a hyphen.
    return [m for m in MODEL_ID.findall(text) if "-" in m.split(".", 2)[-1]]


def findings(path: Path, today=None) -> list[str]:
    """Every model id in the notebook that breaks the convention, with the cell number and why."""
    today = today or catalog.catalog_date()
    nb = json.loads(path.read_text("utf-8"))
    problems = []
    for number, cell in enumerate(nb["cells"]):
        exempt_cell = EXEMPT_TAG in cell.get("metadata", {}).get("tags", [])
        for line in "".join(cell["source"]).splitlines():
            for found in _model_ids(line):
                _, base = split(found)
                model = catalog.get(base)
                if model is None:
                    problems.append(f"cell {number}: {found} is not a model in the catalog")
                    continue
                if cell["cell_type"] != "code" or exempt_cell or EXEMPT_COMMENT.search(line):
                    continue
                status = model.status(today)
                if status != "ACTIVE":
                    problems.append(
                        f"cell {number}: {found} is {status} on {today}; use {_active_successor(model, today)}"
                    )
    return problems


def _active_successor(model, today) -> str:
    """The first ACTIVE model down the successor chain (the catalog's tests guarantee there is one)."""
    while model.successor and model.status(today) != "ACTIVE":
        model = catalog.get(model.successor)
    return model.model_id


def test_the_scanner_finds_ids_and_skips_botocore_attributes():
    line = 'runtime.meta.events.register(x); m = "us.anthropic.claude-sonnet-4-6"; n = "amazon.titan-embed-text-v2:0"'
    assert _model_ids(line) == ["us.anthropic.claude-sonnet-4-6", "amazon.titan-embed-text-v2:0"]
    assert _model_ids("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2") == ["anthropic.claude-v2"]


def test_the_convention_fails_a_retired_recommendation_and_honours_the_markers(tmp_path):
    def cell(source, tags=()):
        return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": source, "outputs": []}

    nb = {
        "cells": [
            cell('model = "anthropic.claude-sonnet-4-20250514-v1:0"\n'),
            cell('old = "anthropic.claude-v2"  # the article\'s model, retired\n'),
            cell('old = "cohere.command-text-v14"\n', tags=[EXEMPT_TAG]),
            cell('new = "anthropic.claude-sonnet-4-6"\n'),
            {"cell_type": "markdown", "metadata": {}, "source": "`anthropic.claude-v9`"},
        ]
    }
    path = tmp_path / "99_x.ipynb"
    path.write_text(json.dumps(nb))
    assert findings(path) == [
        "cell 0: anthropic.claude-sonnet-4-20250514-v1:0 is EOL on 2026-11-25; use anthropic.claude-sonnet-4-6",
        "cell 4: anthropic.claude-v9 is not a model in the catalog",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lessons_recommend_only_active_models(path, monkeypatch, request):
    monkeypatch.delenv("BEDROCK_SIMULATOR_DATE", raising=False)
    if path.name not in UPDATED:
        request.applymarker(
            pytest.mark.xfail(strict=True, reason="lesson not yet updated to the 2026-11-25 catalog (issue 8)")
        )
    assert findings(path) == []
