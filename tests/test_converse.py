"""Converse and ConverseStream through real boto3 clients: shapes, layers of validation, features, tools."""

from __future__ import annotations

import json
import re
import time

import boto3
import pytest

from helpers.simulator import catalog, converse, coral
from helpers.simulator.errors import CONVERSE_UNSUPPORTED, END_OF_LIFE, INVALID_MODEL_ID, ON_DEMAND_NOT_SUPPORTED

from .conftest import NO_RETRIES, error_of
from .core_support import capture_responses, service_model, shape_problems
from .test_core_families import callable_id

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
NOVA_LITE = "amazon.nova-lite-v1:0"
HI = [{"role": "user", "content": [{"text": "What is Amazon Bedrock?"}]}]
WEATHER = {
    "tools": [
        {
            "toolSpec": {
                "name": "get_weather",
                "description": "Get the current weather for a city",
                "inputSchema": {
                    "json": {
                        "type": "object",
                        "properties": {
                            "city": {"type": "string", "description": "The city"},
                            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                        },
                        "required": ["city"],
                    }
                },
            }
        }
    ]
}
TOOL_USE_ID = re.compile(r"^tooluse_[A-Za-z0-9_-]{22}$")


def refused(call, **kwargs) -> tuple[str, str, int]:
    client = call.__self__
    with pytest.raises(client.exceptions.ClientError) as exc:
        result = call(**kwargs)
        for _ in result.get("stream", []):
            pass
    return error_of(exc)


def text_of(response: dict) -> str:
    return "".join(b.get("text", "") for b in response["output"]["message"]["content"])


def conversational() -> list[catalog.Model]:
    return [m for m in catalog.all_models() if m.converse]


# ------------------------------------------------------------------ every model, both operations


@pytest.mark.parametrize("model", conversational(), ids=lambda m: m.model_id)
def test_every_conversational_model_answers_converse_in_bedrocks_shape(model):
    model_id, region = callable_id(model)
    client = boto3.client("bedrock-runtime", region_name=region, config=NO_RETRIES)
    seen = capture_responses(client, "Converse")
    response = client.converse(modelId=model_id, messages=HI, inferenceConfig={"maxTokens": 200})
    raw = json.loads(seen[0]["body"])
    assert shape_problems(raw, "ConverseResponse", service_model("bedrock-runtime")["shapes"]) == []
    assert response["output"]["message"]["role"] == "assistant" and text_of(response).strip()
    usage = response["usage"]
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"] and usage["outputTokens"] <= 200
    assert response["stopReason"] in ("end_turn", "max_tokens") and response["metrics"]["latencyMs"] > 0


@pytest.mark.parametrize("model", [m for m in conversational() if m.streaming], ids=lambda m: m.model_id)
def test_every_streaming_model_streams_the_same_answer(model):
    model_id, region = callable_id(model)
    client = boto3.client("bedrock-runtime", region_name=region, config=NO_RETRIES)
    whole = client.converse(modelId=model_id, messages=HI, inferenceConfig={"maxTokens": 60})
    events = list(client.converse_stream(modelId=model_id, messages=HI, inferenceConfig={"maxTokens": 60})["stream"])
    kinds = [next(iter(e)) for e in events]
    assert kinds[0] == "messageStart" and kinds[-2:] == ["messageStop", "metadata"]
    assert "contentBlockStart" not in kinds  # none for text blocks
    streamed = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert streamed == text_of(whole)
    assert events[-1]["metadata"]["usage"] == whole["usage"]
    assert events[-2]["messageStop"]["stopReason"] == whole["stopReason"]


