"""The stretch graders accept a right answer and name the mistake in the wrong answers learners give.

The notebooks' own intended answers are run by test_lesson_exercises.py; here each grader meets
small right and wrong implementations directly, through real boto3 clients answered offline.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from fnmatch import fnmatchcase

import boto3
import pytest

from helpers import stretch
from tests.conftest import NO_RETRIES


@pytest.fixture
def verdict(capsys):
    """Run a grader; return what it printed, on one line."""

    def run(grader, *args):
        grader(*args)
        return " ".join(capsys.readouterr().out.split())

    return run


def solved(text: str) -> bool:
    return text.startswith("\u2705") and "solved" in text


# ---------------------------------------------------------------- 00


def allows_right(policy, action, resource):
    allowed = False
    for statement in policy["Statement"]:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        resources = [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]
        if any(fnmatchcase(action, a) for a in actions) and any(fnmatchcase(resource, r) for r in resources):
            if statement["Effect"] == "Deny":
                return False
            allowed = True
    return allowed


def allows_iterating_strings(policy, action, resource):
    for statement in policy["Statement"]:
        if any(fnmatchcase(action, a) for a in statement["Action"]) and any(
            fnmatchcase(resource, r) for r in statement["Resource"]
        ):
            return statement["Effect"] == "Allow"
    return False


def allows_exact_only(policy, action, resource):
    for statement in policy["Statement"]:
        if action in statement["Action"] and (statement["Resource"] == "*" or resource in statement["Resource"]):
            return statement["Effect"] == "Allow"
    return False


@pytest.mark.parametrize(
    "answer, expected",
    [
        (allows_right, "solved"),
        (lambda p, a, r: False, 'Resource "*" matches every ARN'),
        (lambda p, a, r: True, "implicit deny"),
        (lambda p, a, r: "yes", "return True or False"),
        (allows_exact_only, "also inside an ARN"),
        (allows_iterating_strings, "may each be one string"),
        (lambda p, a, r: p["Statement"][0]["Effect"] == "Allow" and allows_right(p, a, r) or False, "Deny"),
    ],
)
def test_policy_grader(verdict, answer, expected):
    assert expected in verdict(stretch.check_allows, answer)


def test_the_reference_rule_agrees_with_every_case():
    for _label, policy, action, resource, want, _why in stretch.POLICY_CASES:
        assert stretch.allows_reference(policy, action, resource) is want


# ---------------------------------------------------------------- 01


def cost_right(response, usd_per_1k_input, usd_per_1k_output):
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    tokens_in = int(headers["x-amzn-bedrock-input-token-count"])
    tokens_out = int(headers["x-amzn-bedrock-output-token-count"])
    return (tokens_in * usd_per_1k_input + tokens_out * usd_per_1k_output) / 1000


def cost_from_body(response, usd_per_1k_input, usd_per_1k_output):
    return json.loads(response["body"].read())["inputTextTokenCount"] * usd_per_1k_input / 1000


@pytest.mark.parametrize(
    "answer, expected",
    [
        (cost_right, "solved"),
        (lambda r, i, o: 0.0, "still returns 0"),
        (lambda r, i, o: r["ResponseMetadata"]["HTTPHeaders"]["x-amzn-bedrock-input-token-count"] * i, "int() them"),
        (lambda r, i, o: cost_right(r, i, o) * 1000, "1,000 times too much"),
        (lambda r, i, o: cost_right(r, i, 0), "counts only the"),
        (lambda r, i, o: cost_right(r, o, i), "swapped"),
        (cost_from_body, "Only Titan's body"),
        (lambda r, i, o: str(cost_right(r, i, o)), "as a number"),
    ],
)
def test_cost_grader(verdict, runtime, answer, expected):
    assert expected in verdict(stretch.check_cost, answer, runtime, "Amazon Bedrock is a fully managed service.")


# ---------------------------------------------------------------- 02


def collect_right(response):
    text, stop, metrics = "", None, {}
    for event in response["body"]:
        chunk = json.loads(event["chunk"]["bytes"])
        piece, reason = stretch._piece_and_stop(chunk)
        text, stop = text + piece, reason or stop
        metrics = chunk.get("amazon-bedrock-invocationMetrics", metrics)
    return {"text": text, "stop_reason": stop, "input_tokens": metrics.get("inputTokenCount"),
            "output_tokens": metrics.get("outputTokenCount")}  # fmt: skip


def collect_claude_only(response):
    result = collect_right(response)
    if result["stop_reason"] not in ("max_tokens", "stop_sequence"):
        result["stop_reason"] = None
    return result


def collect_no_metrics(response):
    return {**collect_right(response), "input_tokens": None}


def collect_completion_key(response):
    events = list(response["body"])
    chunks = [json.loads(e["chunk"]["bytes"]) for e in events]
    return {**collect_right({"body": events}), "text": "".join(c["completion"] for c in chunks)}


@pytest.mark.parametrize(
    "answer, expected",
    [
        (collect_right, "solved"),
        (collect_claude_only, "under another key"),
        (collect_no_metrics, "amazon-bedrock-invocationMetrics"),
        (collect_completion_key, "raised KeyError: 'completion'"),
        (lambda r: "text", "return a dict"),
    ],
)
def test_stream_grader(verdict, runtime, answer, expected):
    assert expected in verdict(stretch.check_collect, answer, runtime)


def test_stream_grader_skips_retired_models_and_still_grades_the_rest(verdict, runtime, monkeypatch):
    monkeypatch.setenv("BEDROCK_SIMULATOR_LIFECYCLE", "current")
    text = verdict(stretch.check_collect, collect_right, runtime)
    assert solved(text) and "Skipped" in text and "anthropic.claude-v2" in text


# ---------------------------------------------------------------- 03


def successor_right(model_id, output_modality, summaries):
    provider = model_id.split(".")[0]
    found = [s for s in summaries if s["modelId"].split(".")[0] == provider
             and output_modality in s["outputModalities"] and s["modelLifecycle"]["status"] == "ACTIVE"]  # fmt: skip
    if not found:
        return None
    oldest = datetime.min.replace(tzinfo=UTC)
    return max(found, key=lambda s: s["modelLifecycle"].get("startOfLifeTime") or oldest)["modelId"]


def successor_any_status(model_id, output_modality, summaries):
    found = [s for s in summaries if s["modelId"].split(".")[0] == model_id.split(".")[0]
             and output_modality in s["outputModalities"]]  # fmt: skip
    return max(found, key=lambda s: s["modelLifecycle"]["startOfLifeTime"])["modelId"] if found else None


def successor_first_active(model_id, output_modality, summaries):
    for s in summaries:
        if (s["modelId"].startswith(model_id.split(".")[0] + ".") and output_modality in s["outputModalities"]
                and s["modelLifecycle"]["status"] == "ACTIVE"):  # fmt: skip
            return s["modelId"]
    return None


@pytest.mark.parametrize(
    "answer, expected",
    [
        (successor_right, "solved"),
        (successor_first_active, "not the newest"),
        (lambda m, o, s: None, "returned None"),
        (lambda m, o, s: next(x for x in s if x["modelId"].startswith(m.split(".")[0])), "not its whole summary"),
    ],
)
def test_successor_grader(verdict, bedrock, answer, expected):
    assert expected in verdict(stretch.check_successor, answer, bedrock)


def test_successor_grader_names_a_legacy_choice(verdict, bedrock, monkeypatch):
    legacy = {"anthropic.claude-v2": "anthropic.claude-3-haiku-20240307-v1:0"}

    def answer(model_id, output_modality, summaries):
        return legacy.get(model_id) or successor_right(model_id, output_modality, summaries)

    assert "is LEGACY, not ACTIVE" in verdict(stretch.check_successor, answer, bedrock)


def test_successor_grader_wants_none_when_a_provider_has_no_active_model(verdict, bedrock):
    summaries = bedrock.list_foundation_models()["modelSummaries"]
    assert stretch.successor_candidates("cohere.command-text-v14", "IMAGE", summaries) == {None}
    assert successor_any_status("ai21.j2-ultra-v1", "TEXT", summaries) is not None


# ---------------------------------------------------------------- 04

HAIKU_45 = "us.anthropic.claude-haiku-4-5-20251001-v1:0"


def to_messages_right(prompt):
    return stretch.to_messages_reference(prompt)


def to_messages_keeps_last(prompt):
    parts = re.split(r"(?:^|\n\n)(Human|Assistant):", prompt)
    turns = [{"role": "user" if s == "Human" else "assistant", "content": t.strip()}
             for s, t in zip(parts[1::2], parts[2::2], strict=True)]  # fmt: skip
    return {"system": parts[0].strip(), "messages": turns} if parts[0].strip() else {"messages": turns}


def to_messages_no_merge(prompt):
    body = to_messages_keeps_last(prompt)
    if body["messages"][-1] == {"role": "assistant", "content": ""}:
        body["messages"].pop()
    return body


def to_messages_needs_blank_line(prompt):
    return to_messages_right(prompt if prompt.startswith("\n\n") else "x" + prompt)


@pytest.mark.parametrize(
    "answer, expected",
    [
        (to_messages_right, "solved"),
        (to_messages_keeps_last, "drop that empty turn"),
        (to_messages_no_merge, "same speaker in a row"),
        (to_messages_needs_blank_line, "as printed"),
        (lambda p: {"messages": [{"role": "Human", "content": p}]}, "'user' and 'assistant'"),
        (lambda p: {"messages": [{"role": "user", "content": p}]}, "should read"),
    ],
)
def test_messages_grader(verdict, runtime, answer, expected):
    assert expected in verdict(stretch.check_to_messages, answer, runtime, HAIKU_45)


def test_messages_grader_reports_what_bedrock_refuses(verdict, runtime):
    def blocks(prompt):
        body = to_messages_right(prompt)
        turns = [{**m, "content": [{"type": "text", "text": m["content"]}]} for m in body["messages"]]
        return {**body, "messages": turns, "max_tokens": 0}

    assert "Bedrock refused the body: Malformed input request" in verdict(
        stretch.check_to_messages, blocks, runtime, HAIKU_45
    )


# ---------------------------------------------------------------- 05


def best_of_factory(client, pick=max, likelihoods="GENERATION", calls=1):
    def best_of(prompt, n):
        per_call = n // calls
        generations = []
        for _ in range(calls):
            body = {"prompt": prompt, "max_tokens": 60, "num_generations": per_call}
            if likelihoods:
                body["return_likelihoods"] = likelihoods
            reply = client.invoke_model(modelId="cohere.command-text-v14", body=json.dumps(body))
            generations += json.loads(reply["body"].read())["generations"]
        return pick(generations, key=lambda g: g["likelihood"])["text"]

    return best_of


@pytest.mark.parametrize(
    "options, expected",
    [
        ({}, "solved"),
        ({"pick": min}, "least likely"),
        ({"likelihoods": None}, "likelihood only if you ask"),
        ({"pick": lambda gens, key: gens[0]}, "first generation"),
    ],
)
def test_best_of_grader(verdict, runtime, options, expected):
    assert expected in verdict(stretch.check_best_of, best_of_factory(runtime, **options), runtime)


def test_best_of_grader_counts_calls(verdict, runtime):
    def one_at_a_time(prompt, n):
        texts = []
        for _ in range(n):
            body = {"prompt": prompt, "max_tokens": 60, "return_likelihoods": "GENERATION"}
            reply = runtime.invoke_model(modelId="cohere.command-text-v14", body=json.dumps(body))
            texts.append(json.loads(reply["body"].read())["generations"][0])
        return max(texts, key=lambda g: g["likelihood"])["text"]

    assert "one call returns up to 5" in verdict(stretch.check_best_of, one_at_a_time, runtime)


def test_best_of_grader_skips_when_command_is_retired(verdict, runtime, monkeypatch):
    monkeypatch.setenv("BEDROCK_SIMULATOR_LIFECYCLE", "current")
    assert "skipped" in verdict(stretch.check_best_of, best_of_factory(runtime), runtime)


# ---------------------------------------------------------------- 06


def ask_any_factory(client, cap_keys=None, text=stretch.answer_text):
    caps = cap_keys or {"anthropic": "max_tokens_to_sample", "cohere": "max_tokens", "ai21.j2": "maxTokens",
                        "ai21.jamba": "max_tokens"}  # fmt: skip

    def ask_any(model_id, question, max_tokens):
        family = stretch._family(model_id)
        if family == "anthropic":
            body = {"prompt": f"\n\nHuman: {question}\n\nAssistant:"}
        elif family == "ai21.jamba":
            body = {"messages": [{"role": "user", "content": question}]}
        else:
            body = {"prompt": question}
        body[caps[family]] = max_tokens
        reply = json.loads(client.invoke_model(modelId=model_id, body=json.dumps(body))["body"].read())
        return text(model_id, reply)

    return ask_any


@pytest.mark.parametrize(
    "options, expected",
    [
        ({}, "solved"),
        (
            {
                "cap_keys": {
                    "anthropic": "max_tokens_to_sample",
                    "cohere": "max_tokens",
                    "ai21.j2": "max_tokens",
                    "ai21.jamba": "max_tokens",
                }
            },
            "Bedrock refused the body: Malformed input request",
        ),  # fmt: skip
        ({"text": lambda m, r: r}, "not the whole reply"),
        ({"text": lambda m, r: r["completion"]}, "raised KeyError: 'completion'"),
    ],
)
def test_ask_any_grader(verdict, runtime, options, expected):
    assert expected in verdict(stretch.check_ask_any, ask_any_factory(runtime, **options), runtime)


def test_ask_any_grader_wants_the_cap_it_asked_for(verdict, runtime):
    right = ask_any_factory(runtime)
    assert "length cap is not 12" in verdict(stretch.check_ask_any, lambda m, q, n: right(m, q, 300), runtime)


# ---------------------------------------------------------------- 08


SDXL_SIZES = [(1024, 1024), (1152, 896), (1216, 832), (1344, 768), (1536, 640), (640, 1536), (768, 1344),
              (832, 1216), (896, 1152)]  # fmt: skip


def nearest_right(width, height):
    return min(SDXL_SIZES, key=lambda s: abs(s[0] / s[1] - width / height))


@pytest.mark.parametrize(
    "answer, expected",
    [
        (nearest_right, "solved"),
        (lambda w, h: (w, h), "is not one of SDXL 1.0's nine sizes"),
        (lambda w, h: nearest_right(h, w), "swapped"),
        (lambda w, h: (1024, 1024), "1024x1024 has shape 1.00"),
        (lambda w, h: min(SDXL_SIZES, key=lambda s: abs(s[0] * s[1] - w * h)), "pixel count"),
        (lambda w, h: 1024, "return (width, height)"),
    ],
)
def test_size_grader(verdict, answer, expected):
    assert expected in verdict(stretch.check_nearest_size, answer)


def test_graders_follow_the_notebook_client_region():
    west = boto3.client("bedrock-runtime", region_name="eu-central-1", config=NO_RETRIES)
    assert stretch.profile_for("anthropic.claude-haiku-4-5-20251001-v1:0", west.meta.region_name).startswith("eu.")


# ---------------------------------------------------------------- 09

HAIKU_PROFILE = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
WEATHER = {"Lisbon": {"temperature_c": 19, "sky": "sunny"}}


def get_weather(city, unit="celsius"):
    if city not in WEATHER:
        raise ValueError(f"no weather for {city!r}")
    return {"city": city, **WEATHER[city]}


def calculate(expression):
    return {"expression": expression, "value": round(eval(expression, {"__builtins__": {}}), 6)}


def _spec(name, field):
    schema = {"type": "object", "properties": {field: {"type": "string"}}, "required": [field]}
    return {"toolSpec": {"name": name, "description": f"{name} by {field}", "inputSchema": {"json": schema}}}


TOOLS = {"tools": [_spec("get_weather", "city"), _spec("calculate", "expression")]}
FUNCTIONS = {"get_weather": get_weather, "calculate": calculate}


def loop_factory(runtime, *, rounds=True, catch=True, status=True, same_id=True, returns=True):
    """A tool-use loop; each option switched off is a mistake learners make."""

    def answer_with_tools(question, tool_config, functions, model_id=HAIKU_PROFILE, max_rounds=5):
        messages = [{"role": "user", "content": [{"text": question}]}]
        for _ in range(max_rounds if rounds else 50):
            reply = runtime.converse(modelId=model_id, messages=messages, toolConfig=tool_config)
            messages.append(reply["output"]["message"])
            if reply["stopReason"] != "tool_use":
                break
            results = []
            for block in reply["output"]["message"]["content"]:
                if "toolUse" not in block:
                    continue
                use, outcome = block["toolUse"], {"status": "success"}
                try:
                    outcome["content"] = [{"json": functions[use["name"]](**use["input"])}]
                except ValueError as err:
                    if not catch:
                        raise
                    outcome = {"content": [{"text": str(err)}], "status": "error" if status else "success"}
                outcome["toolUseId"] = use["toolUseId"] if same_id else "tooluse_made_up"
                results.append({"toolResult": outcome})
            messages.append({"role": "user", "content": results})
        return messages if returns else None

    return answer_with_tools


def one_round(runtime):
    def answer_with_tools(question, tool_config, functions, model_id=HAIKU_PROFILE, max_rounds=5):
        messages = [{"role": "user", "content": [{"text": question}]}]
        reply = runtime.converse(modelId=model_id, messages=messages, toolConfig=tool_config)
        return messages + [reply["output"]["message"]]

    return answer_with_tools


@pytest.mark.parametrize(
    "options, expected",
    [
        ({}, "solved"),
        ({"catch": False}, "Catch it and send it back"),
        ({"status": False}, '"status": "error"'),
        ({"rounds": False}, "never stopped"),
        ({"same_id": False}, "same toolUseId"),
        ({"returns": False}, "return the conversation"),
    ],
)
def test_tool_loop_grader(verdict, runtime, options, expected):
    said = verdict(stretch.check_tool_loop, loop_factory(runtime, **options), runtime, HAIKU_PROFILE, TOOLS, FUNCTIONS)
    assert expected in said, said


def test_tool_loop_grader_wants_the_loop_to_go_on_after_a_tool_use(verdict, runtime):
    said = verdict(stretch.check_tool_loop, one_round(runtime), runtime, HAIKU_PROFILE, TOOLS, FUNCTIONS)
    assert "call the model again while stopReason is tool_use" in said, said
