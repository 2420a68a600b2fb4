"""One server: the HTTP API under /api and /v1, health under /healthz and /readyz, OpenAPI at
/docs, and the Gradio web UI mounted at / — all on one FastAPI app.

Hardening lives here as plain ASGI middleware (so server-sent events stream untouched): a
request body limit (413), security headers on every response, CORS only for configured origins
(Gradio's included), writes only from the server's own pages or configured origins (ui/origin.py),
and, when API keys are configured, a login gate in front of the web UI.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.prompts import phrase
from ingest.settings import Settings, get_settings
from ui.api.errors import error_body, install_error_handlers
from ui.api.state import AppState
from ui.auth import SESSION_COOKIE, is_loopback, login_page

log = logging.getLogger("radsarkiv.server")
STATIC = Path(__file__).resolve().parent / "static"
# Gradio's front end needs inline scripts and styles, blob: workers and same-origin websockets/frames.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' blob: data:; connect-src 'self' ws: wss:; "
    "worker-src 'self' blob:; frame-src 'self'; frame-ancestors 'self'; object-src 'self'; base-uri 'self'; form-action 'self'"
)
# FastAPI's /docs page loads Swagger UI from a CDN.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' https://cdn.jsdelivr.net").replace(
    "style-src 'self'", "style-src 'self' https://cdn.jsdelivr.net").replace("img-src 'self'", "img-src 'self' https://fastapi.tiangolo.com")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
OPEN_PATHS = ("/api/", "/v1/", "/healthz", "/readyz", "/docs", "/redoc", "/openapi.json", "/login", "/logout", "/ui-static/")


async def _send_json(send, status: int, body: dict, extra_headers: list | None = None) -> None:
    import json

    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())] + (extra_headers or [])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        csp = (DOCS_CSP if path in ("/docs", "/redoc") else CSP).encode()

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", csp))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(StarletteHTTPException):
    """An HTTP error, so FastAPI's body parsing passes it on as 413 instead of "cannot parse" (400)."""


class BodyLimit:
    """413 before reading a declared-too-large body; a streamed body is counted as it arrives.

    Uploads may be large (max_upload_mb); the JSON routes of /api and /v1 get the much smaller
    max_json_kb, so a hostile question body is refused before it is read or parsed."""

    def __init__(self, app, upload_bytes: int, json_bytes: int):
        self.app, self.upload_bytes, self.json_bytes = app, upload_bytes, json_bytes

    def _limit(self, path: str) -> int:
        if path.startswith(("/api/", "/v1/")) and not path.startswith("/api/documents"):
            return self.json_bytes
        return self.upload_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        max_bytes = self._limit(scope.get("path", ""))
        shown = f"{max_bytes / (1024 * 1024):.2f}".rstrip("0").rstrip(".").replace(".", ",")
        message = phrase("api_error_body_too_large", "nb", limit=shown)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            return await _send_json(send, 413, error_body(scope["path"], 413, message), [(b"connection", b"close")])
        seen = 0
        started = False

        async def counted():
            nonlocal seen
            item = await receive()
            if item["type"] == "http.request":
                seen += len(item.get("body", b""))
                if seen > max_bytes:
                    raise _TooLarge(413, message)
            return item

        async def tracking_send(item):
            nonlocal started
            if item["type"] == "http.response.start":
                started = True
            await send(item)

        try:
            await self.app(scope, counted, tracking_send)
        except _TooLarge:
            if not started:
                await _send_json(send, 413, error_body(scope["path"], 413, message), [(b"connection", b"close")])


class InvalidUrlText:
    """400 for an /api or /v1 URL whose percent-escapes are not UTF-8: decoding would quietly turn
    them into U+FFFD and search for that, so the caller would never learn the text was broken."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(("/api/", "/v1/")):
            from urllib.parse import unquote_to_bytes

            raw = scope.get("raw_path") or path.encode("utf-8", "surrogateescape")
            try:
                for part in (raw, scope.get("query_string", b"")):
                    unquote_to_bytes(part).decode("utf-8")
            except UnicodeDecodeError:
                message = phrase("api_error_invalid_unicode", "nb", field="URL")
                return await _send_json(send, 400, error_body(path, 400, message))
        return await self.app(scope, receive, send)


class UiGate:
    """With API keys configured, the web UI needs a session: the page redirects to /login."""

    def __init__(self, app, state: AppState):
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or not self.state.auth.keys_required or path.startswith(OPEN_PATHS):
            return await self.app(scope, receive, send)
        request = Request(scope)
        if self.state.auth.from_request(request) is not None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        if path in ("/", "") and scope.get("method") == "GET":
            return await RedirectResponse("/login", status_code=303)(scope, receive, send)
        await _send_json(send, 401, {"error": phrase("api_error_unauthorized", "nb")})


def _login_routes(app: FastAPI, state: AppState) -> None:
    @app.get("/login", include_in_schema=False)
    async def login_form():
        return HTMLResponse(login_page())

    @app.post("/login", include_in_schema=False)
    async def login(request: Request, key: str = Form(..., max_length=500)):
        client = request.client.host if request.client else "-"
        if state.auth.limiter.check(f"failed:{client}"):
            return HTMLResponse(login_page(failed=True), status_code=429)
        value = state.auth.session_value(key)
        if value is None:
            return HTMLResponse(login_page(failed=True), status_code=401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, value, httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    @app.get("/logout", include_in_schema=False)
    async def logout():
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response


def _not_found_routes(app: FastAPI) -> None:
    """Unknown /api and /v1 paths answer in our JSON, not the web UI's 404 page."""
    from ui.api.errors import ApiError

    async def not_found(request: Request):
        raise ApiError(404, phrase("api_error_not_found", "nb", path=request.url.path[:200]))

    for prefix in ("/api", "/v1"):
        app.add_api_route(prefix + "/{rest:path}", not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)


