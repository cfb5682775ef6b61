"""`python -m helpers.simulator serve [--host 127.0.0.1] [--port 8000] [--allow-remote]`."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.simulator",
        description="The workshop's offline Bedrock simulator as a local HTTP endpoint for any client.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve bedrock and bedrock-runtime over HTTP",
        description="Serve bedrock, bedrock-runtime and the OpenAI-compatible Chat Completions path over HTTP. "
        "Point clients at it with AWS_ENDPOINT_URL_BEDROCK / AWS_ENDPOINT_URL_BEDROCK_RUNTIME or --endpoint-url.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, loopback)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host beyond loopback (e.g. 0.0.0.0 for a classroom network); prints a warning",
    )
    args = parser.parse_args(argv)
    from .server import serve_forever  # the parser answers --help without importing the simulator

    return serve_forever(args.host, args.port, allow_remote=args.allow_remote)


if __name__ == "__main__":
    sys.exit(main())
