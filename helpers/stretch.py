"""Graders for the lessons' stretch exercises: call the learner's function, say what is right or wrong.

Each grader runs the learner's code on several cases and prints one verdict through
`helpers.exercises.check`, naming the first case that went wrong and, where it can tell, the
mistake behind it. Graders that call Bedrock take the notebook's own client, follow the current
mode (live or offline), and skip the models that are retired where they run (live, or offline with
`BEDROCK_SIMULATOR_LIFECYCLE=current`), saying so.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .exercises import Attempt, attempt, check

ANTHROPIC_VERSION = "bedrock-2023-05-31"


# ---------------------------------------------------------------- shared plumbing


def _error_code(err: BaseException | None) -> tuple[str, str]:
    response = getattr(err, "response", None)
    if not isinstance(response, dict):
        return "", ""
    error = response.get("Error", {})
    return error.get("Code", ""), error.get("Message", "")


def _unavailable(err: BaseException | None) -> bool:
    """True when a call failed because the model is retired or not offered in this region."""
    code, message = _error_code(err)
    return (code == "ResourceNotFoundException" and "end of its life" in message) or (
        code == "ValidationException" and message == "The provided model identifier is invalid."
    )


def _skipped_note(skipped: list[str]) -> str:
    return f" (Skipped, retired or not offered here: {', '.join(skipped)}.)" if skipped else ""


def _all_skipped(name: str, skipped: list[str]) -> None:
    print(f"\u23ed {name}: skipped. Every model it uses is retired or not offered here: {', '.join(skipped)}.")
    print("   Run it offline, where they still answer: helpers.setup('offline').")


@contextmanager
def _recording(client: Any, operation: str = "InvokeModel") -> Iterator[list[dict]]:
    """Record the parameters of every `operation` call made with `client` (the learner's calls)."""
    seen: list[dict] = []

    def record(params: dict, **_: Any) -> None:
        seen.append(dict(params))

    event = f"provide-client-params.bedrock-runtime.{operation}"
    client.meta.events.register(event, record)
    try:
        yield seen
    finally:
        client.meta.events.unregister(event, record)


def _body_of(params: dict) -> dict:
    body = params.get("body", b"")
    try:
        return json.loads(body.decode() if isinstance(body, bytes | bytearray) else body)
    except (ValueError, AttributeError):
        return {}


def profile_for(model_id: str, region: str) -> str:
    """The geographic inference-profile id for `model_id` from `region` (the lessons' one profile helper)."""
    from .profiles import profile_id

    return profile_id(model_id, region)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ---------------------------------------------------------------- lesson 00: does a policy allow it?

_ARTICLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "InvokeFM",
            "Effect": "Allow",
            "Action": ["bedrock:GetFoundationModel", "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            "Resource": "*",
        }
    ],
}
_TITAN_V2_WEST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["bedrock:InvokeModel"],
            "Resource": ["arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-embed-text-v2:0"],
        },
        {"Effect": "Allow", "Action": ["bedrock:ListFoundationModels", "bedrock:GetFoundationModel"], "Resource": "*"},
    ],
}
_SONNET_PROFILE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            "Resource": [
                "arn:aws:bedrock:us-east-1:*:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
                "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
            ],
        }
    ],
}
_NO_ANTHROPIC = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "bedrock:InvokeModel*",
            "Resource": "arn:aws:bedrock:*::foundation-model/anthropic.*",
        },
    ],
}
_FM = "arn:aws:bedrock:{region}::foundation-model/{model}"
_ONE_STRING = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": _FM.format(region="us-east-1", model="*")}
    ],
}
_CLAUDE_V2 = _FM.format(region="us-east-1", model="anthropic.claude-v2")
_TITAN_V2 = "amazon.titan-embed-text-v2:0"
_SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"

# (label, policy, action, resource, expected, what the learner got wrong if this case fails)
POLICY_CASES = [
    ("the article's policy, Claude v2", _ARTICLE_POLICY, "bedrock:InvokeModel", _CLAUDE_V2, True,
     'Resource "*" matches every ARN, and the article\'s policy allows InvokeModel.'),
    ("the article's policy, list models", _ARTICLE_POLICY, "bedrock:ListFoundationModels", "*", False,
     "no statement names ListFoundationModels: with no matching Allow, IAM denies (implicit deny)."),
    ("Titan V2 policy, us-west-2", _TITAN_V2_WEST, "bedrock:InvokeModel",
     _FM.format(region="us-west-2", model=_TITAN_V2), True,
     "the first statement names exactly this action and this ARN."),
    ("Titan V2 policy, us-east-1", _TITAN_V2_WEST, "bedrock:InvokeModel",
     _FM.format(region="us-east-1", model=_TITAN_V2), False,
     "the ARN names us-west-2; in us-east-1 the same model is another resource."),
    ("Titan V2 policy, streaming", _TITAN_V2_WEST, "bedrock:InvokeModelWithResponseStream",
     _FM.format(region="us-west-2", model=_TITAN_V2), False,
     "the policy allows InvokeModel only; a stream is another action."),
    ("Titan V2 policy, list models", _TITAN_V2_WEST, "bedrock:ListFoundationModels", "*", True,
     "the second statement allows ListFoundationModels on every resource."),
    ("Sonnet 4 profile policy, model in us-west-2", _SONNET_PROFILE, "bedrock:InvokeModel",
     _FM.format(region="us-west-2", model=_SONNET_4), True,
     '"*" in a pattern matches any text, also inside an ARN (fnmatch.fnmatchcase does that).'),
    ("Sonnet 4 profile policy, the profile", _SONNET_PROFILE, "bedrock:InvokeModel",
     f"arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.{_SONNET_4}", True,
     'the profile ARN\'s account field is "*" in the policy, so any account id matches.'),
    ("one string each", _ONE_STRING, "bedrock:InvokeModel", _FM.format(region="us-east-1", model=_TITAN_V2), True,
     "Action and Resource may each be one string, not a list: looping over a string walks its characters."),
    ("deny Anthropic, Titan", _NO_ANTHROPIC, "bedrock:InvokeModel",
     _FM.format(region="us-east-1", model=_TITAN_V2), True,
     '"bedrock:*" allows every Bedrock action; the Deny names only anthropic.* models.'),
    ("deny Anthropic, Claude", _NO_ANTHROPIC, "bedrock:InvokeModel", _CLAUDE_V2, False,
     "a matching Deny wins over every Allow."),
    ("deny Anthropic, Claude stream", _NO_ANTHROPIC, "bedrock:InvokeModelWithResponseStream",
     _FM.format(region="eu-west-1", model="anthropic.claude-3-haiku-20240307-v1:0"), False,
     '"bedrock:InvokeModel*" matches InvokeModelWithResponseStream too: "*" matches any rest.'),
]  # fmt: skip


