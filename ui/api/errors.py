"""Every error leaves the server as JSON with a Norwegian message and no stack trace.

Most routes answer {"error": "<melding>"}. The OpenAI-compatible routes (/v1) answer in the shape
OpenAI clients parse, {"error": {"message": ..., "type": ..., "code": ...}}, so tools like Open WebUI
show the message instead of a parse failure.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.prompts import phrase

log = logging.getLogger("radsarkiv.api")


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None, extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.extra = extra or {}


def error_body(path: str, status: int, message: str, extra: dict | None = None) -> dict:
    if path.startswith("/v1/"):
        kind = "invalid_request_error" if status < 500 else "server_error"
        if status in (401, 403):
            kind = "authentication_error" if status == 401 else "permission_error"
        elif status == 429:
            kind = "rate_limit_error"
        return {"error": {"message": message, "type": kind, "code": status}, **(extra or {})}
    return {"error": message, **(extra or {})}


def error_response(request_path: str, status: int, message: str, headers: dict[str, str] | None = None, extra: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(request_path, status, message, extra), status_code=status, headers=headers)


def _validation_detail(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(x) for x in item.get("loc", ()) if x not in ("body", "query", "path"))
        message = item.get("msg", "")
        if item.get("type") == "missing":
            parts.append(f"feltet «{where}» mangler")
        elif where:
            parts.append(f"«{where}»: {message}")
        else:
            parts.append(message or "ugyldig innhold")
    return "; ".join(parts) or "ugyldig innhold"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError):
        return error_response(request.url.path, error.status, error.message, error.headers, error.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError):
        message = phrase("api_error_invalid_request", "nb", detail=_validation_detail(error))
        return error_response(request.url.path, 422, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException):
        if error.status_code == 404:
            message = phrase("api_error_not_found", "nb", path=request.url.path)
        elif error.status_code == 405:
            message = phrase("api_error_method", "nb", method=request.method, path=request.url.path)
        elif error.status_code == 400 and error.detail == "There was an error parsing the body":
            # FastAPI's words for a body json cannot decode (invalid UTF-8, nesting too deep).
            message = phrase("api_error_unreadable_body", "nb")
        else:
            message = str(error.detail) if isinstance(error.detail, str) else phrase("api_error_internal", "nb")
        return error_response(request.url.path, error.status_code, message, getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request: Request, error: Exception):
        # The trace goes to the server log (no request headers in it, so no keys); the client
        # gets a plain message.
        log.exception("Uventet feil i %s %s", request.method, request.url.path)
        return error_response(request.url.path, 500, phrase("api_error_internal", "nb"))