def create_app(settings: Settings | None = None, assistant=None, with_ui: bool = True) -> FastAPI:
    """The whole server. `assistant` lets a caller hand in an already loaded one (tests)."""
    from contextlib import asynccontextmanager

    from ui.api import ask, cases, documents, export, health, openai_compat, search

    settings = settings or get_settings()
    state = AppState(settings, assistant=assistant)
    # Load and warm up while Gradio is imported and the UI built (the lifespan's call then waits
    # for it): /readyz turns 200 seconds sooner than if loading began once the app was up.
    state.load_in_background()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state.load_in_background()
        yield

    app = FastAPI(
        title="Rådsarkiv API",
        description="Spør HelseOmsorg21-rådets arkiv. Svarene siterer saker og dokumenter. Se docs/API.md.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.radsarkiv = state
    install_error_handlers(app)
    for module in (health, ask, search, cases, documents, openai_compat, export):
        app.include_router(module.router)
    _login_routes(app, state)
    _not_found_routes(app)
    app.mount("/ui-static", StaticFiles(directory=STATIC), name="ui-static")
    if with_ui:
        import gradio as gr

        from ui.web import build_ui

        blocks = build_ui(state)
        gr.mount_gradio_app(
            app, blocks, path="/", footer_links=["api"], show_error=False,
            max_file_size=f"{settings.server.max_upload_mb}mb", theme=_theme(),
            css_paths=[STATIC / "radsarkiv.css"], head='<script src="/ui-static/radsarkiv.js" defer></script>',
            favicon_path=str(STATIC / "favicon.svg"),
            # Gradio's run history keeps every call's inputs and outputs in the browser's
            # localStorage and rewrites all of it on each streamed piece: archive text left in the
            # browser, and a turn that grew slower with every earlier one (turn 15: 10× turn 2).
            run_history=False,
        )
    from fastapi.middleware.cors import CORSMiddleware

    from ui.origin import SameOriginWrites, configured_origins

    origins = configured_origins(settings.server.cors_origins)
    # Always installed, with no origins unless configured: Gradio's own CORS layer (which allows
    # any localhost origin, with credentials, on every route under its mount at "/") stands aside
    # when the parent app has a CORSMiddleware, so this is the only CORS policy that applies.
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "DELETE"],
                       allow_headers=["Authorization", "X-API-Key", "Content-Type"], allow_credentials=False)
    app.add_middleware(UiGate, state=state)
    app.add_middleware(InvalidUrlText)
    app.add_middleware(SameOriginWrites, allowed_origins=origins)
    app.add_middleware(BodyLimit, upload_bytes=settings.server.max_upload_mb * 1024 * 1024, json_bytes=settings.server.max_json_kb * 1024)
    app.add_middleware(SecurityHeaders)
    return app


def _theme():
    import gradio as gr

    # Local fonts only: the server may have no internet, and a blocked font request stalls the page.
    return gr.themes.Soft(
        primary_hue="blue", neutral_hue="slate",
        font=["Inter", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
    )


def run_server(host: str = "127.0.0.1", port: int = 7860) -> None:
    """`radsarkiv serve`: refuse an open server off loopback, say how access works, then serve."""
    import uvicorn

    settings = get_settings()
    settings.server.host = host
    settings.server.port = port
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not settings.server.api_keys and not is_loopback(host):
        print(phrase("server_refuse_anonymous", "nb", host=host), file=sys.stderr)
        raise SystemExit(2)
    app = create_app(settings)
    state: AppState = app.state.radsarkiv
    shown = f"[{host}]" if ":" in host else host
    print(state.auth.startup_message(), file=sys.stderr)
    print(phrase("server_listening", "nb", url=f"http://{shown}:{port}/"), file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
