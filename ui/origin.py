"""Writes come from the server's own pages, or from an origin the operator configured.

CORS decides only what a foreign page may *read*; a browser still sends a simple cross-origin
request (a multipart upload, a form post) and, once a preflight has said yes, a DELETE. The
session cookie is SameSite=Strict, but another port on the same host is the same site, so the
cookie travels with those requests. This middleware therefore refuses every state-changing
request whose Origin (or, without one, Referer) names another origin than the server's own or a
configured one, and a request that carries a session cookie without saying where it comes from.
API clients that send a key and no Origin (curl, the openai package) are not affected.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from assistant.prompts import phrase
from ui.api.errors import error_body
from ui.auth import SESSION_COOKIE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def configured_origins(spec: str | None) -> list[str]:
    return [origin.strip().rstrip("/") for origin in (spec or "").split(",") if origin.strip()]


def _endpoint(scheme: str, netloc: str) -> tuple[str, int] | None:
    """(host, port) of an origin, the default port filled in; None when it cannot be parsed."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    return host.lower(), port or DEFAULT_PORTS.get(scheme, 80)


class SameOriginWrites:
    def __init__(self, app, allowed_origins: list[str]):
        self.app = app
        self.allowed = {_endpoint(*_split(o)) for o in allowed_origins} - {None}
        self.allowed_exact = set(allowed_origins)

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind not in ("http", "websocket") or (kind == "http" and scope.get("method", "GET") in SAFE_METHODS):
            return await self.app(scope, receive, send)
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
        source = headers.get("origin") or _origin_of(headers.get("referer"))
        has_session = f"{SESSION_COOKIE}=" in headers.get("cookie", "")
        if source is None and not has_session:
            return await self.app(scope, receive, send)  # a key-carrying client, not a browser page
        if source is not None and self._same_origin(source, scope, headers):
            return await self.app(scope, receive, send)
        if kind == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        message = phrase("api_error_cross_origin", "nb", origin=(source or "ukjent")[:100])
        payload = json.dumps(error_body(scope.get("path", ""), 403, message), ensure_ascii=False).encode("utf-8")
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})

    def _same_origin(self, source: str, scope, headers: dict[str, str]) -> bool:
        source = source.rstrip("/")
        if source in self.allowed_exact:
            return True
        scheme, netloc = _split(source)
        if scheme not in ("http", "https"):  # "null" (sandboxed frames, file:) is never ours
            return False
        theirs = _endpoint(scheme, netloc)
        if theirs is None:
            return False
        if theirs in self.allowed:
            return True
        server_scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme", "http"))
        # A TLS-terminating proxy may speak http to us while the browser saw https: host and port decide.
        ours = {_endpoint(s, headers.get("host", "")) for s in (server_scheme, scheme)}
        return theirs in ours


def _split(origin: str) -> tuple[str, str]:
    scheme, _, rest = origin.partition("://")
    return scheme.lower(), rest.split("/", 1)[0]


def _origin_of(referer: str | None) -> str | None:
    if not referer:
        return None
    scheme, netloc = _split(referer)
    return f"{scheme}://{netloc}" if scheme and netloc else None
