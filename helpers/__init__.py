"""Plumbing for the Amazon Bedrock workshop notebooks: set-up, display, plots and grading.

Lessons call boto3 themselves; `helpers.setup()` only decides whether those calls go to real
AWS (live) or to the in-process simulator (offline).
"""

from ._setup import Setup, setup

__all__ = [
    "Setup", "setup", "faults", "injected_faults", "fast_backoff", "preflight", "display", "drift", "endpoint",
    "exercises", "iam", "images", "playground", "prices", "profiles", "rag", "recordings", "retired", "similarity",
    "stretch", "widgets",
]  # fmt: skip
__version__ = "0.1.0"
# Imported on first use. `helpers.preflight` is a module you can call: helpers.preflight(models=[...]).
_SUBMODULES = {
    "display", "drift", "endpoint", "exercises", "iam", "images", "playground", "preflight", "prices", "profiles",
    "rag", "recordings", "retired", "similarity", "stretch", "widgets",
}  # fmt: skip


def faults(spec: str = "", /, **settings: object):
    """Bedrock's failures on demand, offline, inside a `with` block that undoes itself.

        with helpers.faults(throttling=0.3, stream_error=0.1) as injected:
            ...                       # boto3 calls meet those failures
        print(injected.summary())     # how many of each happened

    Names and values as in BEDROCK_SIMULATOR_FAULTS (a `"throttling=0.3,seed=1"` string works too):
    throttling, model_not_ready, timeout, service_unavailable and stream_error take a rate from 0
    to 1; access_denied a model id or a list of them; latency_ms and rpm whole numbers; seed picks
    which calls fail. Inside the block it replaces BEDROCK_SIMULATOR_FAULTS. Live, it injects nothing
    and says so: real AWS decides what fails.
    """
    from . import _setup
    from .simulator import faults as fault_injection

    if spec and settings:
        raise ValueError("helpers.faults() takes a 'name=value,...' string or keyword arguments, not both")
    where = "helpers.faults()"
    chosen = fault_injection.parse(spec, where) if spec else fault_injection.from_values(settings, where)
    injection = fault_injection.Injection(chosen, where)
    answered_by = _setup.answered_by()
    if answered_by == "aws":
        injection.inert_reason = "LIVE mode: helpers.faults() injects nothing; real AWS decides what fails."
    elif answered_by != "simulator":
        injection.inert_reason = f"helpers.faults() injects only when the simulator answers, not the {answered_by}."
    return injection


def fast_backoff(factor: float = 0.01):
    """Offline only: botocore's standard and adaptive retry pauses shrunk by `factor` inside a `with` block.

    botocore waits rand(0, 1) x 2**attempt seconds after a throttle (capped at 20 s), so a lesson that
    retries hundreds of throttled calls would spend minutes asleep. Inside the block the same retries
    happen, in the same number and order, only the pauses are shorter. Live, it changes nothing: never
    shorten the pauses real AWS asks for.
    """
    import contextlib

    from . import _setup

    if not isinstance(factor, (int, float)) or isinstance(factor, bool) or not 0 < factor <= 1:
        raise ValueError(f"factor must be a number above 0 and at most 1 (e.g. 0.01), not {factor!r}")

    @contextlib.contextmanager
    def shrunk():
        if _setup.answered_by() != "simulator":
            print("helpers.fast_backoff() shortens pauses only when the simulator answers; they stay as they are.")
            yield
            return
        from botocore.retries.standard import ExponentialBackoff

        original = ExponentialBackoff._DEFAULT_BACKOFF_CONFIG
        ExponentialBackoff._DEFAULT_BACKOFF_CONFIG = {name: value * factor for name, value in original.items()}
        try:
            yield
        finally:
            ExponentialBackoff._DEFAULT_BACKOFF_CONFIG = original

    return shrunk()


def injected_faults():
    """The fault injection in force offline (a helpers.faults() block, else BEDROCK_SIMULATOR_FAULTS), or None."""
    from .simulator import faults as fault_injection

    return fault_injection.active()



def __getattr__(name: str):
    """Import plumbing submodules on first use (`helpers.exercises.check`), keeping `import helpers` light."""
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
