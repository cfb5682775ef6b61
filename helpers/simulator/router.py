"""Method + unquoted path -> operation, for both the in-process and the HTTP transport."""

from __future__ import annotations

import re
from collections.abc import Callable

from . import operations
from .errors import BedrockError
from .wire import Request, Response

_ROUTES: list[tuple[str, re.Pattern, Callable[..., Response]]] = [
    ("POST", re.compile(r"^/model/(?P<model_id>.+)/invoke$"), operations.invoke_model),
    ("POST", re.compile(r"^/model/(?P<model_id>.+)/invoke-with-response-stream$"), operations.invoke_model_stream),
    ("GET", re.compile(r"^/foundation-models$"), operations.list_foundation_models),
    ("GET", re.compile(r"^/foundation-models/(?P<model_id>.+)$"), operations.get_foundation_model),
]


def dispatch(request: Request) -> Response:
    for method, pattern, handler in _ROUTES:
        match = pattern.match(request.path)
        if match and method == request.method:
            try:
                return handler(request, **match.groupdict())
            except BedrockError as err:
                return operations.error_response(err)
    # Unknown paths answer like an unknown API route would.
    return operations.error_response(
        BedrockError("ResourceNotFoundException", f"Unknown operation {request.method} {request.path}")
    )