def test_text_arrives_a_few_tokens_a_delta_as_recorded_streams_show(runtime):
    """About 3 tokens a delta, first one a single token, sizes varying (DELTA_TOKENS and its sources)."""
    from helpers.simulator.generators import tokens

    ask = [{"role": "user", "content": [{"text": "Write at least 200 words about Amazon Bedrock."}]}]
    events = list(runtime.converse_stream(modelId=NOVA_LITE, messages=ask)["stream"])
    deltas = [e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e]
    sizes = [tokens.count(d) for d in deltas]
    output_tokens = events[-1]["metadata"]["usage"]["outputTokens"]
    assert sum(sizes) == output_tokens > 200
    assert sizes[0] == 1 and len(set(sizes)) > 3 and max(sizes) <= 7
    assert 2.5 <= output_tokens / len(deltas) <= 3.5
    assert {e["contentBlockDelta"]["contentBlockIndex"] for e in events if "contentBlockDelta" in e} == {0}


@pytest.mark.parametrize(
    "model_id",
    [
        "amazon.titan-embed-text-v2:0",
        "cohere.embed-english-v3",
        "stability.stable-diffusion-xl-v1",
        "amazon.nova-canvas-v1:0",
        "anthropic.claude-v1",
    ],
)
def test_models_converse_does_not_serve_are_refused_in_bedrocks_words(runtime, model_id):
    for call in (runtime.converse, runtime.converse_stream):
        assert refused(call, modelId=model_id, messages=HI) == ("ValidationException", CONVERSE_UNSUPPORTED, 400)


def test_jurassic_converses_but_does_not_stream(runtime):
    assert text_of(runtime.converse(modelId="ai21.j2-mid-v1", messages=HI))
    code, message, _ = refused(runtime.converse_stream, modelId="ai21.j2-mid-v1", messages=HI)
    assert (code, message) == ("ValidationException", "The model is unsupported for streaming.")


def test_model_checks_are_the_ones_invoke_model_makes(runtime, monkeypatch):
    v2 = "anthropic.claude-3-5-sonnet-20241022-v2:0"
    assert refused(runtime.converse, modelId=v2, messages=HI) == (
        "ValidationException",
        ON_DEMAND_NOT_SUPPORTED.format(model_id=v2),
        400,
    )
    assert text_of(runtime.converse(modelId=f"us.{v2}", messages=HI))
    assert refused(runtime.converse, modelId="anthropic.claude-v9", messages=HI)[1] == INVALID_MODEL_ID
    monkeypatch.setenv("BEDROCK_SIMULATOR_LIFECYCLE", "current")
    assert refused(runtime.converse, modelId="anthropic.claude-v2", messages=HI) == (
        "ResourceNotFoundException",
        END_OF_LIFE,
        404,
    )


# ------------------------------------------------------------------ usage, metrics, stream framing


def test_usage_counts_the_system_prompt_and_tool_definitions(runtime):
    plain = runtime.converse(modelId=HAIKU, messages=HI)["usage"]["inputTokens"]
    with_system = runtime.converse(modelId=HAIKU, messages=HI, system=[{"text": "You are a terse assistant."}])
    with_tools = runtime.converse(modelId=HAIKU, messages=HI, toolConfig=WEATHER)
    assert with_system["usage"]["inputTokens"] > plain
    assert with_tools["usage"]["inputTokens"] > plain + 100  # definitions plus Anthropic's tool-use prompt


def test_stream_events_carry_bedrocks_padding_and_sorted_keys(runtime):
    from botocore.eventstream import EventStreamBuffer

    seen = []
    runtime.meta.events.register("before-parse.bedrock-runtime.ConverseStream", lambda **kw: seen.append(kw))
    response = runtime.converse_stream(modelId=HAIKU, messages=HI, inferenceConfig={"maxTokens": 8})
    raw = b"".join(response["stream"]._raw_stream.stream())
    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    messages = list(buffer)
    headers = messages[0].headers
    assert headers == {":event-type": "messageStart", ":content-type": "application/json", ":message-type": "event"}
    payloads = [json.loads(m.payload) for m in messages]
    for payload in payloads:
        assert list(payload) == sorted(payload) and re.fullmatch(r"[a-zA-Z0-9]+", payload["p"])
    assert payloads[0]["role"] == "assistant"


