"""Every test, notebooks included, runs offline whatever AWS configuration this machine has."""

import os

from helpers.testing import use_offline_environment

use_offline_environment()
# Simulated waiting changes no output (only timing cells, which are sanitised), so notebooks and
# unit tests answer at once; the browser tests run the lessons at the learner's default pace.
os.environ["BEDROCK_SIMULATOR_LATENCY_SCALE"] = "0"
