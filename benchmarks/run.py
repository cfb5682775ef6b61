"""Side-by-side benchmarks of the offline simulator, in one run on one machine.

    pip install -r benchmarks/requirements.txt
    python benchmarks/run.py                  # per-call, stream, image, embeddings, fresh process
    python benchmarks/run.py --notebooks      # ... plus every notebook's Run All time
    python benchmarks/run.py --suite          # ... plus the full pytest wall time

Contenders for a per-call answer are measured alternately, round after round, and each is
reported as the median of its rounds, so a busy moment of the machine hurts all of them alike.
The table is printed and written to benchmarks/RESULTS.md.

Contenders:
- offline: this workshop's simulator (validation, generation, Bedrock's headers);
- canned before-send: a botocore hook returning a fixed body: botocore's own serialise, sign
  and parse cost, the floor for any faithful in-process answer;
- moto mock_aws: moto's in-process mock (answers `{}` for Bedrock runtime calls);
- Stubber: botocore's Stubber (skips serialising, signing and parsing).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.testing import use_offline_environment  # noqa: E402

use_offline_environment()
os.environ["BEDROCK_SIMULATOR_LATENCY_SCALE"] = "0"  # measure work, not the simulated waiting
# Live-mode contenders still sign their requests: give them obviously fake keys (never sent anywhere).
os.environ["AWS_ACCESS_KEY_ID"] = "BENCHMARK-DUMMY-KEY"
os.environ["AWS_SECRET_ACCESS_KEY"] = "benchmark-dummy-secret-not-real"  # pragma: allowlist secret

import boto3  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.stub import Stubber  # noqa: E402

import helpers  # noqa: E402

NO_RETRIES = Config(retries={"total_max_attempts": 1})
CLAUDE = "anthropic.claude-v2"
CLAUDE_BODY = json.dumps({"prompt": "\n\nHuman: What is Amazon Bedrock?\n\nAssistant:", "max_tokens_to_sample": 300})
TITAN = "amazon.titan-embed-text-v1"
TITAN_BODY = json.dumps({"inputText": "对不起"})
ROWS: list[tuple[str, str, str]] = []  # (what, measured, compared)
_offline = [False]  # whether helpers.setup() last chose offline (switching costs a little: only when needed)


def _novel_claude(i: int) -> str:
    """A Claude text completion whose question this process has not asked before."""
    prompt = f"\n\nHuman: What is Amazon Bedrock, question {i}?\n\nAssistant:"
    return json.dumps({"prompt": prompt, "max_tokens_to_sample": 300})


def per_call(fn: Callable[[], object], calls: int) -> float:
    """Seconds per call over `calls` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def alternate(
    contenders: dict[str, Callable[[], object]], calls: int, rounds: int, modes: dict[str, str] | None = None
) -> dict[str, float]:
    """Median seconds per call of each contender, measured in alternating rounds.

    `modes` names the helpers.setup() mode a contender needs ("offline" when not named); the switch
    (about 5 ms) happens before its round's clock starts."""
    modes = modes or {}
    for name, fn in contenders.items():  # warm caches and imports
        _switch(modes.get(name, "offline"))
        per_call(fn, 3)
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            _switch(modes.get(name, "offline"))
            samples[name].append(per_call(fn, calls))
    return {name: statistics.median(values) for name, values in samples.items()}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms" if seconds < 0.01 else f"{seconds * 1000:.1f} ms"


# ---------------------------------------------------------------- contenders


def offline_client(service: str = "bedrock-runtime"):
    helpers.setup("offline", quiet=True)
    _offline[0] = True
    return boto3.client(service, region_name="us-east-1", config=NO_RETRIES)


def canned_client(body: bytes, headers: dict[str, str]):
    """A client whose calls are answered by a before-send hook with a fixed body."""
    client = boto3.client("bedrock-runtime", region_name="us-east-1", config=NO_RETRIES)

    def answer(request, **_):
        return AWSResponse(request.url, 200, headers, _Raw(body))

    client.meta.events.register_first("before-send.bedrock-runtime.InvokeModel", answer)
    return client


def stubbed_client(body: bytes):
    import io

    from botocore.response import StreamingBody

    client = boto3.client("bedrock-runtime", region_name="us-east-1", config=NO_RETRIES)
    stubber = Stubber(client)
    stubber.activate()

    def call(model_id: str, request_body: str):
        stubber.add_response(
            "invoke_model",
            {"body": StreamingBody(io.BytesIO(body), len(body)), "contentType": "application/json"},
            {"modelId": model_id, "body": request_body},
        )
        return client.invoke_model(modelId=model_id, body=request_body)["body"].read()

    return call


