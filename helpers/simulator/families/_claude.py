"""What Anthropic's two body formats on Bedrock share: the text-completions schema and API names.

Both `claude_text` and `claude_messages` import this module; `claude_text` hands Messages bodies
to `claude_messages`, which never imports `claude_text`, so the two families form no cycle.
Facts: AWS docs, model-parameters-anthropic-claude-text-completion (ranges: max_tokens_to_sample
0-4096, temperature 0-1, top_p 0-1, top_k 0-500).
"""

from __future__ import annotations

import re

from .. import schema
from ..catalog import Model

_LEGACY_NAMES = {
    "anthropic.claude-v2": "claude-2.0",
    "anthropic.claude-v2:1": "claude-2.1",
    "anthropic.claude-instant-v1": "claude-instant-1.2",
    "anthropic.claude-v1": "claude-v1.3",
}


def api_name(model: Model) -> str:
    """The name Anthropic's API uses, e.g. `claude-3-haiku-20240307` for the Bedrock id."""
    if model.model_id in _LEGACY_NAMES:
        return _LEGACY_NAMES[model.model_id]
    m = re.match(r"^anthropic\.(claude-[a-z0-9-]+?-\d{8})-v\d+(?::\d+)?$", model.model_id)
    return m.group(1) if m else model.model_id.removeprefix("anthropic.")


@schema.per_model
def text_completion_schema(model: Model) -> dict:
    """The text-completions branch of Bedrock's Claude schema (`prompt` + `max_tokens_to_sample`)."""
    return {
        "type": "object",
        "required": ["prompt", "max_tokens_to_sample"],
        "additionalProperties": False,
        "properties": {
            "prompt": {"type": "string"},
            "max_tokens_to_sample": {
                "type": "integer",
                "minimum": 0,
                "maximum": model.limits.get("maxOutputTokens", 4096),
            },
            "temperature": {"type": "number", "minimum": 0, "maximum": 1},
            "top_p": {"type": "number", "minimum": 0, "maximum": 1},
            "top_k": {"type": "integer", "minimum": 0, "maximum": 500},
            "stop_sequences": {"type": "array", "items": {"type": "string"}},
            "anthropic_version": {"type": "string"},
        },
    }