def test_stop_sequences_and_max_tokens_map_onto_converses_stop_reasons(runtime):
    cut = runtime.converse(modelId=NOVA_LITE, messages=HI, inferenceConfig={"maxTokens": 3})
    assert cut["stopReason"] == "max_tokens" and cut["usage"]["outputTokens"] == 3
    stopped = runtime.converse(modelId=NOVA_LITE, messages=HI, inferenceConfig={"stopSequences": ["simulated"]})
    assert stopped["stopReason"] == "stop_sequence" and "simulated" not in text_of(stopped)


def test_additional_response_fields_are_read_from_the_native_response(runtime):
    response = runtime.converse(
        modelId=HAIKU,
        messages=HI,
        inferenceConfig={"stopSequences": ["simulated"]},
        additionalModelResponseFieldPaths=["/stop_sequence", "/usage/output_tokens"],
    )
    extra = response["additionalModelResponseFields"]
    assert extra == {"stop_sequence": "simulated", "usage": {"output_tokens": response["usage"]["outputTokens"]}}


# ------------------------------------------------------------------ layer 1: Coral constraints


def test_out_of_range_inference_values_get_corals_message(runtime):
    bad = {"temperature": 2.0}
    assert refused(runtime.converse, modelId=HAIKU, messages=HI, inferenceConfig=bad)[1] == (
        "1 validation error detected: Value '2.0' at 'inferenceConfig.temperature' failed to satisfy constraint: "
        "Member must have value less than or equal to 1"
    )
    both = {"temperature": 1.5, "topP": 1.01}  # botocore itself refuses values under the minimum
    assert refused(runtime.converse, modelId=HAIKU, messages=HI, inferenceConfig=both)[1] == (
        "2 validation errors detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint: "
        "Member must have value less than or equal to 1; Value '1.01' at 'inferenceConfig.topP' failed to satisfy "
        "constraint: Member must have value less than or equal to 1"
    )


def test_a_system_role_message_and_a_bad_tool_name_are_coral_errors(runtime):
    messages = [{"role": "system", "content": [{"text": "Be brief."}]}, *HI]
    assert refused(runtime.converse, modelId=HAIKU, messages=messages)[1] == (
        "1 validation error detected: Value 'system' at 'messages.1.member.role' failed to satisfy constraint: "
        "Member must satisfy enum value set: [user, assistant]"
    )
    tools = json.loads(json.dumps(WEATHER))
    tools["tools"][0]["toolSpec"]["name"] = "get weather"
    assert (
        "at 'toolConfig.tools.1.member.toolSpec.name' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: [a-zA-Z0-9_-]+"
        in refused(runtime.converse, modelId=HAIKU, messages=HI, toolConfig=tools)[1]
    )


def test_constraints_come_before_the_model_is_looked_up(runtime):
    message = refused(runtime.converse, modelId="anthropic.claude-v9", messages=HI, inferenceConfig={"topP": 3.0})[1]
    assert message.startswith("1 validation error detected: Value '3.0' at 'inferenceConfig.topP'")


# ------------------------------------------------------------------ layer 3: conversation rules


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([], converse.STARTS_WITH_USER),
        ([{"role": "assistant", "content": [{"text": "Hello"}]}, *HI], converse.STARTS_WITH_USER),
        ([*HI, *HI], converse.ALTERNATE),
        ([*HI, {"role": "assistant", "content": []}, *HI], converse.EMPTY_CONTENT.format(i=1)),
        ([{"role": "user", "content": [{"text": "  "}]}], converse.BLANK_TEXT.format(i=0, j=0)),
        ([{"role": "user", "content": [{"text": "Hi"}, {"text": ""}]}], converse.BLANK_TEXT.format(i=0, j=1)),
    ],
)
def test_conversation_rules_use_bedrocks_texts(runtime, messages, expected):
    assert refused(runtime.converse, modelId=HAIKU, messages=messages) == ("ValidationException", expected, 400)