def invoke_rows(
    label: str, model_id: str, request_body: str, calls: int, rounds: int, novel: Callable[[int], str] | None = None
) -> dict[str, float]:
    """Per-call time of each contender on one repeated request; `novel(i)`, when given, also times
    the simulator on a request it has not seen before (its answers to repeated requests are memoised)."""
    sim = offline_client()
    real = sim.invoke_model(modelId=model_id, body=request_body)
    body = real["body"].read()
    headers = {k: v for k, v in real["ResponseMetadata"]["HTTPHeaders"].items()}
    helpers.setup("live", quiet=True)  # the simulator steps aside for the other contenders
    _offline[0] = False
    canned = canned_client(body, headers)
    stub = stubbed_client(body)
    try:
        from moto import mock_aws
    except ImportError:  # moto is a benchmark-only dependency
        mock_aws = None
    mocked = None
    if mock_aws is not None:
        mock = mock_aws()
        mock.start()
        mocked = boto3.client("bedrock-runtime", region_name="us-east-1", config=NO_RETRIES)

    contenders: dict[str, Callable[[], object]] = {
        "offline": lambda: sim.invoke_model(modelId=model_id, body=request_body)["body"].read(),
        "canned before-send": lambda: canned.invoke_model(modelId=model_id, body=request_body)["body"].read(),
        "Stubber": lambda: stub(model_id, request_body),
    }
    if mocked is not None:
        contenders["moto mock_aws"] = lambda: mocked.invoke_model(modelId=model_id, body=request_body)["body"].read()
    if novel is not None:
        seen = iter(range(10**9))
        contenders["offline, a new question every call"] = lambda: sim.invoke_model(
            modelId=model_id, body=novel(next(seen))
        )["body"].read()
    # The simulator answers only in offline mode; the others must not be answered by it. Each
    # contender switches the mode it needs (a cheap flag flip) before its round.
    modes = {name: "offline" if name.startswith("offline") else "live" for name in contenders}
    result = alternate(contenders, calls, rounds, modes)
    if mocked is not None:
        mock.stop()
    floor = result["canned before-send"]
    for name, seconds in result.items():
        ROWS.append((f"{label}: {name}", ms(seconds), f"{seconds / floor:.2f}x the canned floor"))
    return result


def _switch(mode: str) -> None:
    if _offline[0] != (mode == "offline"):
        helpers.setup(mode, quiet=True)
        _offline[0] = mode == "offline"


def _in_mode(mode: str, fn: Callable[[], object]) -> object:
    _switch(mode)
    return fn()


# ---------------------------------------------------------------- simulator-only measurements


def converse_rows(rounds: int) -> None:
    client = offline_client()
    _offline[0] = True
    if not hasattr(client, "converse"):
        ROWS.append(("converse", "n/a", "boto3 too old"))
        return
    model = "amazon.nova-micro-v1:0"
    ask = [{"role": "user", "content": [{"text": "Write at least 350 words about Amazon Bedrock."}]}]
    config = {"maxTokens": 500}
    try:
        client.converse(modelId=model, messages=ask, inferenceConfig=config)
    except client.exceptions.ClientError as err:  # Converse not simulated in this build
        ROWS.append(("converse", "n/a", str(err)[:60]))
        return

    def one():
        return client.converse(modelId=model, messages=ask, inferenceConfig=config)

    def stream():
        events = client.converse_stream(modelId=model, messages=ask, inferenceConfig=config)["stream"]
        return sum(1 for _ in events)

    tokens = one()["usage"]["outputTokens"]
    # The floor for a faithful stream: botocore decoding the very events the simulator sends
    # (its event-stream parser costs about 20 us an event), answered by a canned before-send hook.
    events = _stream_bytes(client, model, ask, config)
    canned = boto3.client("bedrock-runtime", region_name="us-east-1", config=NO_RETRIES)
    canned.meta.events.register_first(
        "before-send.bedrock-runtime.ConverseStream",
        lambda request, **_: AWSResponse(
            request.url, 200, {"Content-Type": "application/vnd.amazon.eventstream"}, _Raw(events)
        ),
    )

    def canned_stream():
        return sum(1 for _ in canned.converse_stream(modelId=model, messages=ask, inferenceConfig=config)["stream"])

    contenders = {"converse": one, "converse_stream": stream, "canned stream": canned_stream}
    result = alternate(contenders, 5, rounds, {"canned stream": "live"})
    count = _in_mode("offline", stream)
    ROWS.append((f"converse, {tokens} output tokens", ms(result["converse"]), ""))
    ratio = result["converse_stream"] / result["converse"]
    floor = result["canned stream"] / result["converse"]
    ROWS.append(
        (
            f"converse_stream, {tokens} tokens ({count} events), consumed",
            ms(result["converse_stream"]),
            f"{ratio:.2f}x converse; {result['converse_stream'] / result['canned stream']:.2f}x its canned floor",
        )
    )
    floor_row = f"converse_stream canned floor, the same {count} events"
    ROWS.append((floor_row, ms(result["canned stream"]), f"{floor:.2f}x converse"))
    # What a learner waits for: at the default latency scale the stream spreads the same simulated
    # latency over its events, so consuming it takes about as long as one converse.
    os.environ.pop("BEDROCK_SIMULATOR_LATENCY_SCALE")
    try:
        _in_mode("offline", one)
        paced = alternate({"converse": one, "converse_stream": stream}, 1, 3)
    finally:
        os.environ["BEDROCK_SIMULATOR_LATENCY_SCALE"] = "0"
    ROWS.append(
        (
            "converse_stream at the default latency scale",
            ms(paced["converse_stream"]),
            f"{paced['converse_stream'] / paced['converse']:.2f}x converse ({ms(paced['converse'])})",
        )
    )