def allows_reference(policy: dict, action: str, resource: str) -> bool:
    """The rule the lesson states (Allow/Deny, Action/Resource patterns with * and ?; no Conditions)."""

    def listed(value: str | list[str]) -> list[str]:
        return [value] if isinstance(value, str) else list(value)

    def matches(statement: dict) -> bool:
        return any(fnmatch.fnmatchcase(action, p) for p in listed(statement["Action"])) and any(
            fnmatch.fnmatchcase(resource, p) for p in listed(statement["Resource"])
        )

    statements = [s for s in policy["Statement"] if matches(s)]
    return not any(s["Effect"] == "Deny" for s in statements) and any(s["Effect"] == "Allow" for s in statements)


def check_allows(allows: Callable[[dict, str, str], bool], name: str = "Stretch 00") -> None:
    """Grade `allows(policy, action, resource)` on the cases above."""
    for label, policy, action, resource, expected, why in POLICY_CASES:
        got = attempt(allows, policy, action, resource)
        if not got.ok:
            message = f"allows() raised {got.describe_error()} on case '{label}'."
            if isinstance(got.error, TypeError | AttributeError) and "str" in str(got.error):
                message += " Action and Resource may be a single string as well as a list."
            return check(name, False, solved="", not_yet=message)
        if not isinstance(got.value, bool):
            return check(name, False, solved="", not_yet=f"allows() returned {got.value!r}; return True or False.")
        if got.value != expected:
            verb = "allowed" if got.value else "denied"
            return check(name, False, solved="", not_yet=f"'{label}': you {verb} {action}. {why}")
    check(
        name,
        True,
        solved=f"all {len(POLICY_CASES)} cases right, from the article's policy to a Deny that beats an Allow.",
        not_yet="",
    )


# ---------------------------------------------------------------- lesson 01: what did a call cost?

COST_PRICES = {"usd_per_1k_input": 0.5, "usd_per_1k_output": 2.0}  # made-up round numbers, not AWS's prices


def _cost_calls(sentence: str) -> dict[str, tuple[str, dict]]:
    return {
        "Titan G1 embedding": ("amazon.titan-embed-text-v1", {"inputText": sentence}),
        "Nova Micro answer": (
            "amazon.nova-micro-v1:0",
            {"messages": [{"role": "user", "content": [{"text": sentence}]}], "inferenceConfig": {"maxTokens": 60}},
        ),
    }


def check_cost(cost: Callable[..., float], client: Any, sentence: str, name: str = "Stretch 01") -> None:
    """Grade `cost(response, usd_per_1k_input, usd_per_1k_output)` on an embedding and a text answer."""
    p_in, p_out = COST_PRICES["usd_per_1k_input"], COST_PRICES["usd_per_1k_output"]
    done, skipped = [], []
    for label, (model, request) in _cost_calls(sentence).items():
        try:
            response = client.invoke_model(modelId=model, body=json.dumps(request))
        except Exception as err:
            if _unavailable(err):
                skipped.append(model)
                continue
            raise
        headers = response["ResponseMetadata"]["HTTPHeaders"]
        t_in = int(headers["x-amzn-bedrock-input-token-count"])
        t_out = int(headers["x-amzn-bedrock-output-token-count"])
        want = (t_in * p_in + t_out * p_out) / 1000
        got = attempt(cost, response, p_in, p_out)
        problem = _cost_problem(got, want, t_in, t_out, p_in, p_out)
        if problem:
            return check(name, False, solved="", not_yet=f"{label}: {problem}")
        done.append(f"{label}: {t_in} in + {t_out} out = ${want:.4f}")
    if not done:
        return _all_skipped(name, skipped)
    check(name, True, solved="; ".join(done) + "." + _skipped_note(skipped), not_yet="")


