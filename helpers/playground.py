"""The lesson 10 playground: an ipywidgets app over Bedrock's Converse API that works live and offline.

Pick a text model (from `list_foundation_models`, life cycle shown), set a system prompt and the
inference parameters within that model's valid ranges, press Send and watch `converse_stream` answer;
a readout gives tokens, latency, stop reason and an estimated cost. Compare two models on one prompt,
chat with history, and see the exact boto3 call for the current settings. Bedrock errors appear in the
app as a readable message and the app keeps working.

The logic is plain functions and small classes (tested without a browser); ipywidgets is imported
only when the app is built.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import prices
from .widgets import WIDE_LABEL, App, _code_html, _error_html, _pre, _widgets, error_text, python_call

__all__ = ["ModelOption", "Playground", "Reply", "converse_request", "playground", "stream_reply", "text_models"]

# Converse's inferenceConfig ranges (botocore bedrock-runtime service model: InferenceConfigurationTemperatureFloat
# and ...TopPFloat are min 0 max 1; ...MaxTokensInteger is min 1). A model's own cap on maxTokens comes from the
# workshop catalog; for a model the catalog doesn't know, 4096 is a guess.
TEMPERATURE_RANGE = (0.0, 1.0)
TOP_P_RANGE = (0.0, 1.0)
UNKNOWN_MAX_TOKENS = 4096
DEFAULT_MODEL = "amazon.nova-micro-v1:0"
DEFAULT_PROMPT = "What is Amazon Bedrock? Answer in two sentences."


@dataclass(frozen=True)
class ModelOption:
    """One model the playground can call, and the limits its controls respect."""

    model_id: str
    call_id: str  # what goes in modelId: the model id, or an inference-profile id
    name: str
    provider: str
    status: str  # ACTIVE or LEGACY, from modelLifecycle
    max_tokens: int
    temperature_or_top_p: bool = False  # the model refuses temperature and top_p together

    @property
    def label(self) -> str:
        via = " · via profile" if self.call_id != self.model_id else ""
        return f"{self.name} · {self.provider} · {self.status}{via}"


def _known(model_id: str):
    """The workshop catalog's row for `model_id` (facts from AWS docs), or None."""
    from .simulator import catalog  # data only: importing it starts no simulator

    return catalog.get(model_id)


def _temperature_or_top_p(row) -> bool:
    """Whether the catalog says the model refuses temperature and top_p together (Claude 4.5 and later)."""
    if row is None:
        return False
    return "temperatureOrTopP" in getattr(row, "traits", ()) or bool(row.limits.get("temperatureOrTopP"))


def text_models(control, region: str) -> list[ModelOption]:
    """Text-in, text-out models that stream, as `bedrock.list_foundation_models` lists them in `region`.

    Models the workshop catalog knows Converse does not serve are left out; the modelId to call is the
    model id for on-demand models, else its inference profile for `region`. Active models come first.
    """
    from .profiles import profile_id

    options = []
    for summary in control.list_foundation_models(byOutputModality="TEXT")["modelSummaries"]:
        model_id = summary["modelId"]
        if "TEXT" not in summary["inputModalities"] or not summary.get("responseStreamingSupported"):
            continue
        row = _known(model_id)
        if row is not None and not row.converse:
            continue
        kinds = summary.get("inferenceTypesSupported", [])
        if "ON_DEMAND" in kinds:
            call_id = model_id
        elif "INFERENCE_PROFILE" in kinds:
            try:
                call_id = profile_id(model_id, region)
            except ValueError:  # no profile callable from this Region: the playground can't call it
                continue
        else:
            continue
        limits = row.limits if row is not None else {}
        options.append(
            ModelOption(
                model_id=model_id,
                call_id=call_id,
                name=summary.get("modelName", model_id),
                provider=summary.get("providerName", ""),
                status=summary.get("modelLifecycle", {}).get("status", "ACTIVE"),
                max_tokens=int(limits.get("maxOutputTokens", UNKNOWN_MAX_TOKENS)),
                temperature_or_top_p=_temperature_or_top_p(row),
            )
        )
    return sorted(options, key=lambda o: (o.status != "ACTIVE", o.provider, o.name))


