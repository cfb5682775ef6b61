"""The browser tests' own set-up, checked without a browser: they skip or fail as promised, offline."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser import lab

ONE_BROWSER_TEST = "tests/browser/test_lessons_in_browser.py::test_lesson_runs_clean_in_jupyterlab[00]"


def _pytest(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != lab.REQUIRE_ENV} | env_extra
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:nbval", "-o", "addopts=", ONE_BROWSER_TEST],
        cwd=lab.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_browser_the_tests_skip_and_say_why():
    result = _pytest({lab.CHROMIUM_ENV: "/nonexistent/chromium"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout


def test_without_a_browser_ci_fails_instead_of_skipping():
    result = _pytest({lab.CHROMIUM_ENV: "/nonexistent/chromium", lab.REQUIRE_ENV: "1"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "browser tests are required here" in result.stdout and "no Chromium found" in result.stdout


def test_ci_installs_the_browser_and_requires_it():
    ci = (lab.ROOT / ".ci/run").read_text()
    assert "chromium fonts-noto-cjk fonts-noto-color-emoji" in ci
    assert f"export {lab.REQUIRE_ENV}=1" in ci
    assert ci.index(f"export {lab.REQUIRE_ENV}=1") < ci.index("pip install -r requirements-test.txt && pytest")
    assert "playwright install" not in ci


def test_jupyterlab_runs_offline_with_no_aws_variable_of_this_machine(tmp_path):
    saved = dict(os.environ)
    try:
        os.environ.update(AWS_PROFILE="someone", AWS_ACCESS_KEY_ID="AKIDEXAMPLENOTREAL00", AWS_REGION="eu-west-1")
        env = lab.lab_environment(tmp_path)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    aws = {k: v for k, v in env.items() if k.startswith("AWS_")}
    # Only what points botocore at nothing is left: no profile, keys, region or endpoint of this machine.
    assert aws == {
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    assert env["BEDROCK_WORKSHOP_MODE"] == "offline"
    assert env["PYTHONPATH"] == str(tmp_path)


def test_lab_settings_turn_off_autosave_and_news(tmp_path):
    lab.prepare_home(tmp_path)
    settings = tmp_path / "lab-settings" / "@jupyterlab"
    assert '"autosave": false' in (settings / "docmanager-extension/plugin.jupyterlab-settings").read_text()
    assert '"fetchNews": "false"' in (settings / "apputils-extension/notification.jupyterlab-settings").read_text()
    assert (tmp_path / "notebooks" / "00_setup_and_iam.ipynb").exists()
    assert (tmp_path / "helpers" / "__init__.py").exists()


TIMED_TESTS = """
import pytest
from tests.browser.report import TIMINGS

@pytest.mark.parametrize("name", ["00_first.ipynb", "01_second.ipynb", "02_third.ipynb"])
def test_records(name):
    TIMINGS[name] = 1.5
"""


@pytest.mark.parametrize("plugins", [[], ["-p", "xdist.plugin", "-n", "2"]], ids=["one-process", "xdist"])
def test_run_all_times_reach_the_terminal_summary(tmp_path, plugins):
    """Under xdist the tests run in workers, whose terminal summary nobody sees: the controller prints.
    Without xdist loaded, its hook `pytest_testnodedown` must not be an unknown-hook error."""
    if plugins:
        pytest.importorskip("xdist")
    (tmp_path / "test_timed.py").write_text(TIMED_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.browser.report", *plugins, "test_timed.py"],
        cwd=tmp_path,
        # Only the plugins named: a second, not the three that loading every installed plugin takes.
        env=dict(os.environ, PYTHONPATH=str(lab.ROOT), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.split("browser: Run All times in JupyterLab", 1)[-1]
    for name in ("00_first.ipynb", "01_second.ipynb", "02_third.ipynb"):
        assert f"{name:48}    1.5 s" in summary, result.stdout
    assert f"{'total':48}    4.5 s" in summary, result.stdout
