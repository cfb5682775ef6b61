"""Model families: one class per native request/response format, all on one declared contract.

A family knows nothing of HTTP. Every family is a `Family`: it answers InvokeModel and, if it
`streams`, InvokeModelWithResponseStream. Text families are `TextFamily`, whose steps are named:

    parse(model, body)                     native body -> neutral `Prompt` (validating as Bedrock does)
    generate(model, prompt)                `Prompt` -> neutral `Outcome` (text, tool calls, stop reason)
    render(model, prompt, outcome)         -> the native response body
    render_chunks(model, prompt, outcome)  -> the native stream chunks
    native_request(model, conversation)    a Converse request (neutral `Conversation`) -> native body

`invoke`, `stream`, `run` (for Converse) and `count_tokens` are built from those steps, so
Converse runs exactly the code InvokeModel runs. A family raises `BedrockError` (usually via
`schema.check` or `errors.validation`) for bad bodies; the operation layer adds headers,
latency, invocation metrics, event-stream framing and, for Converse, Bedrock's relaying prefix.

Which families exist, and which `variant` / `traits` values their catalog rows may carry, is
data (`REGISTRY`), checked when the catalog loads, without importing the family modules.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from ..errors import NO_STREAMING, validation

# ---------------------------------------------------------------- replies to the operation layer


@dataclass
class Reply:
    """A family's answer to InvokeModel: the native JSON body and token counts for the headers."""

    body: dict
    input_tokens: int
    output_tokens: int


@dataclass
class StreamReply:
    """A family's answer to InvokeModelWithResponseStream: native chunks in order."""

    chunks: list[dict]
    input_tokens: int
    output_tokens: int
    extra_metrics: dict = field(default_factory=dict)


# ---------------------------------------------------------------- the neutral prompt


@dataclass(frozen=True)
class ToolSpec:
    """A tool the caller offers: name, description and JSON schema of its input."""

    name: str
    description: str = ""
    schema: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ToolCall:
    """A model's request to run a tool. `id` is in Converse's form (`tooluse_...`)."""

    id: str
    name: str
    input: dict


@dataclass(frozen=True)
class ToolResult:
    """What the caller's tool returned, as text (JSON results are serialised); `name` is the
    tool's, for formats that pair results with calls by name rather than id."""

    id: str
    text: str
    status: str = "success"
    name: str = ""


@dataclass(frozen=True)
class Media:
    """An image or document block: kind ('image' or 'document'), format, name, raw bytes."""

    kind: str
    format: str
    data: bytes = b""
    name: str = ""


Block = str | ToolCall | ToolResult | Media


@dataclass(frozen=True)
class Turn:
    """One message: role 'user' or 'assistant' and its blocks."""

    role: str
    blocks: tuple[Block, ...]

    @property
    def text(self) -> str:
        return "\n".join(b for b in self.blocks if isinstance(b, str))

    def of(self, kind: type) -> list:
        return [b for b in self.blocks if isinstance(b, kind)]


@dataclass(frozen=True)
class ToolChoice:
    """'auto', 'any', or 'tool' with the tool's name."""

    mode: str = "auto"
    name: str | None = None


@dataclass
class Prompt:
    """What a native body asks for, in neutral terms: who said what, tools, limits.

    `variation` fingerprints the sampling parameters (same request -> same answer);
    `input_tokens` is what the family counts for the native body (system and tools included).
    """

    turns: list[Turn]
    max_tokens: int
    input_tokens: int
    system: str = ""
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: ToolChoice | None = None
    stop_sequences: tuple[str, ...] = ()
    variation: str = ""
    languages: tuple[str, ...] = ()
    prefix: str = ""
    choices: int = 1  # how many alternative answers the body asks for
    body: dict | None = None  # the native body, from which response ids are derived
    context: tuple[str, ...] = ()  # passages the prompt supplies to ground the answer (generators.grounding)
    asked: str | None = None  # the question once context passages are taken out of the user's text

    @property
    def question(self) -> str:
        """The text the answer responds to: the last user turn's text (else the last turn's); a
        turn that only returns tool results points back to the user turn that asked."""
        if self.asked is not None:
            return self.asked
        for turn in reversed(self.turns):
            if turn.role == "user" and (turn.text or not turn.of(ToolResult)):
                return turn.text
        return self.turns[-1].text if self.turns else ""

    @property
    def tool_results(self) -> list[ToolResult]:
        """Results in the last user turn: the caller answering the model's tool calls."""
        last = self.turns[-1] if self.turns else None
        return last.of(ToolResult) if last is not None and last.role == "user" else []


