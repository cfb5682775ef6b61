"""Every test, notebooks included, runs offline whatever AWS configuration this machine has."""

from helpers.testing import use_offline_environment

use_offline_environment()