def _cost_problem(got: Attempt, want: float, t_in: int, t_out: int, p_in: float, p_out: float) -> str | None:
    def near(a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)

    if not got.ok:
        err = got.error
        if isinstance(err, TypeError) and ("str" in str(err) or "sequence" in str(err)):
            return f"cost() raised {got.describe_error()}. Header values are strings: int() them first."
        if isinstance(err, KeyError) and "TokenCount" in str(err):
            return (
                f"cost() raised {got.describe_error()}. Only Titan's body has inputTextTokenCount; "
                "the token headers are the same for every model."
            )
        if isinstance(err, KeyError):
            return (
                f"cost() raised {got.describe_error()}. Headers are under "
                "response['ResponseMetadata']['HTTPHeaders'], with lower-case names."
            )
        return f"cost() raised {got.describe_error()}."
    value = got.value
    if not _is_number(value):
        return f"cost() returned {value!r}; return the cost as a number of US dollars."
    if near(value, want):
        return None
    if near(value, want * 1000):
        return f"{value} is 1,000 times too much: the prices are per 1,000 tokens."
    if t_out and near(value, t_in * p_in / 1000):
        return f"{value} counts only the {t_in} input tokens; this call also wrote {t_out} output tokens."
    if near(value, (t_in * p_out + t_out * p_in) / 1000):
        return "input and output prices are swapped: input tokens cost usd_per_1k_input."
    if value == 0:
        return "cost() still returns 0: read the two token-count headers and price them."
    return f"cost() returned {value}; {t_in} input and {t_out} output tokens at these prices cost {want}."


# ---------------------------------------------------------------- lesson 02: one stream reader, every family

_QUESTION = "What is Amazon Bedrock?"


def _stream_bodies(region: str) -> dict[str, dict]:
    q = _QUESTION
    return {
        "anthropic.claude-v2": {"prompt": f"\n\nHuman: {q}\n\nAssistant:", "max_tokens_to_sample": 30},
        profile_for("anthropic.claude-haiku-4-5-20251001-v1:0", region): {
            "anthropic_version": ANTHROPIC_VERSION,
            "max_tokens": 30,
            "messages": [{"role": "user", "content": q}],
        },
        "amazon.titan-text-express-v1": {"inputText": q, "textGenerationConfig": {"maxTokenCount": 30}},
        "meta.llama3-8b-instruct-v1:0": {
            "prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n"
            + q
            + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            "max_gen_len": 30,
        },
        "mistral.mistral-7b-instruct-v0:2": {"prompt": f"<s>[INST] {q} [/INST]", "max_tokens": 30},
        "amazon.nova-micro-v1:0": {
            "messages": [{"role": "user", "content": [{"text": q}]}],
            "inferenceConfig": {"maxTokens": 30},
        },
        "cohere.command-text-v14": {"prompt": q, "max_tokens": 30, "stream": True},
    }


def _piece_and_stop(chunk: dict) -> tuple[str, str | None]:
    """The text piece and the stop reason (if any) of one native chunk: the lesson's table, in code."""
    if "completion" in chunk:  # Claude text completions
        return chunk["completion"], chunk.get("stop_reason")
    if "type" in chunk:  # Claude Messages API
        if chunk["type"] == "content_block_delta":
            return chunk["delta"].get("text", ""), None
        if chunk["type"] == "message_delta":
            return "", chunk["delta"].get("stop_reason")
        return "", None
    if "outputText" in chunk:  # Titan Text
        return chunk["outputText"], chunk.get("completionReason")
    if "generation" in chunk:  # Llama
        return chunk["generation"], chunk.get("stop_reason")
    if "outputs" in chunk:  # Mistral
        return chunk["outputs"][0]["text"], chunk["outputs"][0].get("stop_reason")
    if "contentBlockDelta" in chunk:  # Nova
        return chunk["contentBlockDelta"]["delta"].get("text", ""), None
    if "messageStop" in chunk:
        return "", chunk["messageStop"].get("stopReason")
    if "is_finished" in chunk:  # Cohere Command
        if chunk["is_finished"]:
            return "", chunk.get("finish_reason")
        return ("" if chunk.get("text") == "<EOS_TOKEN>" else chunk.get("text", "")), None
    return "", None


def collect_reference(events: list[dict]) -> dict:
    """What a correct `collect()` returns for these raw stream events."""
    text, stop, metrics = "", None, {}
    for event in events:
        chunk = json.loads(event["chunk"]["bytes"])
        piece, reason = _piece_and_stop(chunk)
        text += piece
        stop = reason or stop
        metrics = chunk.get("amazon-bedrock-invocationMetrics", metrics)
    return {
        "text": text,
        "stop_reason": stop,
        "input_tokens": metrics.get("inputTokenCount"),
        "output_tokens": metrics.get("outputTokenCount"),
    }


