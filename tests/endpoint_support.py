"""Shared pieces of the local-endpoint tests (tests/test_endpoint_*.py).

The endpoint runs in a thread of the test process on a free loopback port. Clients in the same
process must really go over HTTP, so these tests switch `helpers.setup` to live (nothing answers
in-process) and give every client obvious dummy keys: the endpoint accepts any signed request.
"""

from __future__ import annotations

import http.client
import json
import socket
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

import helpers
from helpers.simulator import catalog, server

NO_RETRIES = Config(retries={"total_max_attempts": 1})
DUMMY_KEY, DUMMY_SECRET = helpers._setup.DUMMY_CREDENTIALS.access_key, helpers._setup.DUMMY_CREDENTIALS.secret_key
TITAN = "amazon.titan-embed-text-v1"
CLAUDE_V2 = "anthropic.claude-v2"
CLAUDE_V2_BODY = {"prompt": "\n\nHuman: What is Amazon Bedrock?\n\nAssistant:", "max_tokens_to_sample": 60}
GPT_OSS = "openai.gpt-oss-20b-1:0"


def _endpoint():
    """One endpoint for the module, on a free loopback port, quiet."""
    with server.running(log=False) as running:
        yield running


def _over_http():
    """Nothing answers in-process: clients in this test talk to the endpoint over HTTP."""
    helpers.setup("live", quiet=True)
    yield
    helpers.setup("offline", quiet=True)


# Test modules bind these to their own names: `endpoint = support.endpoint_fixture`.
endpoint_fixture = pytest.fixture(scope="module", name="endpoint")(_endpoint)
over_http_fixture = pytest.fixture(name="over_http")(_over_http)


def client(service: str, url: str, region: str = "us-east-1", **kwargs):
    """A boto3 client pointed at `url`, signed with dummy keys, without retries."""
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_SECRET,
        config=kwargs.pop("config", NO_RETRIES),
        **kwargs,
    )


def in_process(service: str, region: str = "us-east-1"):
    """A boto3 client answered in-process by the simulator (offline mode must be on)."""
    return boto3.client(service, region_name=region, config=NO_RETRIES)


def raw(url: str, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    """(status, lower-cased headers, body) of one plain HTTP exchange."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def raw_bytes(url: str, data: bytes) -> bytes:
    """Send raw bytes on a fresh connection; return everything the server answers before closing."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            piece = sock.recv(65536)
            if not piece:
                break
            chunks.append(piece)
    return b"".join(chunks)


def signed_headers(region: str = "us-east-1") -> dict[str, str]:
    """A syntactically complete SigV4 Authorization header (the endpoint checks form, not math)."""
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={DUMMY_KEY}/20261125/{region}/bedrock/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
        "X-Amz-Date": "20261125T000000Z",
    }


def aws_cli() -> list[str]:
    """The `aws` command installed next to this Python (requirements.txt installs awscli)."""
    exe = Path(sys.executable).with_name("aws")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "awscli"]


def cli_env(base: dict[str, str], **extra: str) -> dict[str, str]:
    """The test environment plus dummy keys, as a learner without an account would have after setup."""
    env = dict(base)
    env.update(AWS_ACCESS_KEY_ID=DUMMY_KEY, AWS_SECRET_ACCESS_KEY=DUMMY_SECRET, AWS_DEFAULT_REGION="us-east-1")
    env.update(extra)
    return env


def claude_messages_model() -> str:
    """An on-demand Claude Messages model that the catalog still lists (ACTIVE or LEGACY) today."""
    today = catalog.catalog_date()
    for model in catalog.all_models():
        if model.family == "claude_messages" and model.on_demand and model.status(today) in ("ACTIVE", "LEGACY"):
            if "us-east-1" in model.regions:
                return model.model_id
    pytest.skip("the catalog lists no on-demand Claude Messages model in us-east-1")


def body_json(response) -> dict:
    return json.loads(response["body"].read())
