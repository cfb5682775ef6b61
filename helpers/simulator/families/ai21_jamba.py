"""AI21 Labs Jamba 1.5 Mini / Large chat bodies (`messages`, `max_tokens`, `n`, ...).

Facts and where they come from:
- Request: AWS docs, model-parameters-jamba: `messages` required (roles user/assistant/system,
  at least one user or assistant message), temperature 0.0-2.0 (default 1.0), top_p, max_tokens
  0-4096 (default 4096), stop, n (1-16, range as in techthoughts2/pwshBedrock
  `Invoke-AI21LabsJambaModel.ps1`).
- A J2-style body is refused by the schema: `required key [messages] not found#: extraneous key
  [prompt] is not permitted` (mlflow/mlflow#13117).
- Tools in OpenAI's shape (`tools[{type: function, function{name, description, parameters}}]`,
  assistant `tool_calls`, `tool` messages with `tool_call_id`; `finish_reason: "tool_calls"`):
  same AWS page and AI21's function-calling docs [shapes recalled].
- Response: OpenAI-style `id, choices[{index, message{role, content}, finish_reason}], usage`
  (AWS docs response body section); stream chunks as `choices[{delta}]` [recalled shape].
- Languages: Jamba 1.5 speaks English, Spanish, French, Portuguese, Italian, Dutch, German,
  Arabic and Hebrew (AI21's model card), so the generator answers Chinese in English.
"""

from __future__ import annotations

import json
from dataclasses import replace

from .. import schema
from ..catalog import Model
from . import Conversation, Outcome, Prompt, TextFamily, ToolSpec, Turn, chunk_pieces
from ._chat import count, function_messages, function_tools, function_turns, stable_uuid

LANGUAGES = ("en",)


@schema.per_model
def _schema(model: Model) -> dict:
    return {
        "type": "object",
        "required": ["messages"],
        "additionalProperties": False,
        "properties": {
            "messages": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["role", "content"],
                    "properties": {
                        "role": {"type": "string", "enum": ["user", "assistant", "system", "tool"]},
                        "content": {"type": "string"},
                        "tool_calls": {"type": "array", "items": {"type": "object"}},
                        "tool_call_id": {"type": "string"},
                    },
                },
            },
            "max_tokens": {"type": "integer", "minimum": 0, "maximum": model.limits.get("maxOutputTokens", 4096)},
            "temperature": {"type": "number", "minimum": 0, "maximum": 2},
            "top_p": {"type": "number", "minimum": 0, "maximum": 1},
            "stop": {"type": "array", "items": {"type": "string"}},
            "n": {"type": "integer", "minimum": 1, "maximum": 16},
            "frequency_penalty": {"type": "number"},
            "presence_penalty": {"type": "number"},
            "tools": {"type": "array"},
            "response_format": {"type": "object"},
            "documents": {"type": "array"},
        },
    }


class Jamba(TextFamily):
    name = "ai21_jamba"
    stop_reasons = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls"}

    def parse(self, model: Model, body: dict) -> Prompt:
        schema.check(_schema(model), body)
        messages = body["messages"]
        system, turns = function_turns(messages, joiner=" ")
        if not any(t.role == "user" for t in turns):
            turns.append(Turn("user", (messages[-1].get("content") or "",)))  # answer the last message
        input_tokens = count(*((m.get("content") or "") for m in messages)) + 4 * len(messages)
        tools = tuple(
            ToolSpec(f.get("name", ""), f.get("description", ""), f.get("parameters", {}))
            for f in (t.get("function", {}) for t in body.get("tools", []) or [] if isinstance(t, dict))
        )
        if tools:
            input_tokens += count(json.dumps(body["tools"], ensure_ascii=False))
        return Prompt(
            turns=turns,
            max_tokens=body.get("max_tokens", 4096),
            input_tokens=input_tokens,
            system=system,
            tools=tools,
            stop_sequences=tuple(body.get("stop", [])),
            variation=f"{body.get('temperature', 1.0)}/{body.get('top_p', 1.0)}/{system}/{len(messages)}",
            languages=LANGUAGES,
            choices=body.get("n", 1),
            body=body,
        )

    def generate(self, model: Model, prompt: Prompt) -> Outcome:
        outcomes = [
            super(Jamba, self).generate(model, replace(prompt, variation=f"{prompt.variation}/{i}"))
            for i in range(prompt.choices)
        ]
        return replace(outcomes[0], alternatives=tuple(outcomes[1:]))

    def _id(self, model: Model, prompt: Prompt) -> str:
        return "chatcmpl-" + stable_uuid(model.model_id, prompt.body).replace("-", "")[:29]

    def _usage(self, outcome: Outcome) -> dict:
        out = outcome.total_output_tokens
        return {
            "prompt_tokens": outcome.input_tokens,
            "completion_tokens": out,
            "total_tokens": outcome.input_tokens + out,
        }

    def _calls(self, one: Outcome) -> list[dict] | None:
        if not one.tool_calls:
            return None
        return [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.input)}}
            for c in one.tool_calls
        ]

    def render(self, model: Model, prompt: Prompt, outcome: Outcome) -> dict:
        return {
            "id": self._id(model, prompt),
            "choices": [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": o.text, "tool_calls": self._calls(o)},
                    "finish_reason": self.stop_reasons[o.stop_reason],
                }
                for i, o in enumerate(outcome.all)
            ],
            "usage": self._usage(outcome),
        }

    def render_chunks(self, model: Model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        reply_id = self._id(model, prompt)
        chunks: list[dict] = []
        for i, one in enumerate(outcome.all):
            chunks.append(
                {
                    "id": reply_id,
                    "choices": [{"index": i, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
                }
            )
            chunks += [
                {"id": reply_id, "choices": [{"index": i, "delta": {"content": piece}, "finish_reason": None}]}
                for piece in chunk_pieces(one.pieces)
            ]
            if one.tool_calls:
                chunks.append(
                    {
                        "id": reply_id,
                        "choices": [{"index": i, "delta": {"tool_calls": self._calls(one)}, "finish_reason": None}],
                    }
                )
            chunks.append(
                {
                    "id": reply_id,
                    "choices": [{"index": i, "delta": {}, "finish_reason": self.stop_reasons[one.stop_reason]}],
                }
            )
        chunks[-1]["usage"] = self._usage(outcome)
        return chunks

    def native_request(self, model: Model, conversation: Conversation) -> dict:
        body: dict = {"messages": function_messages(conversation)}
        if conversation.tools:
            body["tools"] = function_tools(conversation.tools)
        names = {"max_tokens": "max_tokens", "temperature": "temperature", "top_p": "top_p", "stop_sequences": "stop"}
        return body | conversation.sampling(names, model.limits.get("maxOutputTokens", 4096))


FAMILY = Jamba()