@dataclass
class Outcome:
    """What the model produced, in neutral terms.

    stop_reason is Converse's enum value (`end_turn`, `max_tokens`, `stop_sequence`,
    `tool_use`); each family maps it to its native name with its `stop_reasons` table.
    """

    text: str
    pieces: tuple[str, ...]
    stop_reason: str
    stop_sequence: str | None
    input_tokens: int
    output_tokens: int
    tool_calls: tuple[ToolCall, ...] = ()
    alternatives: tuple[Outcome, ...] = ()  # further answers when the body asked for several

    @property
    def all(self) -> tuple[Outcome, ...]:
        return (self, *self.alternatives)

    @property
    def total_output_tokens(self) -> int:
        return sum(o.output_tokens for o in self.all)


@dataclass
class Conversation:
    """A Converse request in neutral terms, before a family turns it into its native body."""

    turns: list[Turn]
    system: list[str] = field(default_factory=list)
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: ToolChoice | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop_sequences: list[str] | None = None

    @property
    def system_text(self) -> str:
        return "\n".join(self.system)

    def sampling(self, names: dict[str, str], max_default: int | None = None) -> dict:
        """This request's sampling settings under a family's own names, in the order `names` lists
        them (`names`: neutral -> native, neutral being max_tokens, temperature, top_p and
        stop_sequences); settings the request left unset are left out, except max_tokens, which
        falls back to `max_default` when one is given."""
        values = {
            "max_tokens": self.max_tokens or max_default,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "stop_sequences": self.stop_sequences,
        }
        return {native: values[neutral] for neutral, native in names.items() if values[neutral] is not None}


# ---------------------------------------------------------------- the contract


class Family(ABC):
    """Every family answers InvokeModel; those that set `streams` also stream."""

    name: ClassVar[str]
    streams: ClassVar[bool] = False

    @abstractmethod
    def invoke(self, model, body: dict) -> Reply:
        """The native response to an InvokeModel body."""

    def stream(self, model, body: dict) -> StreamReply:
        """The native chunks of InvokeModelWithResponseStream (only for families that stream)."""
        raise validation(NO_STREAMING)

    def count_tokens(self, model, body: dict) -> int:
        """Input tokens of a native body, as InvokeModel would report them."""
        return self.invoke(model, body).input_tokens


class TextFamily(Family):
    """A text family: native body -> neutral prompt -> generation -> native body or chunks."""

    streams = True
    # Neutral (Converse) stop reason -> the native name this family reports.
    stop_reasons: ClassVar[dict[str, str]] = {}
    # Whether the model says a short sentence before a tool call it chose itself.
    tool_preface: ClassVar[bool] = False

    @abstractmethod
    def parse(self, model, body: dict) -> Prompt:
        """Validate a native body the way Bedrock does and describe it in neutral terms."""

    def generate(self, model, prompt: Prompt) -> Outcome:
        """The model's answer: text, or a tool call when tools are offered and fit the request."""
        from ..generators import reply

        return reply.respond(prompt, model.display_name, preface=self.tool_preface, salt=model.model_id)

    @abstractmethod
    def render(self, model, prompt: Prompt, outcome: Outcome) -> dict:
        """The native response body."""

    @abstractmethod
    def render_chunks(self, model, prompt: Prompt, outcome: Outcome) -> list[dict]:
        """The native stream chunks, in order."""

    @abstractmethod
    def native_request(self, model, conversation: Conversation) -> dict:
        """The native body Bedrock builds from a Converse request for this model."""

    def speaker(self, model, body: dict) -> TextFamily:
        """The family that speaks this body (Claude 2.x also speak the Messages format)."""
        return self

    def extra_metrics(self, outcome: Outcome) -> dict:
        """Extra `amazon-bedrock-invocationMetrics` keys this family's streams carry."""
        return {}

    def native_stop(self, outcome: Outcome) -> str:
        return self.stop_reasons.get(outcome.stop_reason, outcome.stop_reason)

    # Built from the steps above.

    def run(self, model, body: dict) -> tuple[TextFamily, Prompt, Outcome]:
        """Parse and generate: (the speaking family, its prompt, the outcome)."""
        family = self.speaker(model, body)
        prompt = family.parse(model, body)
        return family, prompt, family.generate(model, prompt)

    def invoke(self, model, body: dict) -> Reply:
        family, prompt, outcome = self.run(model, body)
        return Reply(family.render(model, prompt, outcome), outcome.input_tokens, outcome.total_output_tokens)

    def stream(self, model, body: dict) -> StreamReply:
        family, prompt, outcome = self.run(model, body)
        chunks = family.render_chunks(model, prompt, outcome)
        return StreamReply(chunks, outcome.input_tokens, outcome.total_output_tokens, family.extra_metrics(outcome))

    def count_tokens(self, model, body: dict) -> int:
        return self.speaker(model, body).parse(model, body).input_tokens


