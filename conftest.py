"""Every test, notebooks included, runs offline whatever AWS configuration this machine has."""

import os

import pytest

from helpers.testing import use_offline_environment

# The browser tests' timings table: its hooks must reach the xdist controller, which does not load
# tests/browser/conftest.py when it runs the whole suite.
pytest_plugins = ["tests.browser.report"]

use_offline_environment()
# Simulated waiting changes no output (only timing cells, which are sanitised), so notebooks and
# unit tests answer at once; the browser tests run the lessons at the learner's default pace.
os.environ["BEDROCK_SIMULATOR_LATENCY_SCALE"] = "0"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With pytest-xdist (`-n N`): every cell of a notebook on one worker, in order (nbval runs a
    notebook's cells on one kernel); every other test may go to any worker.

    xdist's own `--dist loadgroup` cannot do this under pytest 9.2: it renames `item._nodeid`,
    which pytest 9.2 no longer reads (nodeids come from `item._id`), so its groups are ignored."""
    from xdist.scheduler import LoadScopeScheduling

    class NotebookScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if path.startswith("tests/browser/"):
                return "tests/browser/"  # one worker, one JupyterLab (each more costs ~6 s of CPU)
            return path if path.endswith(".ipynb") else nodeid

    # Collection order, not xdist's "largest scope first": the browser tests (collected first, the
    # longest piece of work) start at once on one worker, while the others share everything else.
    config.option.loadscopereorder = False
    return NotebookScheduling(config, log)
