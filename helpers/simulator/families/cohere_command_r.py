"""Cohere Command R and Command R+ chat bodies (`message`, `chat_history`, `preamble`, ...).

Facts and where they come from:
- Request fields: AWS docs, model-parameters-cohere-command-r-plus (message required;
  chat_history roles USER/CHATBOT; documents, search_queries_only, preamble, max_tokens,
  temperature, p, k, prompt_truncation, frequency_penalty, presence_penalty, seed, return_prompt,
  tools, tool_results, stop_sequences, raw_prompting). Ranges as encoded by
  techthoughts2/pwshBedrock `Invoke-CohereCommandRModel.ps1`: max_tokens 1-4000, temperature 0-1,
  p 0.01-0.99, k 0-500; penalties 0-1 (AWS docs).
- No `stream` key: `Malformed input request: #: extraneous key [stream] is not permitted`
  (Portkey-AI/gateway#848, cohere-ai/cohere-aws#142 "bedrock does not expect a 'stream' key").
- Response `response_id, text, generation_id, chat_history, finish_reason, meta`: AWS docs page
  above; the Rust `CohereCommandRResponse` of a public Bedrock gateway.
- Tools: `tools[{name, description, parameter_definitions{p: {description, type, required}}}]`,
  `tool_results[{call{name, parameters}, outputs[...]}]`, calls answered in `tool_calls` (same
  AWS page); the stream's `tool-calls-generation` event as in Cohere's chat stream.
- Stream events as Cohere's chat API sends them: `stream-start`, `text-generation`,
  `stream-end` with the full `response` (Cohere chat stream recordings in public test suites).
"""

from __future__ import annotations

import json

from .. import schema
from ..catalog import Model
from . import Conversation, Outcome, Prompt, TextFamily, ToolCall, ToolResult, ToolSpec, Turn, chunk_pieces
from ._chat import count, stable_uuid, turn_text
from .cohere_command import SAMPLING

_TURN = {
    "type": "object",
    "required": ["role", "message"],
    "properties": {
        "role": {"type": "string", "enum": ["USER", "CHATBOT", "SYSTEM"]},
        "message": {"type": "string"},
    },
}


@schema.per_model
def _schema(model: Model) -> dict:
    return {
        "type": "object",
        "required": ["message"],
        "additionalProperties": False,
        "properties": {
            "message": {"type": "string"},
            "chat_history": {"type": "array", "items": _TURN},
            "documents": {"type": "array", "items": {"type": "object"}},
            "search_queries_only": {"type": "boolean"},
            "preamble": {"type": "string"},
            "max_tokens": {"type": "integer", "minimum": 1, "maximum": model.limits.get("maxOutputTokens", 4000)},
            "temperature": {"type": "number", "minimum": 0, "maximum": 1},
            "p": {"type": "number", "minimum": 0.01, "maximum": 0.99},
            "k": {"type": "number", "minimum": 0, "maximum": 500},
            "prompt_truncation": {"type": "string", "enum": ["OFF", "AUTO_PRESERVE_ORDER"]},
            "frequency_penalty": {"type": "number", "minimum": 0, "maximum": 1},
            "presence_penalty": {"type": "number", "minimum": 0, "maximum": 1},
            "seed": {"type": "integer"},
            "return_prompt": {"type": "boolean"},
            "tools": {"type": "array", "items": {"type": "object"}},
            "tool_results": {"type": "array", "items": {"type": "object"}},
            "stop_sequences": {"type": "array", "items": {"type": "string"}},
            "raw_prompting": {"type": "boolean"},
        },
    }


def _prompt(body: dict) -> str:
    """The prompt Command R sees, roughly as `return_prompt` shows it."""
    parts = []
    if body.get("preamble"):
        parts.append(f"System: {body['preamble']}")
    for turn in body.get("chat_history", []):
        parts.append(f"{turn['role'].title()}: {turn['message']}")
    parts.append(f"User: {body['message']}")
    return "\n".join(parts) + "\nChatbot:"


# Cohere's parameter types (Python names) for JSON schema types, both ways.
_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "array": "list", "object": "dict"}


def _tool_spec(tool: dict) -> ToolSpec:
    """A Cohere tool (`parameter_definitions`) as a neutral tool with a JSON schema."""
    defs = tool.get("parameter_definitions", {}) or {}
    back = {v: k for k, v in _TYPES.items()}
    props = {
        k: {"type": back.get(str(v.get("type", "str")), "string"), "description": v.get("description", "")}
        for k, v in defs.items()
        if isinstance(v, dict)
    }
    required = [k for k, v in defs.items() if isinstance(v, dict) and v.get("required")]
    return ToolSpec(
        tool.get("name", ""), tool.get("description", ""), {"type": "object", "properties": props, "required": required}
    )


def _turns(body: dict) -> list[Turn]:
    turns = []
    for turn in body.get("chat_history", []):
        if turn["role"] == "SYSTEM":
            continue
        calls = tuple(
            ToolCall(c.get("name", ""), c.get("name", ""), c.get("parameters", {}))
            for c in turn.get("tool_calls", []) or []
        )
        role = "user" if turn["role"] == "USER" else "assistant"
        turns.append(Turn(role, tuple(x for x in (turn["message"], *calls) if x) or ("",)))
    results = tuple(
        ToolResult(
            r.get("call", {}).get("name", ""),
            json.dumps(r.get("outputs", []), ensure_ascii=False),
            name=r.get("call", {}).get("name", ""),
        )
        for r in body.get("tool_results", []) or []
    )
    turns.append(Turn("user", (*results, body["message"]) if body["message"] or not results else results))
    return turns


