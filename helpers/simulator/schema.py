"""Validate native request bodies the way Bedrock does, with its JSON-schema layer's messages.

Bedrock checks native bodies with a JSON-schema validator (everit, Java) and reports every
violation as `<pointer>: <reason>`, joined into one `Malformed input request: ...` message.
Family modules declare their schema as data; `check` runs jsonschema and words each error as
everit would (`required key [prompt] not found`, `extraneous key [x] is not permitted`,
`expected type: Integer, found: String`, `5 is not less or equal to 1`, ...).

Speed: most bodies are valid, and jsonschema takes 15-30 us to say so (it walks every keyword in
Python), about a third of the simulator's own work per call. Each schema is therefore also compiled
once with fastjsonschema (generated Python code, about 1 us per valid body); only a body it rejects
goes to jsonschema, which finds and words every violation. jsonschema stays the authority: with
`CROSSCHECK` on (the unit tests turn it on), every check runs both and a disagreement raises.
Measured on 2 cores, Claude text completion body: 29.5 us -> 1.6 us per valid body.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import cache, wraps

import fastjsonschema

from .errors import malformed


@cache
def _validator_class():
    """jsonschema's Draft7Validator, imported without its optional `rfc3987_syntax` format checker.

    Bedrock's bodies use no JSON-schema `format`, but jsonschema imports every optional format
    library it finds, and `rfc3987_syntax` (installed with JupyterLab's jsonschema extras) builds a
    grammar at import: about 1 s of a learner's first offline call (measured with -X importtime).
    Hiding it while jsonschema loads skips only the `iri` format checks; once jsonschema is loaded
    the module can be imported normally again by anyone who wants it.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        from jsonschema import Draft7Validator

        return Draft7Validator
    sys.modules["rfc3987_syntax"] = None  # makes `import rfc3987_syntax` raise ImportError
    try:
        from jsonschema import Draft7Validator
    finally:
        del sys.modules["rfc3987_syntax"]
    return Draft7Validator


_JSON_TYPES = {
    dict: "JSONObject",
    list: "JSONArray",
    str: "String",
    bool: "Boolean",
    int: "Integer",
    float: "BigDecimal",
    type(None): "Null",
}
_SCHEMA_TYPES = {
    "object": "JSONObject",
    "array": "JSONArray",
    "string": "String",
    "boolean": "Boolean",
    "integer": "Integer",
    "number": "Number",
    "null": "Null",
}


def _num(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return f"{v:.1f}"
    return str(v)


def _pointer(path) -> str:
    return "#" + "".join(f"/{p}" for p in path)


def _words(err) -> list[str]:
    """One everit-style reason per violation (additionalProperties may name several keys)."""
    v, inst, expected = err.validator, err.instance, err.validator_value
    if v == "required":
        missing = [k for k in expected if not (isinstance(inst, dict) and k in inst)]
        return [f"required key [{k}] not found" for k in missing]
    if v == "additionalProperties":
        allowed = set(err.schema.get("properties", {}))
        return [f"extraneous key [{k}] is not permitted" for k in inst if k not in allowed]
    if v == "type":
        want = expected if isinstance(expected, str) else expected[0]
        return [f"expected type: {_SCHEMA_TYPES[want]}, found: {_JSON_TYPES.get(type(inst), 'Unknown')}"]
    if v == "maximum":
        return [f"{_num(inst)} is not less or equal to {_num(expected)}"]
    if v == "minimum":
        return [f"{_num(inst)} is not greater or equal to {_num(expected)}"]
    if v == "exclusiveMaximum":
        return [f"{_num(inst)} is not less than {_num(expected)}"]
    if v == "exclusiveMinimum":
        return [f"{_num(inst)} is not greater than {_num(expected)}"]
    if v == "enum":
        return [f"{inst if isinstance(inst, str) else json.dumps(inst)} is not a valid enum value"]
    if v == "const":
        return [f"{inst} is not a valid enum value"]
    if v == "minItems":
        return [f"expected minimum item count: {expected}, found: {len(inst)}"]
    if v == "maxItems":
        return [f"expected maximum item count: {expected}, found: {len(inst)}"]
    if v == "minLength":
        return [f"expected minLength: {expected}, actual: {len(inst)}"]
    if v == "maxLength":
        return [f"expected maxLength: {expected}, actual: {len(inst)}"]
    if v == "not":
        return [f"subject must not be valid against schema {json.dumps(expected, separators=(',', ':'))}"]
    if v == "uniqueItems":
        return ["array items are not unique"]
    if v == "pattern":  # Titan Text: `string [Observation] does not match pattern ^(\\|+|User:)$`
        return [f"string [{inst}] does not match pattern {expected}"]
    if v == "multipleOf":
        return [f"{_num(inst)} is not a multiple of {_num(expected)}"]
    return [err.message]


_ORDER = {"required": 0, "additionalProperties": 1}


CROSSCHECK = False  # tests: run jsonschema on every body too, and fail if the two disagree


class Compiled:
    """One schema, compiled both ways: fastjsonschema answers "valid?", jsonschema says why not."""

    def __init__(self, schema: dict) -> None:
        self.schema = schema
        self._fast = fastjsonschema.compile(schema)
        self._validator = None

    @property
    def validator(self):
        """jsonschema's validator, imported on the first refused body (about 70 ms of the first
        offline call otherwise, for a library a valid body never needs)."""
        if self._validator is None:
            self._validator = _validator_class()(self.schema)
        return self._validator

    def valid(self, body: object) -> bool:
        try:
            self._fast(body)
        except fastjsonschema.JsonSchemaException:
            return False
        except (RecursionError, TypeError, ValueError):  # let jsonschema judge what the fast code cannot
            return False
        return True


@cache
def _by_text(schema_json: str) -> Compiled:
    return Compiled(json.loads(schema_json))


_BY_ID: dict[int, tuple[dict, Compiled]] = {}
_BY_ID_LIMIT = 512  # schemas are module constants or built once per model (see `per_model`)


def compiled(schema: dict) -> Compiled:
    """The compiled form of `schema`: found by identity (no serialising) once it has been seen."""
    entry = _BY_ID.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    found = _by_text(json.dumps(schema, sort_keys=True))
    if len(_BY_ID) < _BY_ID_LIMIT:
        _BY_ID[id(schema)] = (schema, found)  # holds `schema`, so its id is not reused
    return found


def per_model(build: Callable[..., dict]) -> Callable[..., dict]:
    """Build a family's schema once per model (then `compiled` finds it by identity)."""
    built: dict[int, tuple[object, dict]] = {}

    @wraps(build)
    def schema_for(model) -> dict:
        entry = built.get(id(model))
        if entry is None or entry[0] is not model:
            entry = built[id(model)] = (model, build(model))
        return entry[1]

    return schema_for


def violations(schema: dict, body: object) -> list[str]:
    """Every violation of `schema` by `body`, as `<pointer>: <reason>` strings in everit's order."""
    both = compiled(schema)
    if both.valid(body):
        if CROSSCHECK:
            assert both.validator.is_valid(body), f"fastjsonschema passed what jsonschema refuses: {body!r}"
        return []
    validator = both.validator
    if CROSSCHECK:
        assert not validator.is_valid(body), f"fastjsonschema refuses what jsonschema accepts: {body!r}"
    errors = sorted(
        _flatten(validator.iter_errors(body)),
        key=lambda e: (len(e.absolute_path), _ORDER.get(e.validator, 2), _path_index(body, e.absolute_path)),
    )
    found = [f"{_pointer(e.absolute_path)}: {w}" for e in errors for w in _words(e)]
    return list(dict.fromkeys(found))  # jsonschema reports `required` once per key; keep each once


def _flatten(errors):
    """everit reports a failed anyOf/oneOf as the violations of each branch, in branch order
    (e.g. `#/messages/1/content: expected minimum item count: 1, found: 0#/messages/1/content:
    expected type: String, found: JSONArray`, quadratichq/quadratic#2718)."""
    for err in errors:
        if err.validator in ("anyOf", "oneOf") and err.context:
            yield from _flatten(sorted(err.context, key=lambda e: list(e.relative_schema_path)[:1]))
        else:
            yield err


def _path_index(body: object, path) -> int:
    """Position of a violation's top-level key in the request, so errors follow the body's order."""
    if not path or not isinstance(body, dict):
        return -1
    keys = list(body)
    return keys.index(path[0]) if path[0] in keys else len(keys)


def check(schema: dict, body: object) -> None:
    """Raise Bedrock's ValidationException if `body` violates `schema`."""
    found = violations(schema, body)
    if found:
        raise malformed(*found)


def check_summarised(schema: dict, body: object) -> None:
    """Raise ValidationException worded as Titan Embeddings words it: one reason, or a count.

    Titan Embeddings reports a single violation without its JSON pointer and several as
    `N schema violations found` (everit's `getErrorMessage()`), e.g.
    `Malformed input request: extraneous key [textGenerationConfig] is not permitted, ...`
    (aws-samples/serverless-pdf-chat#35, amazon.titan-embed-text-v1),
    `Malformed input request: expected maxLength: 50000, actual: 160000, ...` (alphagov/govuk-chat#220)
    and `Malformed input request: 2 schema violations found, ...` (spring-projects/spring-ai#788).
    """
    found = violations(schema, body)
    if len(found) == 1:
        raise malformed(found[0].split(": ", 1)[1])
    if found:
        raise malformed(f"{len(found)} schema violations found")