def check_collect(collect: Callable[[dict], dict], client: Any, name: str = "Stretch 02") -> None:
    """Grade `collect(response)` on one stream of each model family in the lesson's table."""
    done, skipped = [], []
    for model, body in _stream_bodies(client.meta.region_name).items():
        try:
            response = client.invoke_model_with_response_stream(modelId=model, body=json.dumps(body))
            events = list(response["body"])
        except Exception as err:
            if _unavailable(err):
                skipped.append(model)
                continue
            raise
        want = collect_reference(events)
        first_keys = sorted(json.loads(events[0]["chunk"]["bytes"]))
        got = attempt(collect, {**response, "body": iter(events)})  # the same events, replayed
        problem = _collect_problem(got, want, first_keys)
        if problem:
            return check(name, False, solved="", not_yet=f"{model}: {problem}")
        done.append(model)
    if not done:
        return _all_skipped(name, skipped)
    check(
        name,
        True,
        solved=f"text, stop reason and token counts right for {len(done)} families." + _skipped_note(skipped),
        not_yet="",
    )


def _collect_problem(got: Attempt, want: dict, first_keys: list[str]) -> str | None:
    if not got.ok:
        return f"collect() raised {got.describe_error()} (the stream's first chunk has keys {first_keys})."
    value = got.value
    if not isinstance(value, dict) or not set(want) <= set(value):
        return f"collect() returned {value!r:.60}; return a dict with keys {', '.join(want)}."
    if value["text"] != want["text"]:
        return f"the text should start {want['text'][:40]!r}, not {str(value['text'])[:40]!r}."
    if value["stop_reason"] is None:
        return (
            f"stop_reason is None; this family says why it stopped under another key "
            f"(expected {want['stop_reason']!r}; see the table's last column)."
        )
    if value["stop_reason"] != want["stop_reason"]:
        return f"stop_reason is {value['stop_reason']!r}, expected {want['stop_reason']!r}."
    for key in ("input_tokens", "output_tokens"):
        if value[key] != want[key]:
            return (
                f"{key} is {value[key]!r}, expected {want[key]!r}: the last chunk carries "
                "amazon-bedrock-invocationMetrics for every family."
            )
    return None


# ---------------------------------------------------------------- lesson 03: pick a successor from the listing

SUCCESSOR_CASES = [
    ("anthropic.claude-v2", "TEXT", None),
    ("anthropic.claude-instant-v1", "TEXT", None),
    ("cohere.command-text-v14", "TEXT", None),
    ("ai21.j2-ultra-v1", "TEXT", None),
    ("amazon.titan-embed-text-v1", "EMBEDDING", None),
    ("stability.stable-diffusion-xl-v0", "IMAGE", "us-west-2"),
]


def _start(summary: dict) -> dt.datetime:
    start = summary.get("modelLifecycle", {}).get("startOfLifeTime")
    return start if isinstance(start, dt.datetime) else dt.datetime.min.replace(tzinfo=dt.UTC)


def successor_candidates(model_id: str, output_modality: str, summaries: list[dict]) -> set[str | None]:
    """Every answer the rule accepts: the newest ACTIVE models of the same provider and output kind."""
    provider = model_id.split(".")[0]
    active = [
        s
        for s in summaries
        if s["modelId"].split(".")[0] == provider
        and output_modality in s.get("outputModalities", [])
        and s.get("modelLifecycle", {}).get("status") == "ACTIVE"
    ]
    if not active:
        return {None}
    newest = max(_start(s) for s in active)
    return {s["modelId"] for s in active if _start(s) == newest}


def check_successor(
    successor: Callable[[str, str, list[dict]], str | None], control: Any, name: str = "Stretch 03"
) -> None:
    """Grade `successor(model_id, output_modality, summaries)` against the listing of each case's region."""
    import boto3

    listings: dict[str, list[dict]] = {}
    done = []
    for model_id, modality, region in SUCCESSOR_CASES:
        region = region or control.meta.region_name
        if region not in listings:
            client = control if region == control.meta.region_name else boto3.client("bedrock", region_name=region)
            listings[region] = client.list_foundation_models()["modelSummaries"]
        summaries = listings[region]
        accepted = successor_candidates(model_id, modality, summaries)
        got = attempt(successor, model_id, modality, summaries)
        problem = _successor_problem(got, accepted, model_id, modality, summaries)
        if problem:
            return check(name, False, solved="", not_yet=f"{model_id} ({modality}, {region}): {problem}")
        done.append(f"{model_id} -> {got.value}")
    check(name, True, solved="; ".join(done) + ".", not_yet="")


def _successor_problem(
    got: Attempt, accepted: set[str | None], model_id: str, modality: str, summaries: list[dict]
) -> str | None:
    if not got.ok:
        return f"successor() raised {got.describe_error()}."
    value = got.value
    if isinstance(value, dict):
        return "return the model's id (its 'modelId'), not its whole summary."
    if value is not None and not isinstance(value, str):
        return f"successor() returned {value!r:.60}; return a model id or None."
    if value in accepted:
        return None
    if None in accepted:
        provider = model_id.split(".")[0]
        return f"no ACTIVE {provider} model outputs {modality} in this listing: return None, not {value!r}."
    if value is None:
        return f"returned None, but {sorted(accepted)[0]} is ACTIVE here (same provider and output)."
    by_id = {s["modelId"]: s for s in summaries}
    chosen = by_id.get(value)
    if chosen is None:
        return f"{value} is not in the listing you were given."
    if chosen["modelId"].split(".")[0] != model_id.split(".")[0]:
        return f"{value} is another provider's model; keep the same provider (the id's first part)."
    if modality not in chosen.get("outputModalities", []):
        return f"{value} does not output {modality} (see its outputModalities)."
    status = chosen.get("modelLifecycle", {}).get("status")
    if status != "ACTIVE":
        return f"{value} is {status}, not ACTIVE: read modelLifecycle['status']."
    return (
        f"{value} is ACTIVE but not the newest: compare modelLifecycle['startOfLifeTime'] "
        f"({sorted(a for a in accepted if a)[0]} is newer)."
    )