def test_tool_blocks_need_a_tool_config(runtime):
    use = {"toolUse": {"toolUseId": "tooluse_abc", "name": "get_weather", "input": {"city": "Paris"}}}
    result = {"toolResult": {"toolUseId": "tooluse_abc", "content": [{"text": "18 C"}]}}
    messages = [*HI, {"role": "assistant", "content": [use]}, {"role": "user", "content": [result]}]
    assert refused(runtime.converse, modelId=HAIKU, messages=messages)[1] == converse.TOOL_CONFIG_NEEDED
    assert runtime.converse(modelId=HAIKU, messages=messages, toolConfig=WEATHER)["stopReason"] == "end_turn"


# ------------------------------------------------------------------ layer 4: per-model features


IMAGE = {"image": {"format": "png", "source": {"bytes": b"\x89PNG\r\n\x1a\n not really"}}}
DOCUMENT = {"document": {"format": "txt", "name": "notes", "source": {"bytes": b"Bedrock is a managed service."}}}


@pytest.mark.parametrize(
    ("model_id", "kwargs", "expected"),
    [
        ("amazon.titan-text-express-v1", {"system": [{"text": "Be brief."}]}, converse.NO_SYSTEM),
        ("mistral.mistral-7b-instruct-v0:2", {"system": [{"text": "Be brief."}]}, converse.NO_SYSTEM),
        (
            "ai21.j2-ultra-v1",
            {"messages": [*HI, {"role": "assistant", "content": [{"text": "A service."}]}, *HI]},
            converse.NO_HISTORY,
        ),
        ("meta.llama3-8b-instruct-v1:0", {"toolConfig": WEATHER}, converse.NO_TOOLS),
        ("anthropic.claude-v2:1", {"toolConfig": WEATHER}, converse.NO_TOOLS),
        (
            "us.meta.llama3-1-70b-instruct-v1:0",
            {"toolConfig": WEATHER | {"toolChoice": {"any": {}}}},
            converse.NO_FIELD.format(field="toolConfig.toolChoice.any"),
        ),
        (
            "mistral.mistral-large-2402-v1:0",
            {"toolConfig": WEATHER | {"toolChoice": {"tool": {"name": "get_weather"}}}},
            converse.NO_FIELD.format(field="toolConfig.toolChoice.tool"),
        ),
        (
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
            {"messages": [{"role": "user", "content": [{"text": "What is this?"}, IMAGE]}]},
            converse.NO_BLOCK.format(kind="image"),
        ),
        (
            "amazon.nova-micro-v1:0",
            {"messages": [{"role": "user", "content": [{"text": "Summarise."}, DOCUMENT]}]},
            converse.NO_BLOCK.format(kind="document"),
        ),
        ("amazon.nova-micro-v1:0", {"inferenceConfig": {"maxTokens": 10001}}, converse.MAX_TOKENS.format(limit=10000)),
    ],
)
def test_features_a_model_lacks_are_refused_in_bedrocks_words(runtime, model_id, kwargs, expected):
    kwargs = {"messages": HI} | kwargs
    assert refused(runtime.converse, modelId=model_id, **kwargs) == ("ValidationException", expected, 400)


def test_tools_while_streaming_only_where_the_model_allows_it(runtime):
    llama = "us.meta.llama3-1-8b-instruct-v1:0"
    ask = [{"role": "user", "content": [{"text": "What's the weather in Paris?"}]}]
    assert runtime.converse(modelId=llama, messages=ask, toolConfig=WEATHER)["stopReason"] == "tool_use"
    assert refused(runtime.converse_stream, modelId=llama, messages=ask, toolConfig=WEATHER)[1] == (
        converse.NO_STREAMING_TOOLS
    )
    kinds = [next(iter(e)) for e in runtime.converse_stream(modelId=HAIKU, messages=ask, toolConfig=WEATHER)["stream"]]
    assert "contentBlockStart" in kinds