class _Raw:
    """A canned raw body for botocore: the same bytes every call."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_):
        yield self._data

    def read(self, amt=None):
        data, self._data = self._data, b""
        return data


def _stream_bytes(client, model: str, ask: list, config: dict) -> bytes:
    """The raw event-stream bytes the simulator sends for one converse_stream call."""
    from helpers import _setup

    captured = []

    def capture(request, **_):
        response = _setup._simulator(request, "bedrock-runtime")
        data = b"".join(response.raw.stream())
        captured.append(data)
        return AWSResponse(request.url, 200, dict(response.headers), _Raw(data))

    client.meta.events.register_first("before-send.bedrock-runtime.ConverseStream", capture)
    try:
        sum(1 for _ in client.converse_stream(modelId=model, messages=ask, inferenceConfig=config)["stream"])
    finally:
        client.meta.events.unregister("before-send.bedrock-runtime.ConverseStream", capture)
    return captured[0]


def image_rows(rounds: int) -> None:
    client = offline_client()
    _offline[0] = True
    body = json.dumps({"text_prompts": [{"text": "a lighthouse at dawn"}], "width": 1024, "height": 1024, "seed": 1})
    result = alternate(
        {"sdxl": lambda: client.invoke_model(modelId="stability.stable-diffusion-xl-v1", body=body)["body"].read()},
        1,
        rounds,
    )
    ROWS.append(("SDXL 1.0 image 1024x1024", ms(result["sdxl"]), "target < 150 ms"))


SENTENCES = [f"Sentence number {i} about cloud services and machine learning." for i in range(100)]


def embedding_rows(rounds: int) -> None:
    client = offline_client()
    _offline[0] = True
    titan = "amazon.titan-embed-text-v2:0"
    cohere = "cohere.embed-multilingual-v3"

    def titan_singles():
        for s in SENTENCES:
            client.invoke_model(modelId=titan, body=json.dumps({"inputText": s}))["body"].read()

    def cohere_batch():
        body = json.dumps({"texts": SENTENCES[:96], "input_type": "search_document"})
        client.invoke_model(modelId=cohere, body=body)["body"].read()

    def cohere_singles():
        for s in SENTENCES[:96]:
            body = json.dumps({"texts": [s], "input_type": "search_document"})
            client.invoke_model(modelId=cohere, body=body)["body"].read()

    start = time.perf_counter()
    client.invoke_model(modelId=titan, body=json.dumps({"inputText": "warm up the encoder"}))["body"].read()
    ROWS.append(("first embedding in this process (encoder load)", ms(time.perf_counter() - start), ""))
    result = alternate(
        {"titan singles": titan_singles, "cohere batch": cohere_batch, "cohere singles": cohere_singles}, 1, rounds
    )
    ROWS.append(("Titan V2: 100 single calls", ms(result["titan singles"]), ""))
    ratio = result["cohere batch"] / result["cohere singles"]
    ROWS.append(("Cohere Embed: one batch of 96 texts", ms(result["cohere batch"]), f"{ratio:.2f}x 96 single calls"))
    ROWS.append(("Cohere Embed: 96 single calls", ms(result["cohere singles"]), ""))


# ---------------------------------------------------------------- fresh processes

FRESH = {
    "import boto3 + client": "import boto3; boto3.client('bedrock-runtime', region_name='us-east-1')",
    "+ helpers.setup() + first Claude call": (
        "import boto3, json, helpers; helpers.setup('offline', quiet=True);"
        "c = boto3.client('bedrock-runtime', region_name='us-east-1');"
        f"c.invoke_model(modelId={CLAUDE!r}, body={CLAUDE_BODY!r})['body'].read()"
    ),
    "+ helpers.setup() + first SDXL image": (
        "import boto3, json, helpers; helpers.setup('offline', quiet=True);"
        "c = boto3.client('bedrock-runtime', region_name='us-east-1');"
        "c.invoke_model(modelId='stability.stable-diffusion-xl-v1', body=json.dumps("
        "{'text_prompts': [{'text': 'a cat'}], 'width': 1024, 'height': 1024}))['body'].read()"
    ),
    "+ helpers.setup() + first embedding": (
        "import boto3, json, helpers; helpers.setup('offline', quiet=True);"
        "c = boto3.client('bedrock-runtime', region_name='us-east-1');"
        f"c.invoke_model(modelId={TITAN!r}, body={TITAN_BODY!r})['body'].read()"
    ),
}


def fresh_rows(repeats: int) -> None:
    env = dict(os.environ)
    times: dict[str, float] = {}
    samples: dict[str, list[float]] = {name: [] for name in FRESH}
    for _ in range(repeats):
        for name, code in FRESH.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
            samples[name].append(time.perf_counter() - start)
    times = {name: statistics.median(v) for name, v in samples.items()}
    base = times.pop("import boto3 + client")
    ROWS.append(("fresh process: python + import boto3 + client", ms(base), ""))
    for name, seconds in times.items():
        ROWS.append((f"fresh process: {name}", ms(seconds), f"+{(seconds - base) * 1000:.0f} ms over boto3"))


def notebook_rows() -> None:
    import nbformat
    from nbclient import NotebookClient

    env_scale = os.environ.pop("BEDROCK_SIMULATOR_LATENCY_SCALE", None)  # the default scale, as learners run
    try:
        for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            NotebookClient(
                nb,
                timeout=600,
                kernel_name="python3",
                allow_errors=True,
                resources={"metadata": {"path": str(path.parent)}},
            ).execute()
            ROWS.append((f"Run All {path.stem}", f"{time.perf_counter() - start:.1f} s", "target < 30 s"))
    finally:
        if env_scale is not None:
            os.environ["BEDROCK_SIMULATOR_LATENCY_SCALE"] = env_scale


def suite_row() -> None:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT, check=False)
    ROWS.append(("full pytest run", f"{time.perf_counter() - start:.0f} s", "target < 180 s"))


NOTES = """
Reading the table:
- A repeated request is answered from the simulator's memo of recent answers (same request, same
  answer); "a new question every call" is the cost of composing and tokenising a fresh answer.