# ---------------------------------------------------------------- lesson 04: text-completions prompt -> Messages

PROMPT_CASES = [
    ("the article's prompt, fixed", "\n\nHuman:你是谁?请介绍自己，不少于100字\n\nAssistant:"),
    ("the article's prompt, as printed", "Human:你是谁?请介绍自己，不少于100字\n\nAssistant:"),
    ("a system prompt", "You are a terse assistant.\n\nHuman: What is Amazon Bedrock?\n\nAssistant:"),
    (
        "three turns",
        "\n\nHuman: Hi\n\nAssistant: Hello! How can I help?\n\nHuman: What is Amazon Bedrock?\n\nAssistant:",
    ),
    ("two human turns in a row", "\n\nHuman: Hi\n\nHuman: Are you there?\n\nAssistant:"),
]
_TURN = re.compile(r"(?:^|\n\n)(Human|Assistant):")


def to_messages_reference(prompt: str) -> dict:
    """The conversion the lesson asks for."""
    parts = _TURN.split(prompt)
    system, turns = parts[0].strip(), []
    for speaker, text in zip(parts[1::2], parts[2::2], strict=True):
        role = "user" if speaker == "Human" else "assistant"
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += "\n\n" + text.strip()
        else:
            turns.append({"role": role, "content": text.strip()})
    if turns and turns[-1]["role"] == "assistant" and not turns[-1]["content"]:
        turns.pop()
    return {"system": system, "messages": turns} if system else {"messages": turns}


def _plain(messages: object) -> object:
    """Messages with content as one string, whether written as a string or as text blocks."""
    if not isinstance(messages, list):
        return messages
    out = []
    for m in messages:
        if isinstance(m, dict) and isinstance(m.get("content"), list):
            texts = [b.get("text", "") for b in m["content"] if isinstance(b, dict)]
            m = {**m, "content": "".join(texts)}
        out.append(m)
    return out


def check_to_messages(to_messages: Callable[[str], dict], client: Any, model_id: str, name: str = "Stretch 04") -> None:
    """Grade `to_messages(prompt)`; every converted body is also sent to Claude, which must accept it."""
    for label, prompt in PROMPT_CASES:
        want = to_messages_reference(prompt)
        got = attempt(to_messages, prompt)
        problem = _to_messages_problem(got, want)
        if problem is None:
            body = {"anthropic_version": ANTHROPIC_VERSION, "max_tokens": 20, **got.value}
            try:
                client.invoke_model(modelId=model_id, body=json.dumps(body))
            except Exception as err:
                code, message = _error_code(err)
                if code != "ValidationException":
                    raise
                problem = f"Bedrock refused the body: {message}"
        if problem:
            return check(name, False, solved="", not_yet=f"'{label}': {problem}")
    check(name, True, solved=f"all {len(PROMPT_CASES)} prompts converted, and Claude accepted each body.", not_yet="")


def _to_messages_problem(got: Attempt, want: dict) -> str | None:
    if not got.ok:
        return f"to_messages() raised {got.describe_error()}."
    value = got.value
    if not isinstance(value, dict) or not isinstance(value.get("messages"), list):
        return f"to_messages() returned {value!r:.60}; return a dict with a 'messages' list."
    messages = _plain(value["messages"])
    if any(not isinstance(m, dict) or set(m) != {"role", "content"} for m in messages):
        return 'each message is a dict with exactly "role" and "content".'
    roles = [m["role"] for m in messages]
    if any(r not in ("user", "assistant") for r in roles):
        return f"roles are {roles}; the Messages API's roles are 'user' and 'assistant'."
    if value.get("system", "") != want.get("system", ""):
        if "system" in want:
            return f"the text before the first Human: turn is the system prompt: expected system={want['system']!r}."
        return f"this prompt has no system text, but you returned system={value.get('system')!r}."
    if roles and roles[-1] == "assistant" and not messages[-1]["content"].strip():
        return (
            "the prompt's final 'Assistant:' only marks where Claude takes over; "
            "the Messages API answers after the last user turn, so drop that empty turn."
        )
    want_roles = [m["role"] for m in want["messages"]]
    if roles != want_roles:
        if len(roles) > len(want_roles) and any(a == b for a, b in zip(roles, roles[1:], strict=False)):
            return "two turns of the same speaker in a row must become one turn (join their texts)."
        return f"roles are {roles}, expected {want_roles}."
    for got_turn, want_turn in zip(messages, want["messages"], strict=True):
        if got_turn["content"] != want_turn["content"]:
            if got_turn["content"].strip() == want_turn["content"]:
                return "strip the blank lines and spaces around each turn's text."
            return f"a {want_turn['role']} turn should read {want_turn['content']!r}, not {got_turn['content']!r}."
    return None


# ---------------------------------------------------------------- lesson 05: the most likely of n generations

COMMAND = "cohere.command-text-v14"


