"""A classroom past one laptop: what repo2docker builds (Binder, JupyterHub), and one endpoint under load."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from botocore.config import Config

from .endpoint_support import CLAUDE_V2, CLAUDE_V2_BODY, client, over_http_fixture

over_http = over_http_fixture
ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 48  # concurrent streaming clients
ROUNDS = 4  # streams per client: CLIENTS * ROUNDS requests in all
TIME_LIMIT = 90.0  # seconds; the run stops itself and fails past this


def _repo2docker_dockerfile() -> str:
    """The Dockerfile repo2docker derives from this repository, without Docker (--no-build --debug)."""
    exe = Path(sys.executable).with_name("jupyter-repo2docker")
    if not exe.exists():
        pytest.fail("jupyter-repo2docker is missing: pip install -r requirements-test.txt")
    done = subprocess.run(
        [str(exe), "--no-build", "--no-run", "--debug", str(ROOT)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_repo2docker_builds_python_311_from_binder_and_installs_the_learners_requirements():
    spec = _repo2docker_dockerfile()
    assert "Building conda environment for python=3.11" in spec
    # binder/ wins over the root environment.yml: pip installs binder/requirements.txt (which is
    # `-r ../requirements.txt`), after the whole repository is copied, so `-e .` finds the package.
    copy_all = spec.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    install = spec.index('pip install --no-cache-dir -r "binder/requirements.txt"')
    assert copy_all < install
    assert "environment.yml" not in spec
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in spec
    assert (ROOT / "binder/requirements.txt").read_text().split() == ["-r", "../requirements.txt"]


@pytest.mark.parametrize(("given", "expected"), [(None, "offline"), ("live", "live")])
def test_binder_start_makes_offline_the_default_there(given, expected):
    env = {k: v for k, v in os.environ.items() if k != "BEDROCK_WORKSHOP_MODE"}
    if given:
        env["BEDROCK_WORKSHOP_MODE"] = given
    start = ROOT / "binder/start"
    assert os.access(start, os.X_OK), "repo2docker runs binder/start; it must be executable"
    done = subprocess.run([str(start), "printenv", "BEDROCK_WORKSHOP_MODE"], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == expected


def _start_endpoint(log: Path, scale: str) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), BEDROCK_SIMULATOR_LATENCY_SCALE=scale)
    proc = subprocess.Popen(
        [sys.executable, "-m", "helpers.simulator", "serve", "--port", "0"],
        cwd=ROOT,
        env=env,
        stderr=log.open("w"),
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = re.search(r"on (http://127\.0\.0\.1:\d+)", log.read_text())
        if found:
            return proc, found.group(1)
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the endpoint did not start")


def test_load_many_concurrent_streams_against_one_endpoint(tmp_path, over_http):
    """CLIENTS clients stream at once, ROUNDS times each, against one endpoint process: zero errors."""
    log = tmp_path / "endpoint.log"
    # Each stream lasts about 0.13 s (simulated 1.28 s at scale 0.1), so the clients overlap.
    proc, url = _start_endpoint(log, "0.1")
    runtime = client(
        "bedrock-runtime", url, config=Config(max_pool_connections=CLIENTS, retries={"total_max_attempts": 1})
    )
    body = json.dumps(CLAUDE_V2_BODY)
    lock = threading.Lock()
    state = {"open": 0, "most": 0, "ok": 0, "errors": []}
    start_together = threading.Barrier(CLIENTS)
    started = time.monotonic()

    def one_client() -> None:
        for _ in range(ROUNDS):
            if time.monotonic() - started > TIME_LIMIT:
                return
            try:
                start_together.wait(timeout=TIME_LIMIT)
            except threading.BrokenBarrierError:
                return
            with lock:
                state["open"] += 1
                state["most"] = max(state["most"], state["open"])
            try:
                response = runtime.invoke_model_with_response_stream(modelId=CLAUDE_V2, body=body)
                chunks = [json.loads(e["chunk"]["bytes"]) for e in response["body"]]
                assert chunks[-1]["amazon-bedrock-invocationMetrics"]["outputTokenCount"] == 60
                with lock:
                    state["ok"] += 1
            except Exception as exc:  # counted, reported, and failing the test below
                with lock:
                    state["errors"].append(repr(exc))
            finally:
                with lock:
                    state["open"] -= 1

    threads = [threading.Thread(target=one_client, daemon=True) for _ in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=TIME_LIMIT)
        elapsed = time.monotonic() - started
    finally:
        start_together.abort()
        proc.terminate()
        proc.wait(timeout=10)
    served = sum(
        1 for line in log.read_text().splitlines() if "InvokeModelWithResponseStream" in line and " 200 " in line
    )
    print(
        f"\nload: {state['ok']} streams by {CLIENTS} concurrent clients in {elapsed:.1f} s = "
        f"{state['ok'] / elapsed:.0f} requests/s; most open at once: {state['most']}; "
        f"errors: {len(state['errors'])}; endpoint logged {served} streams"
    )
    assert state["errors"] == []
    assert state["ok"] == CLIENTS * ROUNDS == served
    assert state["most"] >= CLIENTS * 3 // 4, "the clients did not overlap"
    assert elapsed < TIME_LIMIT
