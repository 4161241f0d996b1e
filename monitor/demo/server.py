"""A small HTTP server for local sites on 127.0.0.1 (the demo, and the tests).

A site is a dict of routes, path (with query) → ``Route``. Behaviours a
monitor must handle are part of the route: an error status, a redirect, a
failure on the first requests only, a slow answer.
"""

from __future__ import annotations

import socket
import ssl
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """How the server answers one path."""

    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    redirect: str | None = None  # answer 301 to this location
    fail_first: int = 0  # answer 503 to the first N requests
    fail_every: int = 0  # answer 503 to every Nth GET (N, 2N, ...)
    retry_after: int | None = None  # the Retry-After header of those 503s
    head_status: int | None = None  # a different status for HEAD requests
    delay: float = 0.0  # seconds before answering
    drip: bool = False  # send the headers, then a byte every 0.2 s, never finishing

    def payload(self) -> bytes:
        """The body as bytes (str bodies are UTF-8)."""
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


NOT_FOUND = Route("<html><head><title>404</title></head><body>Not Found</body></html>", status=404)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Keep the console quiet; requests go to ``SiteServer.log``."""

    def _answer(self, with_body: bool) -> None:
        site = self.server.site
        route = site.routes.get(self.path) or (site.dynamic and site.dynamic(self.path)) or site.fallback
        with site.lock:
            site.log.append((self.command, self.path))
            site.hosts.append(self.headers.get("Host", ""))
            site.times.append((time.monotonic(), self.path))
            site.agents.add(self.headers.get("User-Agent", ""))
            site.hits[self.path] += 1
            hit = site.hits[self.path]
        if route.delay:
            time.sleep(route.delay)
        if hit <= route.fail_first or (route.fail_every and self.command == "GET" and hit % route.fail_every == 0):
            status, headers, body = 503, {"Content-Type": "text/plain"}, b"busy"
            if route.retry_after is not None:
                headers["Retry-After"] = str(route.retry_after)
        elif route.redirect:
            status, headers, body = 301, {"Location": route.redirect}, b""
        else:
            status, headers, body = route.status, {"Content-Type": route.content_type, **route.headers}, route.payload()
            if self.command == "HEAD" and route.head_status is not None:
                status = route.head_status
        if route.drip and hit > route.fail_first:
            self._drip(headers)
            return
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _drip(self, headers: dict[str, str]) -> None:
        """An endless body: a byte every 0.2 s until the client gives up (at most 60 s)."""
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass  # the client hung up, as it should
        self.close_connection = True

    def do_GET(self) -> None:
        """Answer a GET."""
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        """Answer a HEAD."""
        self._answer(with_body=False)

    def do_POST(self) -> None:
        """Answer a POST like a GET of the same path; the form is kept in ``SiteServer.forms``."""
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length).decode("utf-8", "replace")
        with self.server.site.lock:
            self.server.site.forms.append((self.path, form))
        self._answer(with_body=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: SiteServer

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer (a timeout, a killed crawler) is no error of the server."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SiteServer:
    """Serves one site's routes on a loopback address (127.0.0.1) in a background thread."""

    def __init__(
        self,
        routes: dict[str, Route] | None = None,
        port: int = 0,
        fallback: Route = NOT_FOUND,
        dynamic: Callable[[str], Route | None] | None = None,
        tls: ssl.SSLContext | None = None,
        address: str = "127.0.0.1",
    ) -> None:
        self.address = address  # any loopback address: 127.0.0.2 stands for another machine of the network
        self.routes: dict[str, Route] = routes or {}
        self.fallback = fallback  # the answer for paths not in routes
        self.dynamic = dynamic  # builds the answer for paths not in routes (endless sites)
        self.times: list[tuple[float, str]] = []
        self.agents: set[str] = set()
        self.scheme = "https" if tls else "http"
        self.log: list[tuple[str, str]] = []
        self.hosts: list[str] = []  # the Host header of each request in the log
        self.forms: list[tuple[str, str]] = []
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self._server = _Server((address, port), _Handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._server.site = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        """The site's root URL, ending in a slash."""
        return f"{self.scheme}://{self.address}:{self._server.server_address[1]}/"

    def url(self, path: str) -> str:
        """Absolute URL of a path on this site."""
        return self.base + path.lstrip("/")

    def start(self) -> SiteServer:
        """Start serving."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def closed_port_url() -> str:
    """A 127.0.0.1 URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
