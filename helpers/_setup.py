"""`helpers.setup()`: choose live AWS or the offline simulator for every Bedrock client.

Offline, a botocore `before-send` handler answers `bedrock` and `bedrock-runtime` (and STS
GetCallerIdentity, for the identity check the set-up lesson teaches) in-process. It is added to
botocore's built-in handlers, so every botocore session created afterwards carries it: boto3's
default session, a new `boto3.Session()`, or a session a library makes itself. The handler looks
at the current mode on every call, so calling `setup()` again switches cleanly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import botocore.handlers
import botocore.session
from botocore.credentials import Credentials

from .display import fill

MODES = ("live", "offline", "auto", "record", "replay")
ENV_MODE = "BEDROCK_WORKSHOP_MODE"
DEFAULT_REGION = "us-east-1"
_HANDLER_ID = "bedrock-workshop-simulator"
# Offline dummy keys: obviously fake, never valid anywhere, and not shaped like real ones (AWS access
# key ids start AKIA/ASIA, which secret scanners flag), so no scanner or reader mistakes them for keys.
DUMMY_CREDENTIALS = Credentials("OFFLINE-WORKSHOP-DUMMY-KEY", "offline-workshop-dummy-secret-not-a-key")
_SIMULATED = {"bedrock", "bedrock-runtime"}


@dataclass(frozen=True)
class Setup:
    """What `setup()` chose and why."""

    mode: str  # 'live', 'offline', 'record' (live, saving each exchange) or 'replay' (recordings only)
    region: str
    requested: str  # one of MODES
    reason: str
    answered_by: str = "aws"  # who answers Bedrock calls: 'simulator', 'aws' or 'recordings'
    faults: str = ""  # BEDROCK_SIMULATOR_FAULTS in force offline, in canonical form

    def __repr__(self) -> str:
        return f"Setup(mode={self.mode!r}, region={self.region!r})"

    @property
    def offline(self) -> bool:
        return self.mode == "offline"

    def describe(self) -> str:
        """Which mode is on, the region and how to switch, in lines short enough not to wrap (<= 100)."""
        if self.mode in ("record", "replay"):
            where = os.environ.get("BEDROCK_WORKSHOP_RECORDINGS", "")
            if self.mode == "record":
                lines = [f"RECORD, Bedrock calls go to your AWS account (may cost money), each saved in {where}."]
            else:
                lines = [f"REPLAY, Bedrock calls are answered only from the recordings in {where} (no network)."]
            switch = "switch with helpers.setup('offline') or helpers.setup('live')."
        elif self.offline:
            lines = ["OFFLINE, the workshop's simulator answers (no AWS account, no network)."]
            if self.faults:
                lines.append(f"With injected faults: {self.faults}.")
            switch = "go live with helpers.setup('live') or BEDROCK_WORKSHOP_MODE=live."
        else:
            lines = ["LIVE, Bedrock calls go to your AWS account and may cost money."]
            if self.requested == "auto":
                lines.append(f"Why: {self.reason}.")
            switch = "go offline with helpers.setup('offline') or BEDROCK_WORKSHOP_MODE=offline."
        lines[0] = f"Bedrock workshop: {lines[0]}"
        lines.append(f"Region {self.region}; {switch}")
        return fill("\n".join(lines))


def _simulator(request, service: str):
    """Answer a prepared botocore request from the offline simulator."""
    from .simulator import transport  # imported on first use: keeps `import helpers` light

    return transport.to_aws_response(request, transport.serve(transport.to_request(request), service))


def _record(request, service: str):
    """Live, and save the exchange (helpers.recordings, imported on first use)."""
    from . import recordings

    return recordings.record(request, service)


def _replay(request, service: str):
    """Answer from the saved exchanges only; an unrecorded request raises, naming itself."""
    from . import recordings

    return recordings.replay(request, service)


# Who answers Bedrock calls in each mode, and how; None lets botocore send them to AWS.
ANSWERERS = {
    "offline": ("simulator", _simulator),
    "live": ("aws", None),
    "record": ("aws", _record),
    "replay": ("recordings", _replay),
}


class _State:
    offline = False  # nothing goes to AWS: the simulator or the recordings answer
    answer = None  # a callable (prepared request, service) -> AWSResponse, or None for AWS
    region_set_by_us = False
    imds_set_by_us = False
    current: Setup | None = None


_STATE = _State()


def _service_and_op(event_name: str) -> tuple[str, str]:
    parts = event_name.split(".")
    return (parts[1] if len(parts) > 1 else ""), (parts[2] if len(parts) > 2 else "")


def _serves(event_name: str) -> bool:
    service, op = _service_and_op(event_name)
    return service in _SIMULATED or (service == "sts" and op == "GetCallerIdentity")


def _before_send(request, event_name: str = "", **_: object):
    """Answer simulated services offline; return None (let botocore send) otherwise."""
    answer = _STATE.answer
    if answer is None or not _serves(event_name):
        return None
    service, _op = _service_and_op(event_name)
    return answer(request, service)


def _before_sign(request, event_name: str = "", **_: object) -> None:
    """Offline, sign simulated calls with obvious dummy keys, whatever credentials exist.

    With no credentials this is what lets the call go ahead; with real ones it keeps them out of
    it: an expired SSO or assume-role session would otherwise be refreshed over the network.
    """
    if _STATE.offline and _serves(event_name):
        request.context.setdefault("signing", {})["request_credentials"] = DUMMY_CREDENTIALS


_HOOKS = (("before-send", _before_send), ("before-sign", _before_sign))


def _install() -> None:
    """Hook every botocore session: future ones via the built-ins, boto3's existing default too."""
    if all(spec in botocore.handlers.BUILTIN_HANDLERS for spec in _HOOKS):
        # Installed before: sessions made since carry the built-ins, and an older default
        # session was hooked then. Hooking it again would answer every call twice.
        return
    for spec in _HOOKS:
        if spec not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(spec)
    import boto3

    if boto3.DEFAULT_SESSION is not None:  # made before the built-ins held our hooks
        for event, handler in _HOOKS:
            boto3.DEFAULT_SESSION._session.register(event, handler, unique_id=f"{_HANDLER_ID}-{event}")


