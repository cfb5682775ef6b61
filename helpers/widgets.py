"""Small ipywidgets apps for the lessons: a stream visualiser (02), a parameter explorer (04), an image studio (08).

Each app makes one plain boto3 call with the client the lesson made, shows the exact call it made
(ready to paste into a script), and prints a short static summary, so a committed notebook still
reads well where widgets don't render (GitHub, nbviewer). ipywidgets is imported only when an app
is built. The logic (request bodies, the code shown, parsing answers) is plain functions, tested
without a browser.
"""

from __future__ import annotations

import html
import io
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .display import fill

__all__ = ["image_studio", "parameter_explorer", "python_call", "stream_visualiser"]

# ---------------------------------------------------------------- the code an app shows


def python_literal(value: object, indent: int = 0, width: int = 88) -> str:
    """`value` as Python source: on one line when it fits in `width`, else one item per line."""
    flat = _flat(value)
    if len(flat) + indent <= width or not isinstance(value, (dict, list, tuple)) or not value:
        return flat
    pad, inner = " " * indent, " " * (indent + 4)
    if isinstance(value, dict):
        items = [f"{inner}{_flat(k)}: {python_literal(v, indent + 4, width)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    items = [f"{inner}{python_literal(v, indent + 4, width)}," for v in value]
    return "[\n" + "\n".join(items) + f"\n{pad}]"


def _flat(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid Python string literal
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flat(k)}: {_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return repr(value)  # numbers, True/False/None


def python_call(client: str, operation: str, kwargs: dict, *, json_body: bool = False, result: str = "response") -> str:
    """The boto3 call `client.operation(**kwargs)` as source code; `json_body` wraps `body` in json.dumps."""
    lines = [f"{result} = {client}.{operation}("]
    for key, value in kwargs.items():
        literal = python_literal(value, 4)
        if key == "body" and json_body:
            literal = f"json.dumps({literal})"
        lines.append(f"    {key}={literal},")
    return "\n".join(lines) + "\n)"


# ---------------------------------------------------------------- shared pieces


def error_text(exc: Exception) -> str:
    """A Bedrock error as a learner should read it: the error code, then Bedrock's own message."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error.get("Code", type(exc).__name__) + (f" ({status})" if status else "")
        return f"{code}: {error.get('Message', '')}"
    return f"{type(exc).__name__}: {exc}"


def _pre(text: str, colour: str = "inherit") -> str:
    return (
        f'<pre style="white-space: pre-wrap; word-break: normal; overflow-wrap: anywhere; margin: 0; color: {colour}">'
        f"{html.escape(text)}</pre>"
    )


def _error_html(exc: Exception) -> str:
    return (
        '<div style="border-left: 4px solid #d9534f; padding: 4px 8px; background: #fdf2f2">'
        + _pre(error_text(exc), "#a12622")
        + "</div>"
    )


def _code_html(code: str) -> str:
    return '<div style="background: #f6f8fa; padding: 4px 8px">' + _pre(code) + "</div>"


def _widgets():
    """ipywidgets, imported on first use: it is heavy, and only apps need it."""
    import ipywidgets

    return ipywidgets


WIDE_LABEL = {"description_width": "initial"}  # labels in full ("max tokens", not "max tok...")


class App:
    """An ipywidgets app: `box` is what Jupyter draws; where widgets don't render, its text says what it is."""

    title = "app"

    def __init__(self):
        self.box = None

    def summary(self) -> str:  # pragma: no cover - each app says its own
        return self.title

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.box._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"[{self.title}: interactive in JupyterLab or Jupyter Notebook]"
        return bundle

    def _show(self) -> None:
        """Print the static summary, then draw the app (in a notebook)."""
        print(fill(self.summary()))
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return
        if get_ipython() is not None:
            display(self)


# ---------------------------------------------------------------- lesson 02: stream visualiser


def stream_models(region: str) -> list[tuple[str, str]]:
    """(label, modelId) of the visualiser's models: the lesson's Claude 2, and two that speak the Messages API."""
    from .profiles import profile_id

    models = [
        ("Claude 2 (text completions)", "anthropic.claude-v2"),
        ("Claude 3 Haiku (Messages API)", "anthropic.claude-3-haiku-20240307-v1:0"),
    ]
    try:  # a current Claude, called through the inference profile for this Region (lesson 04)
        models.append(
            ("Claude Haiku 4.5 (Messages API)", profile_id("anthropic.claude-haiku-4-5-20251001-v1:0", region))
        )
    except ValueError:
        pass
    return models


def stream_body(model_id: str, prompt: str, max_tokens: int) -> dict:
    """The native streaming body for the visualiser's models: text completions or the Messages API."""
    from .profiles import split

    if split(model_id)[1].startswith(("anthropic.claude-v2", "anthropic.claude-instant")):
        return {"prompt": f"\n\nHuman:{prompt}\n\nAssistant:", "max_tokens_to_sample": max_tokens}
    return {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": prompt}],
    }


def chunk_text(chunk: dict) -> str:
    """The text in one Claude stream chunk (text completions or Messages API); '' for other events."""
    if "completion" in chunk:
        return chunk["completion"]
    if chunk.get("type") == "content_block_delta":
        return chunk["delta"].get("text", "")
    return ""


@dataclass
class StreamRun:
    """What one stream delivered, and when."""

    pieces: list[str] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)  # seconds after the call, per text piece
    metrics: dict = field(default_factory=dict)  # Bedrock's amazon-bedrock-invocationMetrics
    chunks: int = 0  # every chunk, including those that carry no text (the last one, metadata events)
    total: float = 0.0

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def first(self) -> float | None:
        return self.arrived[0] if self.arrived else None


def consume_stream(events: Iterable[dict], on_piece: Callable[[StreamRun], None] | None = None) -> StreamRun:
    """Read an InvokeModelWithResponseStream body, timing every text piece; call `on_piece` as each arrives."""
    start = time.perf_counter()
    run = StreamRun()
    for event in events:
        chunk = json.loads(event["chunk"]["bytes"])
        run.chunks += 1
        run.metrics = chunk.get("amazon-bedrock-invocationMetrics", run.metrics)
        piece = chunk_text(chunk)
        if piece:
            run.pieces.append(piece)
            run.arrived.append(time.perf_counter() - start)
            if on_piece:
                on_piece(run)
    run.total = time.perf_counter() - start
    return run


_SHADES = ("#dbeafe", "#fde68a")  # alternate chunk backgrounds, so each chunk's edges show


def pieces_html(pieces: list[str]) -> str:
    spans = (
        f'<span style="background: {_SHADES[i % 2]}; white-space: pre-wrap">{html.escape(p)}</span>'
        for i, p in enumerate(pieces)
    )
    return '<div style="line-height: 1.7">' + "".join(spans) + "</div>"


class StreamVisualiser(App):
    title = "Stream visualiser"

    def __init__(self, client, model_id: str, prompt: str, max_tokens: int):
        super().__init__()
        w = _widgets()
        self.client = client
        self.model = w.Dropdown(
            style=WIDE_LABEL, options=stream_models(client.meta.region_name), value=model_id, description="model"
        )
        self.prompt = w.Textarea(style=WIDE_LABEL, value=prompt, description="prompt", layout=w.Layout(width="95%"))
        self.max_tokens = w.IntSlider(
            style=WIDE_LABEL, value=max_tokens, min=10, max=1000, step=10, description="max tokens"
        )
        self.button = w.Button(description="Stream", button_style="primary", icon="play")
        self.answer = w.HTML()
        self.stats = w.HTML()
        self.code = w.HTML()
        self.button.on_click(lambda _: self.run())
        controls = w.HBox([self.model, self.max_tokens, self.button])
        self.box = w.VBox([controls, self.prompt, self.answer, self.stats, self.code])
        self.last: StreamRun | None = None
        self.error: Exception | None = None

    def request(self) -> dict:
        body = stream_body(self.model.value, self.prompt.value, self.max_tokens.value)
        return {"modelId": self.model.value, "body": body}

    def run(self) -> StreamRun | None:
        request = self.request()
        self.code.value = _code_html(
            python_call("bedrock", "invoke_model_with_response_stream", request, json_body=True)
            + '\nfor event in response["body"]:\n    chunk = json.loads(event["chunk"]["bytes"])'
        )
        self.answer.value, self.stats.value, self.error = "", "<i>waiting for the first chunk…</i>", None
        try:
            response = self.client.invoke_model_with_response_stream(
                modelId=request["modelId"], body=json.dumps(request["body"])
            )
            self.last = consume_stream(response["body"], self._arrived)
        except Exception as exc:  # shown in the app, which keeps working
            self.error, self.last = exc, None
            self.stats.value = _error_html(exc)
            return None
        self.stats.value = html.escape(self.describe(self.last, measured=True))
        return self.last

    def _arrived(self, run: StreamRun) -> None:
        self.answer.value = pieces_html(run.pieces)
        self.stats.value = html.escape(f"first text after {run.first * 1000:.0f} ms · {len(run.pieces)} pieces so far")

    def describe(self, run: StreamRun, measured: bool = False) -> str:
        metrics = run.metrics
        parts = [f"{run.chunks} chunks, {len(run.pieces)} with text"]
        if measured:
            parts.insert(0, f"first text after {run.first * 1000:.0f} ms, all after {run.total * 1000:.0f} ms")
        if metrics:
            parts.append(f"{metrics.get('inputTokenCount')} tokens in, {metrics.get('outputTokenCount')} out")
            parts.append(
                f"Bedrock's firstByteLatency {metrics.get('firstByteLatency')} ms, "
                f"invocationLatency {metrics.get('invocationLatency')} ms"
            )
        return " · ".join(parts)

    def summary(self) -> str:
        head = f"{self.title}: {self.model.value}, max {self.max_tokens.value} tokens."
        if self.error is not None:
            return f"{head} The first run failed: {error_text(self.error)}"
        if self.last is None:
            return head
        return f"{head} First run: " + self.describe(self.last).replace(" · ", "; ") + "."


def stream_visualiser(
    client, model_id: str = "anthropic.claude-v2", prompt: str = "你是谁?请介绍自己，不少于100字", max_tokens: int = 300
) -> StreamVisualiser:
    """Stream `prompt` once with `client` and draw each chunk as it arrives; press Stream to go again."""
    app = StreamVisualiser(client, model_id, prompt, max_tokens)
    app.run()
    app._show()
    return app


# ---------------------------------------------------------------- lesson 04: parameter explorer


def claude_text_body(question: str, max_tokens: int, temperature: float, stop_sequences: list[str]) -> dict:
    """A Claude text-completions body; stop sequences only when there are some."""
    body = {
        "prompt": f"\n\nHuman: {question}\n\nAssistant:",
        "max_tokens_to_sample": max_tokens,
        "temperature": temperature,
    }
    if stop_sequences:
        body["stop_sequences"] = stop_sequences
    return body


def parse_stops(text: str) -> list[str]:
    """'., !' -> ['.', '!']: comma-separated stop sequences as typed; `\\n` stands for a newline."""
    return [part.strip().replace("\\n", "\n") for part in text.split(",") if part.strip()]


@dataclass
class Answer:
    """One parameter-explorer run: the settings and what came back."""

    temperature: float
    stops: list[str]
    max_tokens: int
    completion: str
    stop_reason: str
    stop: str | None
    output_tokens: int


class ParameterExplorer(App):
    title = "Parameter explorer"

    def __init__(self, client, model_id: str, question: str):
        super().__init__()
        w = _widgets()
        self.client, self.model_id = client, model_id
        self.question = w.Text(style=WIDE_LABEL, value=question, description="question", layout=w.Layout(width="95%"))
        self.temperature = w.FloatSlider(
            style=WIDE_LABEL, value=0.5, min=0.0, max=1.0, step=0.1, description="temperature", continuous_update=False
        )
        self.stops = w.Text(
            style=WIDE_LABEL, value="", description="stop", placeholder="comma-separated, e.g. . or \\n"
        )
        self.max_tokens = w.IntSlider(
            style=WIDE_LABEL, value=60, min=5, max=300, step=5, description="max tokens", continuous_update=False
        )
        self.answer = w.HTML()
        self.history = w.HTML()
        self.code = w.HTML()
        for control in (self.question, self.temperature, self.stops, self.max_tokens):
            control.observe(lambda _change: self.run(), names="value")
        self.box = w.VBox(
            [
                self.question,
                w.HBox([self.temperature, self.max_tokens, self.stops]),
                self.answer,
                self.history,
                self.code,
            ]
        )
        self.runs: list[Answer] = []
        self.error: Exception | None = None

    def request(self) -> dict:
        body = claude_text_body(
            self.question.value, self.max_tokens.value, round(self.temperature.value, 2), parse_stops(self.stops.value)
        )
        return {"modelId": self.model_id, "body": body}

    def run(self) -> Answer | None:
        request = self.request()
        self.code.value = _code_html(python_call("bedrock", "invoke_model", request, json_body=True))
        try:
            response = self.client.invoke_model(modelId=self.model_id, body=json.dumps(request["body"]))
            out = json.loads(response["body"].read())
        except Exception as exc:
            self.error = exc
            self.answer.value = _error_html(exc)
            return None
        self.error = None
        headers = response["ResponseMetadata"]["HTTPHeaders"]
        answer = Answer(
            request["body"]["temperature"],
            request["body"].get("stop_sequences", []),
            self.max_tokens.value,
            out["completion"],
            out["stop_reason"],
            out.get("stop"),
            int(headers["x-amzn-bedrock-output-token-count"]),
        )
        self.runs.append(answer)
        self.answer.value = (
            _pre(answer.completion.strip())
            + f"<b>stop_reason</b> {answer.stop_reason} · <b>stop</b> {html.escape(repr(answer.stop))}"
            f" · <b>{answer.output_tokens}</b> tokens out"
        )
        self.history.value = self.history_html()
        return answer

    def history_html(self, last: int = 6) -> str:
        rows = "".join(
            f"<tr><td>{a.temperature}</td><td>{html.escape(repr(a.stops))}</td><td>{a.max_tokens}</td>"
            f"<td>{a.stop_reason}</td><td>{a.output_tokens}</td><td>{html.escape(a.completion.strip()[:60])}…</td></tr>"
            for a in reversed(self.runs[-last:])
        )
        names = ("temperature", "stop", "max", "stop_reason", "tokens", "answer")
        head = "<tr>" + "".join(f"<th>{name}</th>" for name in names) + "</tr>"
        return f"<details open><summary>last runs, newest first</summary><table>{head}{rows}</table></details>"

    def summary(self) -> str:
        head = f"{self.title}: {self.model_id}, text-completions body."
        if not self.runs:
            return f"{head} The first run failed: {error_text(self.error)}" if self.error else head
        a = self.runs[-1]
        return (
            f"{head} First run: temperature {a.temperature}, stop_sequences {a.stops}, max {a.max_tokens} -> "
            f"stop_reason {a.stop_reason}, {a.output_tokens} tokens."
        )


def parameter_explorer(
    client, model_id: str = "anthropic.claude-v2", question: str = "What is Amazon Bedrock?"
) -> ParameterExplorer:
    """Ask `question` once; every change of temperature, stop sequences or max tokens asks again."""
    app = ParameterExplorer(client, model_id, question)
    app.run()
    app._show()
    return app


# ---------------------------------------------------------------- lesson 08: image studio

IMAGE_MODELS = {
    "stability.stable-diffusion-xl-v1": "SDXL 1.0",
    "stability.stable-diffusion-xl-v0": "SDXL 0.8",
}


def sdxl_body(prompt: str, negative: str, style: str | None, size: tuple[int, int], seed: int) -> dict:
    """An SDXL body: weighted text prompts (negatives at -1.0), optional style preset, size and seed."""
    prompts = [{"text": prompt, "weight": 1.0}]
    prompts += [{"text": n.strip(), "weight": -1.0} for n in negative.split(",") if n.strip()]
    body: dict = {"text_prompts": prompts, "width": size[0], "height": size[1], "seed": seed}
    if style:
        body["style_preset"] = style
    return body


def size_options(model_id: str) -> list[tuple[str, tuple[int, int]]]:
    """The sizes `model_id` accepts, as dropdown options ('1152 x 896 (landscape)', (1152, 896))."""
    from .images import allowed_sizes

    def shape(w: int, h: int) -> str:
        return "square" if w == h else ("landscape" if w > h else "portrait")

    return [(f"{w} x {h} ({shape(w, h)})", (w, h)) for w, h in allowed_sizes(model_id)]


class ImageStudio(App):
    title = "Image studio"

    def __init__(self, client, model_id: str, prompt: str, seed: int):
        super().__init__()
        w = _widgets()
        self.client = client
        self.model = w.Dropdown(
            style=WIDE_LABEL, options=[(v, k) for k, v in IMAGE_MODELS.items()], value=model_id, description="model"
        )
        self.prompt = w.Text(style=WIDE_LABEL, value=prompt, description="prompt", layout=w.Layout(width="95%"))
        self.negative = w.Text(
            style=WIDE_LABEL,
            value="",
            description="negative",
            placeholder="comma-separated, e.g. clouds, sun",
            layout=w.Layout(width="95%"),
        )
        # Bedrock's documented SDXL style presets: the one list the simulator validates against.
        from .simulator.generators.images import STYLES

        self.style = w.Dropdown(
            style=WIDE_LABEL,
            options=[("(none)", None)] + [(s, s) for s in STYLES],
            value=None,
            description="style",
        )
        self.size = w.Dropdown(style=WIDE_LABEL, description="size")
        self.seed = w.BoundedIntText(style=WIDE_LABEL, value=seed, min=0, max=4294967295, description="seed")
        self.button = w.Button(description="Draw", button_style="primary", icon="paint-brush")
        self.picture = w.Image(format="png", layout=w.Layout(max_width="384px"))
        self.caption = w.HTML()
        self.code = w.HTML()
        self._sizes_for_model()
        self.model.observe(lambda _change: self._sizes_for_model(), names="value")
        self.button.on_click(lambda _: self.run())
        self.box = w.VBox(
            [
                w.HBox([self.model, self.style, self.size]),
                self.prompt,
                self.negative,
                w.HBox([self.seed, self.button]),
                self.picture,
                self.caption,
                self.code,
            ]
        )
        self.last_image = None
        self.error: Exception | None = None

    def _sizes_for_model(self) -> None:
        """Offer only the sizes the chosen model accepts, keeping the current one if it still fits."""
        options = size_options(self.model.value)
        current = self.size.value
        sizes = [value for _, value in options]
        self.size.options = options
        preferred = [current, (1024, 1024), (512, 512)]
        self.size.value = next((size for size in preferred if size in sizes), sizes[0])

    def request(self) -> dict:
        body = sdxl_body(self.prompt.value, self.negative.value, self.style.value, self.size.value, self.seed.value)
        return {"modelId": self.model.value, "body": body}

    def run(self):
        from .images import fingerprint, images_of

        request = self.request()
        self.code.value = _code_html(python_call("bedrock", "invoke_model", request, json_body=True))
        self.caption.value = "<i>drawing…</i>"
        try:
            response = self.client.invoke_model(modelId=request["modelId"], body=json.dumps(request["body"]))
            image = images_of(json.loads(response["body"].read()))[0]
        except Exception as exc:
            self.error = exc
            self.caption.value = _error_html(exc)
            return None
        self.error, self.last_image = None, image
        thumb = image.convert("RGB")
        thumb.thumbnail((384, 384))
        buf = io.BytesIO()
        thumb.save(buf, "PNG")
        self.picture.value = buf.getvalue()
        self.caption.value = html.escape(fingerprint(image))
        return image

    def summary(self) -> str:
        from .images import fingerprint

        w, h = self.size.value
        head = (
            f"{self.title}: {IMAGE_MODELS[self.model.value]}, {w}x{h}, style {self.style.value or '(none)'}, "
            f"seed {self.seed.value}."
        )
        if self.error is not None:
            return f"{head} The first picture failed: {error_text(self.error)}"
        return f"{head} First picture: {fingerprint(self.last_image)}." if self.last_image else head


def image_studio(
    client,
    model_id: str = "stability.stable-diffusion-xl-v1",
    prompt: str = "a lighthouse on a cliff at sunset",
    seed: int = 7,
) -> ImageStudio:
    """Draw `prompt` once with `client`; change prompt, style, size, seed or negatives and press Draw."""
    app = ImageStudio(client, model_id, prompt, seed)
    app.run()
    app._show()
    return app