# ---------------------------------------------------------------- which families exist (data)


@dataclass(frozen=True)
class Spec:
    """What a catalog row naming this family may say: its variants and traits, and the Converse
    feature set used for rows that name none (None: the family's models are not conversational)."""

    variants: tuple[str, ...] = ()
    traits: tuple[str, ...] = ()
    converse_features: str | None = None


REGISTRY: dict[str, Spec] = {
    "claude_text": Spec(converse_features="claude_text"),
    # temperatureOrTopP: the model refuses temperature and top_p together (Claude Sonnet/Haiku 4.5).
    "claude_messages": Spec(traits=("temperatureOrTopP",), converse_features="claude3"),
    "titan_text": Spec(converse_features="titan_text"),
    "titan_embed": Spec(variants=("g1", "v2")),
    "titan_image": Spec(variants=("titan", "nova_canvas")),
    "nova": Spec(converse_features="nova"),
    "cohere_command": Spec(converse_features="command"),
    "cohere_command_r": Spec(converse_features="command_r"),
    "cohere_embed": Spec(),
    "ai21_jurassic": Spec(converse_features="jurassic2"),
    "ai21_jamba": Spec(converse_features="jamba"),
    "llama": Spec(converse_features="llama3"),
    # chat: the model also takes Mistral's chat body (`messages`), as Mistral Large 2 does.
    "mistral": Spec(traits=("chat",), converse_features="mistral_instruct"),
    "openai_chat": Spec(converse_features="openai_gpt_oss"),
    "stability_sdxl": Spec(),
    # core: text-to-image only (Stable Image Core).
    "stability_image": Spec(traits=("textToImageOnly",)),
}

_loaded: dict[str, Family] = {}


def load(name: str) -> Family:
    """The family instance for a catalog `family` name."""
    found = _loaded.get(name)
    if found is None:
        if name not in REGISTRY:
            raise KeyError(f"no model family {name!r}; known: {', '.join(sorted(REGISTRY))}")
        module = importlib.import_module(f"{__name__}.{name}")
        found = module.FAMILY
        if not isinstance(found, Family) or found.name != name:
            raise TypeError(f"{module.__name__}.FAMILY must be a Family named {name!r}")
        _loaded[name] = found
    return found


def chunk_pieces(pieces: tuple[str, ...] | list[str], size: int | tuple[int, ...] = 4) -> list[str]:
    """Group token pieces into stream chunks of a few tokens each, as services send them: `size`
    tokens each, or sizes taken in turn from a tuple (real streams vary their chunks)."""
    if isinstance(size, int):
        return ["".join(pieces[i : i + size]) for i in range(0, len(pieces), size)]
    chunks, start, turn = [], 0, 0
    while start < len(pieces):
        step = size[turn % len(size)]
        chunks.append("".join(pieces[start : start + step]))
        start, turn = start + step, turn + 1
    return chunks
