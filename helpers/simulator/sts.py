"""STS GetCallerIdentity, offline: the identity check the setup lesson teaches.

The account is the documentation placeholder 123456789012, so it is obviously fake.
Query-protocol XML as STS returns it (botocore's query parser reads it).
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs

from .wire import Request, Response

FAKE_ACCOUNT = "123456789012"
FAKE_ARN = f"arn:aws:iam::{FAKE_ACCOUNT}:user/offline-workshop-learner"
FAKE_USER_ID = "AIDAOFFLINESIMULATOR0"


def handle(request: Request) -> Response:
    params = parse_qs(request.body.decode("utf-8", "replace") if request.body else "")  # any bytes: never a 500
    action = params.get("Action", [""])[0]
    rid = str(uuid.uuid4())
    if action != "GetCallerIdentity":
        body = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>InvalidAction</Code><Message>The offline simulator answers only GetCallerIdentity, not {action}."
            f"</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>"
        )
        return Response(400, {"Content-Type": "text/xml", "x-amzn-RequestId": rid}, body.encode())
    body = (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<GetCallerIdentityResult><Arn>{FAKE_ARN}</Arn><UserId>{FAKE_USER_ID}</UserId>"
        f"<Account>{FAKE_ACCOUNT}</Account></GetCallerIdentityResult>"
        f"<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    )
    return Response(200, {"Content-Type": "text/xml", "x-amzn-RequestId": rid}, body.encode())
