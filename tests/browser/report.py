"""The browser tests' Run All times, printed in the terminal summary, with or without pytest-xdist.

Registered from the root conftest.py (`pytest_plugins`), so that the xdist controller has these hooks
even when it never loads tests/browser/conftest.py. Under xdist each worker runs its own tests and
sends its times to the controller in `workeroutput` when it finishes; the controller merges them and
prints one table. Without xdist the same dict is filled and printed in one process.
"""

from __future__ import annotations

import pytest

TIMINGS: dict[str, float] = {}  # notebook name -> seconds its Run All took in JupyterLab
WORKER_KEY = "browser_run_all_seconds"


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)  # set on xdist workers only
    if workeroutput is not None:
        workeroutput[WORKER_KEY] = dict(TIMINGS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist controller: a worker finished (or crashed: then it sent nothing)."""
    TIMINGS.update(getattr(node, "workeroutput", {}).get(WORKER_KEY, {}))


def pytest_terminal_summary(terminalreporter, config):
    if not TIMINGS or hasattr(config, "workeroutput"):
        return
    terminalreporter.section("browser: Run All times in JupyterLab (headless Chromium)")
    for name, seconds in sorted(TIMINGS.items()):
        terminalreporter.write_line(f"{name:48} {seconds:6.1f} s")
    terminalreporter.write_line(f"{'total':48} {sum(TIMINGS.values()):6.1f} s")