def converse_request(
    option: ModelOption,
    messages: list[dict],
    *,
    system: str = "",
    max_tokens: int = 300,
    temperature: float | None = None,
    top_p: float | None = None,
) -> dict:
    """The keyword arguments of `converse` / `converse_stream`; parameters left as None are not sent."""
    request: dict = {"modelId": option.call_id, "messages": messages}
    if system.strip():
        request["system"] = [{"text": system}]
    config: dict = {"maxTokens": max_tokens}
    if temperature is not None:
        config["temperature"] = round(temperature, 2)
    if top_p is not None:
        config["topP"] = round(top_p, 2)
    request["inferenceConfig"] = config
    return request


def user_turn(text: str) -> dict:
    return {"role": "user", "content": [{"text": text}]}


@dataclass
class Reply:
    """What one converse_stream call brought back."""

    option: ModelOption
    pieces: list[str] = field(default_factory=list)
    stop_reason: str | None = None
    usage: dict = field(default_factory=dict)
    latency_ms: int | None = None  # Bedrock's metrics.latencyMs
    first_seconds: float | None = None  # measured here: time to the first text
    seconds: float = 0.0  # measured here: time to the end of the stream

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def cost(self) -> float | None:
        return prices.estimate(self.option.call_id, self.usage.get("inputTokens", 0), self.usage.get("outputTokens", 0))

    def readout(self, measured: bool = True) -> str:
        parts = [
            f"{self.usage.get('inputTokens')} tokens in, {self.usage.get('outputTokens')} out",
            f"stop reason {self.stop_reason}",
            f"latency {self.latency_ms} ms (Bedrock)",
            prices.describe(self.cost),
        ]
        if measured and self.first_seconds is not None:
            parts.insert(2, f"first text after {self.first_seconds * 1000:.0f} ms here")
        return " · ".join(parts)


def stream_reply(runtime, request: dict, option: ModelOption, on_text: Callable[[Reply], None] | None = None) -> Reply:
    """Call converse_stream and read its events in Bedrock's order, calling `on_text` as text arrives."""
    start = time.perf_counter()
    reply = Reply(option)
    response = runtime.converse_stream(**request)
    for event in response["stream"]:
        if "contentBlockDelta" in event:
            text = event["contentBlockDelta"]["delta"].get("text", "")
            if text:
                if reply.first_seconds is None:
                    reply.first_seconds = time.perf_counter() - start
                reply.pieces.append(text)
                if on_text:
                    on_text(reply)
        elif "messageStop" in event:
            reply.stop_reason = event["messageStop"]["stopReason"]
        elif "metadata" in event:
            reply.usage = event["metadata"].get("usage", {})
            reply.latency_ms = event["metadata"].get("metrics", {}).get("latencyMs")
    reply.seconds = time.perf_counter() - start
    return reply


STREAM_LOOP = """for event in response["stream"]:
    if "contentBlockDelta" in event:
        print(event["contentBlockDelta"]["delta"].get("text", ""), end="")
    elif "metadata" in event:
        print("\\n", event["metadata"]["usage"])"""


class Panel:
    """One model's column: its name, the streamed answer and the readout (or the error)."""

    def __init__(self, w):
        self.title = w.HTML()
        self.answer = w.HTML()
        self.readout = w.HTML()
        self.box = w.VBox([self.title, self.answer, self.readout], layout=w.Layout(flex="1 1 0", padding="0 8px"))

    def start(self, option: ModelOption) -> None:
        self.title.value = f"<b>{html.escape(option.label)}</b> <code>{html.escape(option.call_id)}</code>"
        self.answer.value = ""
        self.readout.value = "<i>waiting for the first text…</i>"

    def show_text(self, reply: Reply) -> None:
        self.answer.value = _pre(reply.text)

    def finish(self, reply: Reply) -> None:
        self.show_text(reply)
        self.readout.value = f'<span class="playground-readout">{html.escape(reply.readout())}</span>'

    def fail(self, exc: Exception) -> None:
        self.readout.value = _error_html(exc)