def check_best_of(best_of: Callable[[str, int], str], client: Any, name: str = "Stretch 05") -> None:
    """Grade `best_of(prompt, n)`: one call for n generations with likelihoods, the likeliest text back."""
    cases = [("Name a colour.", 3), ("Who are you?", 5)]
    for prompt, n in cases:
        with _recording(client) as calls:
            got = attempt(best_of, prompt, n)
        if not got.ok and _unavailable(got.error):
            return _all_skipped(name, [COMMAND])
        problem = _best_of_problem(got, calls, prompt, n, client)
        if problem:
            return check(name, False, solved="", not_yet=f"best_of({prompt!r}, {n}): {problem}")
    check(name, True, solved="one call per question, and the likeliest of its generations each time.", not_yet="")


def _best_of_problem(got: Attempt, calls: list[dict], prompt: str, n: int, client: Any) -> str | None:
    if not got.ok:
        if isinstance(got.error, KeyError) and "likelihood" in str(got.error):
            return f"raised {got.describe_error()}: generations carry a likelihood only if you ask for it."
        code, message = _error_code(got.error)
        if code:
            return f"Bedrock refused the call: {code}: {message}"
        return f"raised {got.describe_error()}."
    if not calls:
        return "best_of() made no call to Bedrock: ask Command for n generations."
    if len(calls) != 1:
        return f"it made {len(calls)} calls; one call returns up to 5 generations (num_generations)."
    params = calls[0]
    body = _body_of(params)
    if params.get("modelId") != COMMAND:
        return f"it called {params.get('modelId')}; the exercise is about {COMMAND}."
    if body.get("num_generations") != n:
        return f"the body asks for num_generations={body.get('num_generations')!r}; ask for n={n}."
    if body.get("return_likelihoods") not in ("GENERATION", "ALL"):
        return "the body does not ask for likelihoods (return_likelihoods)."
    # The same body again: offline the simulator answers a request the same way every time.
    generations = json.loads(client.invoke_model(modelId=COMMAND, body=params["body"])["body"].read())["generations"]
    texts = [g["text"] for g in generations]
    best = max(generations, key=lambda g: g["likelihood"])["text"]
    worst = min(generations, key=lambda g: g["likelihood"])["text"]
    value = got.value
    if isinstance(value, dict | list):
        return "return the chosen generation's text, a string."
    if value == best:
        return None
    if value == worst:
        return "that is the least likely one: likelihoods are logs, <= 0; the likeliest is the largest (nearest 0)."
    if value == texts[0]:
        return "that is the first generation; pick the one with the highest likelihood."
    return f"returned {str(value)[:50]!r}, not the text of any generation with the highest likelihood."


# ---------------------------------------------------------------- lesson 06: one ask() for every family

ASK_MODELS = ["anthropic.claude-v2", "cohere.command-text-v14", "ai21.j2-ultra-v1", "ai21.jamba-1-5-mini-v1:0"]
_CAP_KEY = {
    "anthropic": "max_tokens_to_sample",
    "cohere": "max_tokens",
    "ai21.j2": "maxTokens",
    "ai21.jamba": "max_tokens",
}


def _family(model_id: str) -> str:
    return next(f for f in ("ai21.j2", "ai21.jamba", "anthropic", "cohere") if model_id.startswith(f))


def answer_text(model_id: str, reply: dict) -> str:
    """Where each family's answer text sits (the lesson's side-by-side table)."""
    family = _family(model_id)
    if family == "anthropic":
        return reply["completion"]
    if family == "cohere":
        return reply["generations"][0]["text"]
    if family == "ai21.j2":
        return reply["completions"][0]["data"]["text"]
    return reply["choices"][0]["message"]["content"]


def check_ask_any(ask_any: Callable[[str, str, int], str], client: Any, name: str = "Stretch 06") -> None:
    """Grade `ask_any(model_id, question, max_tokens)` on Claude v2, Command, Jurassic-2 and Jamba."""
    done, skipped = [], []
    for model in ASK_MODELS:
        with _recording(client) as calls:
            got = attempt(ask_any, model, "Who are you?", 12)
        if not got.ok and _unavailable(got.error):
            skipped.append(model)
            continue
        problem = _ask_any_problem(got, calls, model, client)
        if problem:
            return check(name, False, solved="", not_yet=f"{model}: {problem}")
        done.append(model)
    if not done:
        return _all_skipped(name, skipped)
    check(name, True, solved=f"right body and right answer text for {len(done)} models." + _skipped_note(skipped),
          not_yet="")  # fmt: skip


def _ask_any_problem(got: Attempt, calls: list[dict], model: str, client: Any) -> str | None:
    if not got.ok:
        code, message = _error_code(got.error)
        if code:
            return f"Bedrock refused the body: {message}"
        return f"ask_any() raised {got.describe_error()}."
    if not calls:
        return "ask_any() made no call to Bedrock: build the body and send it with invoke_model."
    if len(calls) != 1 or calls[0].get("modelId") != model:
        return f"expected one invoke_model call to {model}, saw {[c.get('modelId') for c in calls]}."
    body = _body_of(calls[0])
    cap = _CAP_KEY[_family(model)]
    if body.get(cap) != 12:
        return f"the body's length cap is not 12 under this family's name for it ({sorted(body)} sent)."
    reply = json.loads(client.invoke_model(modelId=model, body=calls[0]["body"])["body"].read())
    want = answer_text(model, reply)
    if isinstance(got.value, dict | list):
        return "return the answer's text, a string, not the whole reply."
    if got.value != want:
        return f"returned {str(got.value)[:40]!r}; the answer text starts {want[:40]!r}."
    return None


