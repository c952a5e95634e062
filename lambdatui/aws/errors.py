"""Turn botocore failures into domain errors that carry a human sentence."""

from __future__ import annotations

import re

_ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "AuthorizationError",
    "AuthFailure",
}
THROTTLE_CODES = _THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "LimitExceededException",
}
CREDENTIAL_CODES = _EXPIRED = {
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "InvalidToken",
}
_NOT_FOUND = {
    "ResourceNotFoundException",
    "NotFoundException",
    "NoSuchEntity",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
}


class AwsError(Exception):
    """An AWS call failed; `sentence` says why in words an operator can act on."""

    def __init__(self, sentence: str, *, action: str = "", code: str = "") -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.action = action
        self.code = code


class AccessDenied(AwsError):
    pass


class Throttled(AwsError):
    pass


class CredentialsError(AwsError):
    """Credentials are missing or expired; the fix is outside the app."""


class EndpointUnreachable(AwsError):
    pass


class TimedOut(EndpointUnreachable):
    """The endpoint took longer than the client's timeout to answer."""


class NotFound(AwsError):
    pass


class Unsupported(AwsError):
    """The endpoint does not implement the action (an emulator's gap, an old region)."""


class Unexpected(AwsError):
    """Not an answer from AWS or the network: a bug of the console's."""


class ServerError(AwsError):
    """AWS answered 5xx even after botocore's retries."""


def is_transient(error: BaseException) -> bool:
    """Whether the same call may well work a little later (throttled, 5xx, network)."""
    return isinstance(error, Throttled | EndpointUnreachable | ServerError)


def login_hint(profile: str | None) -> str:
    if profile:
        return f"run `aws sso login --profile {profile}` (or refresh the profile's keys)"
    return "refresh your credentials (for SSO: `aws sso login`)"


# Codes an endpoint answers for an action it does not know.
_UNKNOWN_ACTION = {
    "UnknownOperationException",
    "UnknownOperation",
    "InvalidAction",
    "NotImplemented",
    "NotImplementedException",
    "UnsupportedOperation",
    "UnsupportedOperationException",
}
_MARKUP = re.compile(r"<\s*[!/?a-zA-Z][^>]*>")
# Longest reply message shown as it is; longer ones are cut.
MESSAGE_LIMIT = 200


def readable(message: str) -> str:
    """A reply's message fit for a sentence: "" for a markup page (an HTML or XML body
    that no parser understood), otherwise one line of at most MESSAGE_LIMIT characters."""
    if _MARKUP.search(message):
        return ""
    line = " ".join(message.split())
    return line if len(line) <= MESSAGE_LIMIT else line[: MESSAGE_LIMIT - 1] + "…"


def _is_unknown_action(code: str, status: object, raw: str) -> bool:
    """An endpoint's way of saying it has no such action: an unknown-operation code,
    HTTP 501, or a 404/405 whose code is not AWS's (a bare status, an HTML page)."""
    if code in _UNKNOWN_ACTION or status == 501:
        return True
    if status in (404, 405):
        return not code or code.isdigit() or bool(_MARKUP.search(raw))
    return False


def translate(
    exc: BaseException,
    action: str,
    *,
    profile: str | None = None,
    endpoint: str | None = None,
) -> AwsError:
    """Map a botocore/aiohttp exception raised by `action` (e.g. "lambda:GetFunction");
    `endpoint` names where the call went ("AWS" when not given)."""
    if isinstance(exc, AwsError):
        return exc
    # Imported here: the console's first frame does not wait for botocore or aiohttp
    # (by the time an AWS call has failed, both are loaded).
    import aiohttp
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        raw = str(error.get("Message", ""))
        message = readable(raw.strip())
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if _is_unknown_action(code, status, raw):
            return Unsupported(
                f"{action} is not implemented by {endpoint or 'AWS'}"
                + (f" (HTTP {status})" if isinstance(status, int) else ""),
                action=action,
                code=code,
            )
        if code.isdigit():
            code = ""  # a bare HTTP status, not one of AWS's error codes
        if code in _ACCESS_DENIED:
            return AccessDenied(f"no permission: {action}", action=action, code=code)
        if code in _THROTTLED:
            return Throttled(
                f"{action} is throttled by AWS; backing off and retrying",
                action=action,
                code=code,
            )
        if code in _EXPIRED:
            return CredentialsError(
                f"AWS credentials expired or invalid: {login_hint(profile)}",
                action=action,
                code=code,
            )
        if code in _NOT_FOUND:
            return NotFound(message or f"{action}: not found", action=action, code=code)
        detail = message or code or f"HTTP {status}"
        if isinstance(status, int) and status >= 500:
            return ServerError(
                f"{action}: AWS had a server error ({detail}); retrying", action=action, code=code
            )
        return AwsError(f"{action} failed: {detail}", action=action, code=code)
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return CredentialsError(
            "no AWS credentials found: run `aws configure`, `aws sso login`, "
            "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            action=action,
        )
    if isinstance(
        exc,
        bx.TokenRetrievalError
        | bx.UnauthorizedSSOTokenError
        | bx.SSOTokenLoadError
        | bx.CredentialRetrievalError,
    ):
        return CredentialsError(f"the AWS login has expired: {login_hint(profile)}", action=action)
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectionClosedError):
        return EndpointUnreachable(
            f"cannot reach AWS for {action}: disconnected, retrying", action=action
        )
    if isinstance(exc, bx.ConnectTimeoutError | bx.ReadTimeoutError):
        return TimedOut(
            f"{action} timed out (the endpoint did not answer); retrying", action=action
        )
    if isinstance(exc, bx.HTTPClientError):
        return EndpointUnreachable(f"{action}: connection error ({exc})", action=action)
    if isinstance(exc, bx.ProfileNotFound):
        return CredentialsError(str(exc), action=action)
    if isinstance(exc, bx.BotoCoreError):
        return AwsError(
            f"{action} failed: {readable(str(exc)) or type(exc).__name__}", action=action
        )
    if isinstance(exc, ResponseParserError):
        return AwsError(f"{action}: the reply could not be read (malformed)", action=action)
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ClientConnectionError):
        # A stream (Live Tail) cut off mid-answer.
        return EndpointUnreachable(
            f"the connection for {action} dropped: disconnected, retrying", action=action
        )
    if isinstance(exc, OSError | TimeoutError):
        return EndpointUnreachable(f"cannot reach AWS for {action}: {exc}", action=action)
    return Unexpected(f"{action} failed unexpectedly: {type(exc).__name__}: {exc}", action=action)
