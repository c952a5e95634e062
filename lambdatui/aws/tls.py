"""One TLS context for every client of the process.

aiobotocore builds an SSL context for each client's first call: the CA bundle is
read and parsed, about 16 ms of CPU on a thread that holds the GIL against the
event loop. The console opens a client per service and purpose (Lambda, CloudWatch,
Logs, SQS, Invoke, long polls...), and their contexts are the same unless a client
certificate or a proxy is configured; those keep building their own. An SSL context
is meant to be shared by many connections.

Imported with aiobotocore, never before the first frame.
"""

from __future__ import annotations

import ssl
import threading
from typing import Any, ClassVar

from aiobotocore.httpsession import AIOHTTPSession

_Contexts = tuple[ssl.SSLContext, ssl.SSLContext | None]


class SharedTlsSession(AIOHTTPSession):
    """aiobotocore's HTTP session, with the plain TLS context built once per `verify`."""

    _contexts: ClassVar[dict[Any, _Contexts]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def _build_ssl_contexts(self, proxy_url: str | None) -> _Contexts:
        if self._cert_file or proxy_url:
            built: _Contexts = super()._build_ssl_contexts(proxy_url)
            return built
        # Built on aiobotocore's thread: hold the lock so two first calls build once.
        with self._lock:
            found = self._contexts.get(self._verify)
            if found is None:
                found = self._contexts[self._verify] = super()._build_ssl_contexts(None)
            return found