def _configured_region() -> str | None:
    return botocore.session.Session().get_config_variable("region")


def _credentials_source() -> str | None:
    """Where botocore found credentials ('env', 'shared-credentials-file', 'sso', ...), or None."""
    try:
        found = botocore.session.Session().get_credentials()
    except Exception:  # a broken profile counts as no usable credentials
        return None
    return (getattr(found, "method", None) or "unknown source") if found is not None else None


def _restore_env() -> None:
    """Remove what setup() put in the environment, unless the learner has changed it since."""
    if _STATE.region_set_by_us and os.environ.get("AWS_DEFAULT_REGION") == DEFAULT_REGION:
        del os.environ["AWS_DEFAULT_REGION"]
    _STATE.region_set_by_us = False
    if _STATE.imds_set_by_us and os.environ.get("AWS_EC2_METADATA_DISABLED") == "true":
        del os.environ["AWS_EC2_METADATA_DISABLED"]
    _STATE.imds_set_by_us = False


def answered_by() -> str:
    """Who answers Bedrock calls now: 'simulator', 'aws' or 'recordings' ('aws' before any setup())."""
    return _STATE.current.answered_by if _STATE.current is not None else "aws"


def offline() -> bool:
    """True when nothing goes to AWS: the simulator (or, replaying, the recordings) answers."""
    return _STATE.offline


def setup(mode: str | None = None, *, quiet: bool = False) -> Setup:
    """Choose live or offline for this process, print one line saying so, and return the choice.

    `mode` is 'live', 'offline' or 'auto'; when None, BEDROCK_WORKSHOP_MODE decides, else 'auto'
    (live when botocore finds credentials, else offline). 'record' is live and also saves every
    Bedrock exchange under BEDROCK_WORKSHOP_RECORDINGS; 'replay' answers only from those files.
    """
    requested = (mode or os.environ.get(ENV_MODE) or "auto").strip().lower()
    if requested not in MODES:
        source = "mode" if mode else ENV_MODE
        raise ValueError(f"{source}={requested!r} is not a mode; choose one of: {', '.join(MODES)}")
    _install()
    _restore_env()
    if requested == "auto":
        found = _credentials_source()
        chosen = "live" if found else "offline"
        reason = f"auto found AWS credentials: {found}" if found else "auto: no AWS credentials found"
    else:
        chosen = requested
        reason = f"{'argument' if mode else ENV_MODE} asked for {requested}"
    answered_by, answer = ANSWERERS[chosen]
    faults = ""
    if answered_by == "simulator":
        from .simulator import faults as fault_injection  # small; fails here, by name, on a bad variable
        from .simulator import settings

        settings.current()
        injection = fault_injection.restart_from_environment()  # counts start afresh at each setup()
        faults = injection.spec.describe() if injection else ""
    if chosen in ("record", "replay"):
        from . import recordings  # fails here, by name, when BEDROCK_WORKSHOP_RECORDINGS is unusable

        recordings.directory(create=chosen == "record")
    _STATE.offline = answered_by != "aws"
    _STATE.answer = answer
    region = _configured_region()
    if _STATE.offline:
        if not os.environ.get("AWS_EC2_METADATA_DISABLED"):
            # Offline never needs the EC2 metadata service; skip its network probe.
            os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
            _STATE.imds_set_by_us = True
        if region is None:
            os.environ["AWS_DEFAULT_REGION"] = region = DEFAULT_REGION
            _STATE.region_set_by_us = True
    result = Setup(
        chosen,
        region or "(none set: pass region_name= or set AWS_DEFAULT_REGION)",
        requested,
        reason,
        answered_by,
        faults,
    )
    _STATE.current = result
    if not quiet:
        print(result.describe())
    return result