def test_features_that_exist_are_accepted(runtime):
    vision = [{"role": "user", "content": [{"text": "What is this?"}, IMAGE]}]
    assert runtime.converse(modelId=HAIKU, messages=vision)["usage"]["inputTokens"] > 0
    reading = [{"role": "user", "content": [{"text": "Summarise."}, DOCUMENT]}]
    assert runtime.converse(modelId="amazon.titan-text-express-v1", messages=reading)["stopReason"] == "end_turn"
    assert runtime.converse(modelId=NOVA_LITE, messages=HI, system=[{"text": "Be brief."}])


# ------------------------------------------------------------------ layer 5: the model's own validation, relayed


def test_native_refusals_are_relayed_with_bedrocks_prefix(runtime):
    extra = runtime.converse
    assert refused(extra, modelId="cohere.command-r-v1:0", messages=HI, additionalModelRequestFields={"top_k": 5})[
        1
    ] == (
        "The model returned the following errors: Malformed input request: #: extraneous key [top_k] is not "
        "permitted, please reformat your input and try again."
    )
    stops = {"stopSequences": ["</stop>"]}
    assert refused(extra, modelId="amazon.titan-text-express-v1", messages=HI, inferenceConfig=stops)[1] == (
        "The model returned the following errors: Malformed input request: string [</stop>] does not match "
        "pattern ^(\\|+|User:)$, please reformat your input and try again."
    )
    both = {"temperature": 0.5, "topP": 0.9}
    assert refused(extra, modelId="us.anthropic.claude-sonnet-4-5-20250929-v1:0", messages=HI, inferenceConfig=both)[
        1
    ] == (
        "The model returned the following errors: `temperature` and `top_p` cannot both be specified for this "
        "model. Please use only one."
    )


def test_additional_fields_reach_the_native_body(runtime):
    plain = runtime.converse(modelId=HAIKU, messages=HI)
    tuned = runtime.converse(modelId=HAIKU, messages=HI, additionalModelRequestFields={"top_k": 5})
    assert text_of(plain) != text_of(tuned)  # top_k changes the sampling, so the wording


# ------------------------------------------------------------------ tool use


def test_a_matching_request_gets_a_tool_call_and_the_result_gets_used(runtime):
    ask = [{"role": "user", "content": [{"text": "What's the weather like in Paris today?"}]}]
    first = runtime.converse(modelId=NOVA_LITE, messages=ask, toolConfig=WEATHER)
    assert first["stopReason"] == "tool_use"
    (use,) = [b["toolUse"] for b in first["output"]["message"]["content"] if "toolUse" in b]
    assert TOOL_USE_ID.match(use["toolUseId"]) and use["name"] == "get_weather" and use["input"] == {"city": "Paris"}
    result = {"toolResult": {"toolUseId": use["toolUseId"], "content": [{"json": {"temperature": 18, "sky": "clear"}}]}}
    second = runtime.converse(
        modelId=NOVA_LITE,
        messages=[*ask, first["output"]["message"], {"role": "user", "content": [result]}],
        toolConfig=WEATHER,
    )
    assert second["stopReason"] == "end_turn"
    assert "temperature 18" in text_of(second) and "sky clear" in text_of(second)
    again = runtime.converse(modelId=NOVA_LITE, messages=ask, toolConfig=WEATHER)
    assert again["output"] == first["output"]  # deterministic, id included


def test_an_unrelated_request_gets_text_unless_tool_choice_forces_a_tool(runtime):
    joke = [{"role": "user", "content": [{"text": "Tell me a joke about penguins."}]}]
    assert runtime.converse(modelId=HAIKU, messages=joke, toolConfig=WEATHER)["stopReason"] == "end_turn"
    for choice in ({"any": {}}, {"tool": {"name": "get_weather"}}):
        forced = runtime.converse(modelId=HAIKU, messages=joke, toolConfig=WEATHER | {"toolChoice": choice})
        assert forced["stopReason"] == "tool_use"
        assert [b for b in forced["output"]["message"]["content"] if "text" in b] == []  # no preface when forced