# ---------------------------------------------------------------- lesson 08: the nearest size SDXL 1.0 accepts

SIZE_CASES = [(512, 512), (512, 768), (1920, 1080), (1080, 1920), (1000, 600), (2000, 500), (600, 1400), (1100, 900)]


def nearest_size_reference(width: int, height: int, sizes: list[tuple[int, int]]) -> tuple[int, int]:
    return min(sizes, key=lambda s: abs(s[0] / s[1] - width / height))


def check_nearest_size(nearest_size: Callable[[int, int], tuple[int, int]], name: str = "Stretch 08") -> None:
    from .images import allowed_sizes

    sizes = allowed_sizes("stability.stable-diffusion-xl-v1")
    for w, h in SIZE_CASES:
        want = nearest_size_reference(w, h, sizes)
        got = attempt(nearest_size, w, h)
        problem = _size_problem(got, want, w, h, sizes)
        if problem:
            return check(name, False, solved="", not_yet=f"nearest_size({w}, {h}): {problem}")
    check(name, True, solved=f"all {len(SIZE_CASES)} requests got the SDXL 1.0 size of nearest shape.", not_yet="")


def _size_problem(got: Attempt, want: tuple[int, int], w: int, h: int, sizes: list[tuple[int, int]]) -> str | None:
    if not got.ok:
        return f"raised {got.describe_error()}."
    value = got.value
    try:
        pair = (int(value[0]), int(value[1])) if len(value) == 2 else None
    except (TypeError, ValueError, KeyError):
        pair = None
    if pair is None:
        return f"returned {value!r}; return (width, height)."
    if pair == want:
        return None
    if pair not in sizes:
        return f"{pair[0]}x{pair[1]} is not one of SDXL 1.0's nine sizes."
    if pair == (want[1], want[0]):
        return f"width and height are swapped: {w}x{h} is {'landscape' if w > h else 'portrait'}."
    closest_area = min(sizes, key=lambda s: abs(s[0] * s[1] - w * h))
    if pair == closest_area:
        return "that is the nearest pixel count; all nine are about one megapixel: compare shapes (width / height)."
    shape = f"{pair[0]}x{pair[1]} has shape {pair[0] / pair[1]:.2f}"
    return f"{shape}; {want[0]}x{want[1]} ({want[0] / want[1]:.2f}) is nearer {w}/{h} = {w / h:.2f}."


# ---------------------------------------------------------------- lesson 09: a tool-use loop over Converse
# The learner's answer_with_tools() runs on five conversations with the notebook's client and tools: the
# weather in Lisbon, a greeting, an unknown city (the tool raises), a percentage (the calculator), and a
# toolChoice that forces a tool every time (the loop must stop after max_rounds model calls).

_RUNAWAY = 12  # model calls after which a loop is taken to be endless


class _RunawayLoop(Exception):
    """Raised inside the learner's loop when it keeps calling the model long after max_rounds."""


@contextmanager
def _watching_converse(client: Any) -> Iterator[list[dict]]:
    """Record each Converse call made with `client` (its parsed answer is added after the call)."""
    calls: list[dict] = []

    def before(params: dict, **_: Any) -> None:
        if len(calls) >= _RUNAWAY:
            raise _RunawayLoop(f"the model was called {len(calls)} times")
        calls.append({"params": dict(params)})

    def after(parsed: dict, **_: Any) -> None:
        if calls:
            calls[-1]["reply"] = parsed

    client.meta.events.register("provide-client-params.bedrock-runtime.Converse", before)
    client.meta.events.register("after-call.bedrock-runtime.Converse", after)
    try:
        yield calls
    finally:
        client.meta.events.unregister("provide-client-params.bedrock-runtime.Converse", before)
        client.meta.events.unregister("after-call.bedrock-runtime.Converse", after)


def _counted_tools(functions: dict[str, Callable]) -> tuple[dict[str, Callable], list[tuple[str, dict]]]:
    """The learner's tools wrapped so the grader sees every call and its arguments."""
    log: list[tuple[str, dict]] = []

    def wrap(name: str, func: Callable) -> Callable:
        def called(**kwargs: Any) -> Any:
            log.append((name, kwargs))
            return func(**kwargs)

        return called

    return {name: wrap(name, func) for name, func in functions.items()}, log


def _converse_blocks(messages: list, kind: str) -> list[dict]:
    return [
        block[kind]
        for message in messages
        if isinstance(message, dict)
        for block in message.get("content") or []
        if isinstance(block, dict) and kind in block
    ]


def _converse_text(message: object) -> str:
    if not isinstance(message, dict):
        return ""
    return "".join(b["text"] for b in message.get("content") or [] if isinstance(b, dict) and "text" in b)


def _loop_error(error: BaseException) -> str:
    _, message = _error_code(error)
    if isinstance(error, _RunawayLoop):
        return "it never stopped: the model keeps asking for a tool, so stop after max_rounds calls."
    if "tool_result" in message:
        return (
            f"Bedrock said: {message} Every toolUse needs a toolResult with the same toolUseId in the next "
            "user message."
        )
    if "toolConfig field must be defined" in message:
        return f"Bedrock said: {message} Send toolConfig with every call of the loop."
    if "alternate" in message:
        return f"Bedrock said: {message} Append the assistant's message before the user message with the results."
    if message:
        return f"Bedrock said: {message}"
    return f"your function raised {type(error).__name__}: {error}"