- A faithful ConverseStream sends text in deltas of about 3 tokens (as recorded Nova Micro and Claude
  Sonnet 4 streams do), so 500 tokens are about 170 events, and botocore's own event-stream decoding
  (the canned floor, about 17 us an event) already costs several times one `converse`. The stream is
  therefore measured against that floor; at the default latency scale, what a learner waits for, a
  stream takes about as long as one `converse` of the same length.
- Fresh-process rows include Python's start; the first embedding loads the sentence encoder once.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds per contender (median reported)")
    parser.add_argument("--calls", type=int, default=200, help="calls per round for per-call measurements")
    parser.add_argument("--notebooks", action="store_true", help="also time every notebook's Run All")
    parser.add_argument("--suite", action="store_true", help="also time the full pytest run")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args()

    invoke_rows("invoke_model Claude v2 text", CLAUDE, CLAUDE_BODY, args.calls, args.rounds, novel=_novel_claude)
    invoke_rows("invoke_model Titan G1 embedding", TITAN, TITAN_BODY, args.calls, args.rounds)
    converse_rows(args.rounds)
    image_rows(args.rounds)
    embedding_rows(max(3, args.rounds // 2))
    fresh_rows(5)
    if args.notebooks:
        notebook_rows()
    if args.suite:
        suite_row()

    width = max(len(r[0]) for r in ROWS)
    lines = [f"| {'measurement':<{width}} | time | compared |", f"|{'-' * (width + 2)}|---|---|"]
    lines += [f"| {what:<{width}} | {measured} | {compared} |" for what, measured, compared in ROWS]
    table = "\n".join(lines)
    print(table)
    header = (
        "# Benchmark results\n\n"
        f"`python benchmarks/run.py{' --notebooks' if args.notebooks else ''}{' --suite' if args.suite else ''}`"
        f" on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"boto3 {boto3.__version__}; latency scale 0 except notebook Run All (default scale).\n"
        f"Medians of {args.rounds} alternating rounds of {args.calls} calls.\n\n"
    )
    Path(args.out).write_text(header + table + "\n" + NOTES, encoding="utf-8")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