class CohereCommandR(TextFamily):
    name = "cohere_command_r"
    stop_reasons = {
        "end_turn": "COMPLETE",
        "max_tokens": "MAX_TOKENS",
        "stop_sequence": "STOP_SEQUENCE",
        "tool_use": "COMPLETE",
    }
    tool_preface = True  # Command R states its plan before calling tools

    def parse(self, model: Model, body: dict) -> Prompt:
        schema.check(_schema(model), body)
        history = body.get("chat_history", [])
        docs = body.get("documents", [])
        input_tokens = count(body.get("preamble", ""), body["message"], *(t["message"] for t in history))
        input_tokens += count(*(str(d) for d in docs)) + 4 * (len(history) + 1)
        tools = tuple(_tool_spec(t) for t in body.get("tools", []) or [])
        if tools:
            input_tokens += count(json.dumps(body["tools"], ensure_ascii=False))
        if body.get("tool_results"):
            input_tokens += count(json.dumps(body["tool_results"], ensure_ascii=False))
        variation = "/".join(
            str(x)
            for x in (
                body.get("temperature", 0.3),
                body.get("p", 0.75),
                body.get("k", 0),
                body.get("seed", ""),
                body.get("preamble", ""),
                len(history),
            )
        )
        return Prompt(
            turns=_turns(body),
            max_tokens=body.get("max_tokens", model.limits.get("maxOutputTokens", 4000)),
            input_tokens=input_tokens,
            system=body.get("preamble", ""),
            tools=tools,
            stop_sequences=tuple(body.get("stop_sequences", [])),
            variation=variation,
            body=body,
        )

    def _reply(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        body = prompt.body
        history = body.get("chat_history", [])
        finish = self.native_stop(outcome)
        reply = {
            "response_id": stable_uuid(model.model_id, body, "response"),
            "text": outcome.text,
            "generation_id": stable_uuid(model.model_id, body, "generation"),
            "chat_history": [
                *history,
                {"role": "USER", "message": body["message"]},
                {"role": "CHATBOT", "message": outcome.text},
            ],
            "finish_reason": finish,
            "meta": {
                "api_version": {"version": "1"},
                "billed_units": {"input_tokens": outcome.input_tokens, "output_tokens": outcome.output_tokens},
            },
        }
        if outcome.tool_calls:
            calls = [{"name": c.name, "parameters": c.input} for c in outcome.tool_calls]
            reply["tool_calls"] = calls
            reply["chat_history"][-1]["tool_calls"] = calls
        if body.get("return_prompt"):
            reply["prompt"] = _prompt(body)
        if body.get("search_queries_only"):
            reply.update(
                text="",
                is_search_required=True,
                search_queries=[{"text": body["message"], "generation_id": reply["generation_id"]}],
            )
        return reply

    def render(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        return self._reply(model, prompt, outcome)

    def render_chunks(self, model: Model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        reply = self._reply(model, prompt, outcome)
        chunks: list[dict] = [
            {"is_finished": False, "event_type": "stream-start", "generation_id": reply["generation_id"]}
        ]
        chunks += [
            {"is_finished": False, "event_type": "text-generation", "text": piece}
            for piece in chunk_pieces(outcome.pieces, size=1)
        ]
        if outcome.tool_calls:
            chunks.append(
                {
                    "is_finished": False,
                    "event_type": "tool-calls-generation",
                    "text": outcome.text,
                    "tool_calls": reply["tool_calls"],
                }
            )
        chunks.append(
            {
                "is_finished": True,
                "event_type": "stream-end",
                "response": reply,
                "finish_reason": reply["finish_reason"],
            }
        )
        return chunks

    def native_request(self, model: Model, conversation: Conversation) -> dict:
        *earlier, last = conversation.turns
        calls = {c.id: c for t in earlier for c in t.of(ToolCall)}
        history = []
        for turn in earlier:
            entry = {"role": "USER" if turn.role == "user" else "CHATBOT", "message": turn_text(turn)}
            if turn.of(ToolCall):
                entry["message"] = turn.text
                entry["tool_calls"] = [{"name": c.name, "parameters": c.input} for c in turn.of(ToolCall)]
            history.append(entry)
        body: dict = {"message": last.text if last.of(ToolResult) else turn_text(last)}
        if history:
            body["chat_history"] = history
        if conversation.system:
            body["preamble"] = conversation.system_text
        if conversation.tools:
            body["tools"] = [_cohere_tool(t) for t in conversation.tools]
        if last.of(ToolResult):
            body["tool_results"] = [
                {
                    "call": {
                        "name": calls[r.id].name if r.id in calls else r.name,
                        "parameters": calls[r.id].input if r.id in calls else {},
                    },
                    "outputs": [_output(r.text)],
                }
                for r in last.of(ToolResult)
            ]
        return body | conversation.sampling(SAMPLING, model.limits.get("maxOutputTokens", 4000))


def _cohere_tool(tool: ToolSpec) -> dict:
    props = tool.schema.get("properties", {}) if isinstance(tool.schema, dict) else {}
    required = set(tool.schema.get("required", [])) if isinstance(tool.schema, dict) else set()
    defs = {
        k: {
            "description": v.get("description", ""),
            "type": _TYPES.get(v.get("type", "string"), "str"),
            "required": k in required,
        }
        for k, v in props.items()
        if isinstance(v, dict)
    }
    return {"name": tool.name, "description": tool.description, "parameter_definitions": defs}


def _output(text: str) -> dict:
    try:
        found = json.loads(text)
    except ValueError:
        return {"result": text}
    return found if isinstance(found, dict) else {"result": found}


FAMILY = CohereCommandR()
