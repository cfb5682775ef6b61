"""Plumbing for lessons that run the AWS CLI: offline, point it at a local simulator endpoint.

In offline mode boto3 is answered inside the kernel, but `!aws ...` runs in a separate process.
`start()` serves the simulator on a free loopback port and sets, for the commands this kernel
runs, what a learner would set by hand: `AWS_ENDPOINT_URL_BEDROCK` and
`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, dummy keys when no credentials exist, and the directory of
this Python's `aws` on PATH. `stop()` undoes all of it. In live mode it does nothing: the CLI
talks to AWS with your own credentials, exactly as the same command would in a terminal.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from ._setup import DUMMY_CREDENTIALS, _credentials_source


@dataclass
class CliEndpoint:
    """What `start()` did, so `stop()` can undo it."""

    offline: bool
    url: str | None = None
    quiet: bool = False  # start(quiet=True): neither start nor stop prints
    _running: object = None
    _saved: dict[str, str | None] = field(default_factory=dict)

    def stop(self) -> None:
        """Stop the endpoint and restore the environment as it was."""
        if self._running is not None:
            self._running.stop()
            self._running = None
            for name, value in self._saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            self._saved = {}
            if not self.quiet:
                print("Local endpoint stopped; the AWS CLI settings of this kernel are as they were.")

    def __enter__(self) -> CliEndpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(*, quiet: bool = False) -> CliEndpoint:
    """Offline: serve the simulator for the AWS CLI run from this kernel. Live: change nothing."""
    from ._setup import _STATE

    if not _STATE.offline:
        if not quiet:
            print("LIVE: `aws` commands go to AWS with your credentials; no local endpoint started.")
        return CliEndpoint(offline=False, quiet=quiet)
    from .simulator import server

    running = server.start(log=False)
    wanted = dict(server.environ_for(running.url))
    if _credentials_source() is None:
        wanted["AWS_ACCESS_KEY_ID"] = DUMMY_CREDENTIALS.access_key
        wanted["AWS_SECRET_ACCESS_KEY"] = DUMMY_CREDENTIALS.secret_key
    bin_dir = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        wanted["PATH"] = bin_dir + os.pathsep + path
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    if not quiet:
        print("OFFLINE: a local Bedrock endpoint now answers the `aws` commands run from this notebook")
    return CliEndpoint(offline=True, url=running.url, quiet=quiet, _running=running, _saved=saved)
