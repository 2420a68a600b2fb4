"""Who is calling: API keys → roles, the browser session cookie, and per-caller rate limits.

Keys come from RADSARKIV_API_KEYS ("key1:member,key2:secretariat"). Only SHA-256 digests of the
keys are kept in memory, and a caller is identified (for rate limits and logs) by a short digest,
so a key never appears in a log line, a cookie or an error message. A browser session is an HMAC
of the key's digest under a secret drawn when the server starts: nothing outside the process can
compute it from the key (or its hash), and a restart ends every session.

Without keys the server is open, as role `member`, but only when it listens on loopback; the
server refuses to start on another interface without keys (see ui/server.py).
"""
from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from assistant.prompts import phrase
from ingest.models import ROLE_ACCESS
from ingest.settings import Settings

ROLE_RANK = {"member": 0, "secretariat": 1, "admin": 2}
ANONYMOUS_ROLE = "member"
SESSION_COOKIE = "radsarkiv_session"


@dataclass(frozen=True)
class Principal:
    role: str
    caller: str  # a digest of the key, or "anon:<client address>"; safe to log
    anonymous: bool = False

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyRing:
    """Digest → role. Lookups compare digests in constant time."""

    def __init__(self, spec: str | None):
        self.roles: dict[str, str] = {}
        for item in (spec or "").split(","):
            item = item.strip()
            if not item:
                continue
            key, sep, role = item.rpartition(":")
            if not sep or not key.strip():
                raise ValueError("RADSARKIV_API_KEYS må ha formen «nøkkel:rolle,nøkkel:rolle».")
            role = role.strip()
            if role not in ROLE_ACCESS:
                raise ValueError(f"Ukjent rolle «{role}» i RADSARKIV_API_KEYS. Gyldige roller: {', '.join(ROLE_ACCESS)}.")
            self.roles[key_digest(key.strip())] = role

    def __len__(self) -> int:
        return len(self.roles)

    def lookup(self, key: str) -> tuple[str, str] | None:
        digest = key_digest(key)
        for known, role in self.roles.items():
            if hmac.compare_digest(known, digest):
                return known, role
        return None


def is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class RateLimiter:
    """A sliding one-minute window per caller."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, caller: str) -> int | None:
        """None when allowed (and counted); otherwise the seconds to wait."""
        if self.per_minute <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(caller, deque())
            while hits and now - hits[0] >= 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, int(60 - (now - hits[0])) + 1)
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle callers so memory stays flat
                for name in [n for n, h in self._hits.items() if not h]:
                    del self._hits[name]
            return None


class Auth:
    def __init__(self, settings: Settings):
        self.keys = KeyRing(settings.server.api_keys)
        self.host = settings.server.host
        self.anonymous_allowed = len(self.keys) == 0 and is_loopback(self.host)
        self.limiter = RateLimiter(settings.server.rate_limit_per_minute)
        self._secret = secrets.token_bytes(32)  # sessions end when the server restarts

    @property
    def keys_required(self) -> bool:
        return len(self.keys) > 0

    def startup_message(self) -> str:
        if self.keys_required:
            return phrase("server_keys", "nb", count=len(self.keys))
        return phrase("server_anonymous", "nb", host=self.host)

    # ---- resolving a caller -------------------------------------------------------------------
    def principal(self, headers, cookies, client_host: str | None) -> Principal | None:
        """The caller of a request, or None when it must authenticate first."""
        if self.anonymous_allowed:
            # Clients like the openai package always send some key; with no keys configured it is ignored.
            return Principal(ANONYMOUS_ROLE, f"anon:{client_host or '-'}", anonymous=True)
        key = _presented_key(headers)
        if key:
            found = self.keys.lookup(key)
            return Principal(found[1], found[0][:12]) if found else None
        return self.from_session(cookies.get(SESSION_COOKIE))

    def from_request(self, request) -> Principal | None:
        client = getattr(request, "client", None)
        return self.principal(request.headers, request.cookies, client.host if client else None)

    # ---- browser sessions ---------------------------------------------------------------------
    def session_value(self, key: str) -> str | None:
        found = self.keys.lookup(key)
        return self._session_id(found[0]) if found else None

    def from_session(self, value: str | None) -> Principal | None:
        if not value:
            return None
        for digest, role in self.keys.roles.items():  # a handful of keys: compare each in constant time
            if hmac.compare_digest(value, self._session_id(digest)):
                return Principal(role, digest[:12])
        return None

    def _session_id(self, digest: str) -> str:
        return hmac.new(self._secret, b"session:" + digest.encode(), hashlib.sha256).hexdigest()


def _presented_key(headers) -> str | None:
    value = headers.get("authorization") or ""
    if value.lower().startswith("bearer "):
        return value[7:].strip() or None
    return (headers.get("x-api-key") or "").strip() or None


def login_page(failed: bool = False) -> str:
    """The one page served without a session when keys are required."""
    error = f'<p class="error">{html.escape(phrase("ui_login_failed", "nb"))}</p>' if failed else ""
    title = html.escape(phrase("ui_login_title", "nb"))
    return f"""<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/ui-static/login.css"></head>
<body><main><h1>{title}</h1>{error}
<form method="post" action="/login"><label for="key">{html.escape(phrase("ui_login_key", "nb"))}</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<button type="submit">{html.escape(phrase("ui_login_button", "nb"))}</button></form></main></body></html>"""