def _loop_case(answer_with_tools: Callable, client: Any, question: str, tool_config: dict, functions: dict, **kw: Any):
    """Run one case: (conversation or None, why it failed or None, model calls, tool calls)."""
    wrapped, tool_log = _counted_tools(functions)
    with _watching_converse(client) as calls:
        try:
            value = answer_with_tools(question, tool_config, wrapped, **kw)
        except Exception as error:  # the learner's code may raise anything; the verdict names it
            return None, _loop_error(error), calls, tool_log
    if not isinstance(value, list) or not value or not all(isinstance(m, dict) for m in value):
        return None, f"it returned {value!r}: return the conversation, the list of messages.", calls, tool_log
    return value, None, calls, tool_log


def check_tool_loop(
    answer_with_tools: Callable,
    client: Any,
    model_id: str,
    tool_config: dict,
    functions: dict,
    name: str = "Stretch 09",
) -> None:
    """Print whether `answer_with_tools(question, tool_config, functions, model_id=..., max_rounds=...)`
    runs tools until the model is done, returns the conversation, reports tool errors and stops."""
    verdict = _loop_problem(answer_with_tools, client, model_id, tool_config, functions)
    check(name, verdict is None, solved=_LOOP_SOLVED, not_yet=verdict or "")


_LOOP_SOLVED = (
    "the loop ran get_weather and calculate for the model, sent the Porto error back as a toolResult with status "
    "error, answered a greeting with no tool at all, and stopped when a forced toolChoice kept the model asking."
)


def _loop_problem(answer_with_tools, client, model_id, tool_config, functions) -> str | None:
    """None when every case passes, else what went wrong in the first case that failed."""

    def run(question: str, config: dict = tool_config, **kw: Any):
        return _loop_case(answer_with_tools, client, question, config, functions, model_id=model_id, **kw)

    weather = "What's the weather like in Lisbon today?"
    messages, why, calls, tools = run(weather)
    if why:
        return f"{weather!r}: {why}"
    last = calls[-1].get("reply", {}) if calls else {}
    if not _converse_blocks(messages, "toolUse"):
        return f"{weather!r}: the conversation has no toolUse: append each of the model's messages to it."
    if last.get("stopReason") == "tool_use" or messages[-1].get("role") != "assistant":
        return (
            f"{weather!r}: the conversation ends with the model asking for get_weather. Run the tool, send its "
            "result back, and call the model again while stopReason is tool_use."
        )
    if not any(name == "get_weather" for name, _ in tools):
        return f"{weather!r}: get_weather never ran: call functions[name](**input) for each toolUse block."
    uses = {u.get("toolUseId") for u in _converse_blocks(messages, "toolUse")}
    results = _converse_blocks(messages, "toolResult")
    if not results or any(r.get("toolUseId") not in uses for r in results):
        return f"{weather!r}: each toolResult must carry the toolUseId of the toolUse it answers."
    if "19" not in _converse_text(messages[-1]):
        return f"{weather!r}: the final answer doesn't use the tool's result (Lisbon is 19 °C): send the result back."

    hello = "Hello!"
    messages, why, calls, tools = run(hello)
    if why:
        return f"{hello!r}: {why}"
    if tools or len(calls) != 1 or [m.get("role") for m in messages] != ["user", "assistant"]:
        return (
            f"{hello!r}: a greeting needs no tool: one call to the model, and the conversation is the question and "
            f"the answer (yours made {len(calls)} calls and has {len(messages)} messages)."
        )

    porto = "What's the weather in Porto?"
    messages, why, calls, tools = run(porto)
    if why:
        if "no weather for" in why:
            return (
                f"{porto!r}: get_weather raised an error and your loop stopped. Catch it and send it back as a "
                'toolResult with "status": "error", so the model can say what went wrong.'
            )
        return f"{porto!r}: {why}"
    results = _converse_blocks(messages, "toolResult")
    if not results or results[0].get("status") != "error":
        return f'{porto!r}: get_weather failed, so its toolResult needs "status": "error" and the error\'s text.'
    if messages[-1].get("role") != "assistant":
        return f"{porto!r}: after sending the error back, call the model once more for its answer."

    percent = "What is 17.5% of 240 plus 12?"
    messages, why, calls, tools = run(percent)
    if why:
        return f"{percent!r}: {why}"
    if not any(name == "calculate" for name, _ in tools):
        return f"{percent!r}: calculate never ran: look the tool up by the toolUse's name in `functions`."
    if "54" not in _converse_text(messages[-1]):
        return f"{percent!r}: the final answer doesn't use calculate's result (54)."

    forced = {**tool_config, "toolChoice": {"any": {}}}
    messages, why, calls, tools = run(weather, forced, max_rounds=3)
    if why:
        return f"with toolChoice any and max_rounds=3: {why}"
    if len(calls) > 3:
        return (
            f"with toolChoice any the model asks for a tool every time; your loop called it {len(calls)} times "
            "with max_rounds=3: stop after max_rounds calls."
        )
    return None
