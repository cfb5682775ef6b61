"""Plumbing for the Amazon Bedrock workshop notebooks: set-up, display, plots and grading.

Lessons call boto3 themselves; `helpers.setup()` only decides whether those calls go to real
AWS (live) or to the in-process simulator (offline).
"""

from ._setup import Setup, setup

__all__ = [
    "Setup", "setup", "display", "drift", "endpoint", "exercises", "iam", "images", "profiles", "rag",
    "recordings", "similarity",
]  # fmt: skip
__version__ = "0.1.0"
_SUBMODULES = {
    "display", "drift", "endpoint", "exercises", "iam", "images", "profiles", "rag", "recordings", "similarity",
}  # fmt: skip


def __getattr__(name: str):
    """Import plumbing submodules on first use (`helpers.exercises.check`), keeping `import helpers` light."""
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