def test_arguments_follow_the_schema_and_the_request(runtime):
    calc = {
        "tools": [
            {
                "toolSpec": {
                    "name": "calculator",
                    "description": "Evaluate an arithmetic expression",
                    "inputSchema": {
                        "json": {
                            "type": "object",
                            "properties": {"expression": {"type": "string"}},
                            "required": ["expression"],
                        }
                    },
                }
            }
        ]
    }
    ask = [{"role": "user", "content": [{"text": "What is 12 times 7?"}]}]
    call = runtime.converse(modelId=NOVA_LITE, messages=ask, toolConfig=calc)["output"]["message"]["content"][-1]
    assert call["toolUse"]["input"] == {"expression": "12 * 7"}
    fahrenheit = [{"role": "user", "content": [{"text": "How warm is it in Tokyo in fahrenheit?"}]}]
    call = runtime.converse(modelId=NOVA_LITE, messages=fahrenheit, toolConfig=WEATHER)
    assert call["output"]["message"]["content"][-1]["toolUse"]["input"] == {"city": "Tokyo", "unit": "fahrenheit"}


def test_streamed_tool_input_arrives_as_json_fragments(runtime):
    ask = [{"role": "user", "content": [{"text": "What's the weather in New York?"}]}]
    events = list(runtime.converse_stream(modelId=HAIKU, messages=ask, toolConfig=WEATHER)["stream"])
    (start,) = [e["contentBlockStart"] for e in events if "contentBlockStart" in e]
    index = start["contentBlockIndex"]
    fragments = [
        e["contentBlockDelta"]["delta"]["toolUse"]["input"]
        for e in events
        if "contentBlockDelta" in e and e["contentBlockDelta"]["contentBlockIndex"] == index
    ]
    assert len(fragments) > 1 and json.loads("".join(fragments)) == {"city": "New York"}
    assert TOOL_USE_ID.match(start["start"]["toolUse"]["toolUseId"])
    assert events[-2]["messageStop"]["stopReason"] == "tool_use"
    kinds = [next(iter(e)) for e in events]
    assert kinds.index("contentBlockStart") > kinds.index("contentBlockStop")  # the preface text block comes first


# ------------------------------------------------------------------ guardrails, headers, speed


def test_a_guardrail_the_simulator_does_not_know_is_refused(runtime):
    guard = {"guardrailIdentifier": "abc123xyz", "guardrailVersion": "1"}
    assert refused(runtime.converse, modelId=HAIKU, messages=HI, guardrailConfig=guard)[1] == coral.NO_GUARDRAIL
    body = json.dumps({"inputText": "Hi"})
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model(
            modelId="amazon.titan-text-express-v1", body=body, guardrailIdentifier="abc123xyz", guardrailVersion="1"
        )
    assert error_of(exc)[1] == coral.NO_GUARDRAIL


def test_invoke_model_header_members_are_validated_and_echoed(runtime):
    body = json.dumps({"inputText": "Hi"})
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model(modelId="amazon.titan-text-express-v1", body=body, trace="ON")
    assert error_of(exc)[1] == (
        "1 validation error detected: Value 'ON' at 'trace' failed to satisfy constraint: Member must satisfy enum "
        "value set: [ENABLED, DISABLED, ENABLED_FULL]"
    )
    with pytest.raises(runtime.exceptions.ValidationException) as exc:
        runtime.invoke_model(
            modelId="amazon.titan-text-express-v1", body=body, performanceConfigLatency="fast", serviceTier="gold"
        )
    assert error_of(exc)[1].startswith("2 validation errors detected: Value 'fast' at 'performanceConfigLatency'")
    response = runtime.invoke_model(
        modelId="amazon.titan-text-express-v1", body=body, serviceTier="flex", performanceConfigLatency="standard"
    )
    assert response["serviceTier"] == "flex" and response["performanceConfigLatency"] == "standard"


def test_converse_overhead_stays_small(runtime):
    runtime.converse(modelId=HAIKU, messages=HI)
    start = time.perf_counter()
    for _ in range(100):
        runtime.converse(modelId=HAIKU, messages=HI, toolConfig=WEATHER)
    assert time.perf_counter() - start < 2.0
