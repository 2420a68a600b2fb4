"""A protocol-level fake of an OpenAI-compatible /v1/chat/completions endpoint.

It speaks real HTTP on 127.0.0.1 (a free port) so the generator's httpx code, SSE parsing,
timeouts and error handling run exactly as against Ollama or vLLM. The test picks the behaviour
and the reply text, and reads back every request the fake received.
"""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BEHAVIOURS = ("stream", "json", "http_500", "slow", "malformed", "truncated")


class FakeOpenAIServer:
    def __init__(self) -> None:
        self.behaviour = "stream"
        self.reply = ""
        self.slow_seconds = 3.0
        self.requests: list[dict[str, Any]] = []
        self._release = threading.Event()  # ends a "slow" sleep early when the server stops
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def configure(self, behaviour: str, reply: str = "") -> None:
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}")
        self.behaviour, self.reply = behaviour, reply
        self.requests.clear()

    def start(self) -> "FakeOpenAIServer":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # the body ends when the connection closes

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": body,
                    }
                )
                try:
                    fake._respond(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        self._release.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- responses ---------------------------------------------------------------------------

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path.rstrip("/") != "/v1/chat/completions":
            self._send_json(handler, 404, {"error": {"message": "not found"}})
            return
        behaviour = self.behaviour
        if behaviour == "http_500":
            self._send_json(handler, 500, {"error": {"message": "internal error", "type": "server"}})
        elif behaviour == "json":
            self._send_json(handler, 200, self._completion())
        elif behaviour == "slow":
            self._release.wait(self.slow_seconds)
            self._stream(handler, self._tokens(), done=True)
        elif behaviour == "malformed":
            self._start_events(handler)
            self._event(handler, json.dumps(self._chunk("Rådet ")))
            self._event(handler, '{"choices": [{"delta": {"content": "vedtok')  # cut-off JSON
            self._event(handler, "[DONE]")
        elif behaviour == "truncated":
            self._stream(handler, self._tokens()[:3], done=False)
        else:
            self._stream(handler, self._tokens(), done=True)

    def _tokens(self) -> list[str]:
        # Roughly how tokenizers cut text: markers like "[Sak 19/2/2026]" arrive in pieces.
        return re.findall(r"\S+\s*|\s+", self.reply)

    @staticmethod
    def _chunk(content: str | None, finish: str | None = None, role: bool = False) -> dict:
        delta: dict[str, str] = {}
        if role:
            delta["role"] = "assistant"
        if content is not None:
            delta["content"] = content
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "model": "fake",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    def _completion(self) -> dict:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": self.reply},
                 "finish_reason": "stop"}
            ],
        }

    @staticmethod
    def _send_json(handler: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def _start_events(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream; charset=utf-8")
        handler.send_header("Cache-Control", "no-cache")
        handler.end_headers()

    @staticmethod
    def _event(handler: BaseHTTPRequestHandler, data: str) -> None:
        handler.wfile.write(f"data: {data}\n\n".encode())
        handler.wfile.flush()

    def _stream(self, handler: BaseHTTPRequestHandler, tokens: list[str], done: bool) -> None:
        self._start_events(handler)
        handler.wfile.write(b": keep-alive\n\n")
        self._event(handler, json.dumps(self._chunk("", role=True)))
        for token in tokens:
            self._event(handler, json.dumps(self._chunk(token)))
        if done:
            self._event(handler, json.dumps(self._chunk(None, finish="stop")))
            self._event(handler, json.dumps({"id": "chatcmpl-fake", "choices": [], "usage": {}}))
            self._event(handler, "[DONE]")