class Playground(App):
    title = "Bedrock playground"

    def __init__(self, runtime, control, region: str):
        super().__init__()
        w = _widgets()
        self.runtime, self.region = runtime, region
        self.options = text_models(control, region)
        if not self.options:
            raise ValueError(f"list_foundation_models lists no Converse text model that streams in {region}")
        self.by_id = {o.model_id: o for o in self.options}
        choices = [(o.label, o.model_id) for o in self.options]
        first = DEFAULT_MODEL if DEFAULT_MODEL in self.by_id else self.options[0].model_id
        self.model = w.Dropdown(
            style=WIDE_LABEL, options=choices, value=first, description="model", layout=w.Layout(width="48%")
        )
        self.compare = w.Dropdown(
            style=WIDE_LABEL,
            options=[("(no comparison)", "")] + choices,
            value="",
            description="compare with",
            layout=w.Layout(width="48%"),
        )
        self.system = w.Textarea(
            style=WIDE_LABEL,
            value="",
            description="system",
            placeholder="optional system prompt",
            layout=w.Layout(width="98%", height="3em"),
        )
        self.use_temperature = w.Checkbox(value=True, description="send temperature", indent=False)
        self.temperature = w.FloatSlider(
            style=WIDE_LABEL,
            value=0.5,
            min=TEMPERATURE_RANGE[0],
            max=TEMPERATURE_RANGE[1],
            step=0.05,
            description="temperature",
        )
        self.use_top_p = w.Checkbox(value=False, description="send top_p", indent=False)
        self.top_p = w.FloatSlider(
            style=WIDE_LABEL, value=0.9, min=TOP_P_RANGE[0], max=TOP_P_RANGE[1], step=0.05, description="top_p"
        )
        self.max_tokens = w.IntSlider(style=WIDE_LABEL, value=300, min=1, max=4096, description="max tokens")
        self.limits = w.HTML()
        self.chat = w.Checkbox(value=False, description="chat: keep the conversation", indent=False)
        self.clear = w.Button(description="Clear chat", icon="trash")
        self.prompt = w.Textarea(
            style=WIDE_LABEL, value=DEFAULT_PROMPT, description="prompt", layout=w.Layout(width="98%", height="4em")
        )
        self.send_button = w.Button(description="Send", button_style="primary", icon="paper-plane")
        self.show_code = w.ToggleButton(value=False, description="Show code", icon="code")
        self.panels = [Panel(w), Panel(w)]
        self.columns = w.HBox([self.panels[0].box])
        self.transcript = w.HTML()
        self.code = w.HTML()
        self.history: list[dict] = []
        self.replies: list[Reply] = []
        self.errors: list[Exception] = []

        self.model.observe(lambda _change: self._limits_for_model(), names="value")
        self.compare.observe(lambda _change: self._layout_columns(), names="value")
        for control_ in (
            self.system,
            self.temperature,
            self.top_p,
            self.max_tokens,
            self.use_temperature,
            self.use_top_p,
            self.prompt,
            self.chat,
        ):
            control_.observe(lambda _change: self._refresh_code(), names="value")
        self.show_code.observe(lambda _change: self._refresh_code(), names="value")
        self.send_button.on_click(lambda _: self.send())
        self.clear.on_click(lambda _: self.clear_chat())
        self._limits_for_model()

        self.box = w.VBox(
            [
                w.HBox([self.model, self.compare]),
                self.system,
                w.HBox([self.use_temperature, self.temperature, self.use_top_p, self.top_p]),
                w.HBox([self.max_tokens, self.limits]),
                w.HBox([self.chat, self.clear]),
                self.prompt,
                w.HBox([self.send_button, self.show_code]),
                self.columns,
                self.transcript,
                self.code,
            ]
        )

    # ---- the controls follow the chosen model
    @property
    def option(self) -> ModelOption:
        return self.by_id[self.model.value]

    def _limits_for_model(self) -> None:
        option = self.option
        self.max_tokens.max = option.max_tokens
        self.max_tokens.value = min(self.max_tokens.value, option.max_tokens)
        note = f"maxTokens 1 to {option.max_tokens:,}"
        if option.temperature_or_top_p:
            note += "; this model takes temperature or top_p, not both"
        self.limits.value = f"<small>{html.escape(note)}</small>"
        self._refresh_code()

    def _layout_columns(self) -> None:
        wanted = [self.panels[0].box] + ([self.panels[1].box] if self.compare.value else [])
        self.columns.children = tuple(wanted)

    # ---- requests and code
    def messages(self) -> list[dict]:
        turn = user_turn(self.prompt.value)
        return [*self.history, turn] if self.chat.value else [turn]

    def request(self, option: ModelOption | None = None) -> dict:
        return converse_request(
            option or self.option,
            self.messages(),
            system=self.system.value,
            max_tokens=self.max_tokens.value,
            temperature=self.temperature.value if self.use_temperature.value else None,
            top_p=self.top_p.value if self.use_top_p.value else None,
        )

    def code_text(self) -> str:
        """The exact boto3 call Send makes with the current settings, ready to paste into a script."""
        header = f'import boto3\n\nbedrock = boto3.client("bedrock-runtime", region_name="{self.region}")\n'
        return header + python_call("bedrock", "converse_stream", self.request()) + "\n" + STREAM_LOOP

    def _refresh_code(self) -> None:
        if getattr(self, "show_code", None) is not None:
            self.code.value = _code_html(self.code_text()) if self.show_code.value else ""

    # ---- actions
    def send(self) -> list[Reply]:
        """Send the prompt to the model (and the one to compare with); returns the replies that succeeded."""
        targets = [self.option] + ([self.by_id[self.compare.value]] if self.compare.value else [])
        messages = self.messages()
        done = []
        for panel, option in zip(self.panels, targets, strict=False):
            panel.start(option)
            try:
                reply = stream_reply(self.runtime, self.request(option), option, panel.show_text)
            except Exception as exc:  # shown in the panel; the app keeps working
                self.errors.append(exc)
                panel.fail(exc)
                continue
            panel.finish(reply)
            self.replies.append(reply)
            done.append(reply)
        if self.chat.value and done and done[0].option is self.option:
            self.history = [*messages, {"role": "assistant", "content": [{"text": done[0].text}]}]
            self.transcript.value = self.transcript_html()
        self._refresh_code()
        return done

    def clear_chat(self) -> None:
        self.history = []
        self.transcript.value = ""
        self._refresh_code()

    def transcript_html(self) -> str:
        turns = "".join(
            f"<div><b>{turn['role']}</b>: {html.escape(' '.join(b.get('text', '') for b in turn['content']))}</div>"
            for turn in self.history
        )
        return f"<details open><summary>conversation so far ({len(self.history)} turns)</summary>{turns}</details>"

    def summary(self) -> str:
        active = sum(o.status == "ACTIVE" for o in self.options)
        head = (
            f"{self.title}: {len(self.options)} Converse text models in {self.region} "
            f"({active} active, {len(self.options) - active} legacy)."
        )
        if self.errors and not self.replies:
            return f"{head} The first send failed: {error_text(self.errors[-1])}"
        if not self.replies:
            return head
        reply = self.replies[-1]
        return f"{head} First answer, {reply.option.name}: " + reply.readout(measured=False) + "."


def playground(runtime=None, control=None, *, send: bool = True) -> Playground:
    """Build the playground on `runtime` (bedrock-runtime) and `control` (bedrock) clients, draw it, and
    send the default prompt once so that the printed summary shows a real answer."""
    import boto3

    runtime = runtime or boto3.client("bedrock-runtime")
    control = control or boto3.client("bedrock", region_name=runtime.meta.region_name)
    app = Playground(runtime, control, runtime.meta.region_name)
    if send:
        app.send()
    app._show()
    return app
