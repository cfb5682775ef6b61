"""Coral's request validation: member constraints from the service model, worded as Bedrock words them.

Bedrock's front end (Coral) checks each request member against the constraints in its service
model (botocore ships the same model) before any model is looked at, and reports every
violation in one message: `1 validation error detected: Value '2.0' at
'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or
equal to 1` (aws-samples/amazon-bedrock-client-for-mac#11 and public logs), several joined by
`; ` after `N validation errors detected: `. List members are numbered from 1
(`messages.1.member.role`, as in public logs of Converse given a `system` role).
"""

from __future__ import annotations

import functools
import re

from .errors import validation
from .wire import Request

NO_GUARDRAIL = "The guardrail identifier or version provided in the request does not exist."

# From botocore's bedrock-runtime service model (2023-09-30): GuardrailIdentifier, GuardrailVersion,
# ToolName, ConversationRole (the simulator keeps Bedrock's observed [user, assistant]), enums.
GUARDRAIL_ID = r"(|([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))"
GUARDRAIL_VERSION = r"(|([1-9][0-9]{0,7})|(DRAFT))"
TOOL_NAME = r"[a-zA-Z0-9_-]+"
ENUMS = {
    "role": ["user", "assistant"],
    "trace": ["ENABLED", "DISABLED", "ENABLED_FULL"],
    "guardrailTrace": ["enabled", "disabled", "enabled_full"],
    "streamProcessingMode": ["sync", "async"],
    "latency": ["standard", "optimized"],
    "serviceTier": ["priority", "default", "flex", "reserved"],
}


def _shown(value: object) -> str:
    """A value as Coral prints it: floats the Java way ('2.0'), booleans lower-case, else as is."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)
    return str(value)


class Constraints:
    """Coral's member checks, collected and reported together, in order found."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, value: object, where: str, rule: str) -> None:
        self.found.append(f"Value '{_shown(value)}' at '{where}' failed to satisfy constraint: Member must {rule}")

    def range(self, value: object, where: str, low: float | None, high: float | None, *, real: bool = False) -> None:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return
        shown = float(value) if real else value
        if high is not None and value > high:
            self.add(shown, where, f"have value less than or equal to {high}")
        elif low is not None and value < low:
            self.add(shown, where, f"have value greater than or equal to {low}")

    def enum(self, value: object, where: str, allowed: list[str]) -> None:
        if value is not None and value not in allowed:
            self.add(value, where, f"satisfy enum value set: [{', '.join(allowed)}]")

    def pattern(self, value: object, where: str, pattern: str) -> None:
        if isinstance(value, str) and not re.fullmatch(pattern, value):
            self.add(value, where, f"satisfy regular expression pattern: {pattern}")

    def length(self, value: object, where: str, high: int) -> None:
        if isinstance(value, (str, list)) and len(value) > high:
            self.add(value, where, f"have length less than or equal to {high}")

    def raise_any(self) -> None:
        if self.found:
            n = len(self.found)
            raise validation(f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(self.found))


def check_headers(request: Request) -> None:
    """InvokeModel's header members (`trace`, `performanceConfigLatency`, `serviceTier`, guardrail)
    against the service model, then the guardrail itself (the simulator knows none)."""
    h = request.headers
    c = Constraints()
    c.enum(h.get("x-amzn-bedrock-trace"), "trace", ENUMS["trace"])
    c.enum(h.get("x-amzn-bedrock-performanceconfig-latency"), "performanceConfigLatency", ENUMS["latency"])
    c.enum(h.get("x-amzn-bedrock-service-tier"), "serviceTier", ENUMS["serviceTier"])
    c.pattern(h.get("x-amzn-bedrock-guardrailidentifier"), "guardrailIdentifier", GUARDRAIL_ID)
    c.pattern(h.get("x-amzn-bedrock-guardrailversion"), "guardrailVersion", GUARDRAIL_VERSION)
    c.raise_any()


def check_guardrail(identifier: str | None) -> None:
    """A guardrail the request names must exist; offline none does (no CreateGuardrail here)."""
    if identifier:
        raise validation(NO_GUARDRAIL)


# ---------------------------------------------------------------- JSON types (raw HTTP clients only)

_EXPECTED = {
    "structure": "structure",
    "list": "list",
    "map": "map",
    "string": "string",
    "integer": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "boolean": "boolean",
    "blob": "base64 string",
}


def _type_problem(value: object, shape, where: str) -> tuple[str, object, str] | None:
    """(where, value, expected type) of the first member whose JSON type the shape does not allow."""
    kind = shape.type_name
    if value is None or shape.metadata.get("document") or kind == "timestamp":
        return None
    ok = {
        "structure": isinstance(value, dict),
        "map": isinstance(value, dict),
        "list": isinstance(value, list),
        "string": isinstance(value, str),
        "blob": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "long": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "double": isinstance(value, (int, float)) and not isinstance(value, bool),
    }.get(kind, True)
    if not ok:
        return where, value, _EXPECTED.get(kind, kind)
    if kind == "structure":
        for key, item in value.items():  # type: ignore[union-attr]
            member = shape.members.get(key)
            if member is not None and not member.serialization.get("location"):
                found = _type_problem(item, member, f"{where}.{key}" if where else key)
                if found:
                    return found
    elif kind == "list":
        for i, item in enumerate(value, 1):  # type: ignore[arg-type]
            found = _type_problem(item, shape.member, f"{where}.{i}.member")
            if found:
                return found
    elif kind == "map":
        for key, item in value.items():  # type: ignore[union-attr]
            found = _type_problem(item, shape.value, f"{where}.{key}")
            if found:
                return found
    return None


@functools.cache
def _input_shape(operation: str):
    import botocore.session

    return botocore.session.get_session().get_service_model("bedrock-runtime").operation_model(operation).input_shape


def check_types(body: dict, operation: str) -> None:
    """A JSON member of the wrong type (which botocore never sends, but a raw HTTP client can) is a 400.

    GUESS: real Bedrock likely answers such bodies with a SerializationException; the simulator keeps
    to its modeled ValidationException, worded like Coral's other constraint messages.
    """
    found = _type_problem(body, _input_shape(operation), "")
    if found:
        where, value, expected = found
        raise validation(
            f"1 validation error detected: Value '{_shown(value)}' at '{where}' failed to satisfy constraint: "
            f"Member must be a {expected}"
        )
