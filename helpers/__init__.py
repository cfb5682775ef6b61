"""Plumbing for the Amazon Bedrock workshop notebooks: set-up, display, plots and grading.

Lessons call boto3 themselves; `helpers.setup()` only decides whether those calls go to real
AWS (live) or to the in-process simulator (offline).
"""

from ._setup import Setup, setup

__all__ = ["Setup", "setup"]
__version__ = "0.1.0"
