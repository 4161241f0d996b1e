"""Small local sites for tests, in the usual government-site frame."""

from __future__ import annotations

import http.server
import os
import socket
import ssl
import struct
import tempfile
import threading
import time
import urllib.request
from datetime import date
from functools import partial
from pathlib import Path

import trustme

from monitor.demo.server import Route
from monitor.demo.sites import page

# Headless Chromium for the browser tests: no sandbox (they run as root), nothing fetched behind their back.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]

# The parts of a 通报, in order, as the bundled wording numbers them.
BULLETIN_HEADINGS = [
    "一、总体情况",
    "二、存在的主要问题",
    "三、预警提示",
    "四、红黑榜",
    "五、整改不到位情况",
    "六、下一步工作要求",
]
NAV = '<li><a href="/">首页</a></li><li><a href="/xxgk/">信息公开</a></li>'


def html(title: str, main: str) -> Route:
    """A page of the test site."""
    return Route(page(title, NAV, main, "测试局"))


def list_page(title: str, items: list[tuple[str, str, date]]) -> Route:
    """A column list page of (title, path, date) items."""
    rows = "".join(f'<li><a href="{p}">{t}</a><span>{d.isoformat()}</span></li>' for t, p, d in items)
    return html(title, f'<ul class="list">{rows}</ul>')


def config_for(base: str, columns: list[tuple[str, str]], dept_id: str = "csj", crawl: str = "") -> str:
    """A sites.yaml with one department and configured columns (``crawl``: more keys of its ``crawl`` section)."""
    lines = [
        "timezone: Asia/Shanghai",
        f"crawl: {{download_timeout: 3{', ' + crawl if crawl else ''}}}",
        "departments:",
        f"  - id: {dept_id}",
        "    name: 测试局",
        f"    site: {base}",
        "    columns:",
    ]
    lines += [f'      - {{name: {name}, url: "{base}{path.lstrip("/")}"}}' for name, path in columns]
    return "\n".join(lines) + "\n"


class _TcpServer:
    """A TCP server on 127.0.0.1 that answers each connection in a thread of its own with ``_answer``."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.sock.close()


class HeaderBombServer(_TcpServer):
    """Answers every request with headers that never end.

    ``sent`` is the most header bytes it got to send on one connection before the client hung up.
    """

    def __init__(self, limit: int = 64 * 1024 * 1024) -> None:
        self.limit = limit
        self.sent = 0
        super().__init__()

    def _answer(self, conn: socket.socket) -> None:
        line = b"X-Padding: " + b"a" * 1000 + b"\r\n"
        sent = 0
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
                while sent < self.limit:
                    conn.sendall(line * 64)
                    sent += len(line) * 64
            except OSError:
                pass
        self.sent = max(self.sent, sent)


class ResetServer(_TcpServer):
    """Resets every connection at once."""

    def __init__(self) -> None:
        super().__init__()
        self.url = f"{self.base}reset.html"

    def _answer(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()


def tls_context(cert: trustme.LeafCert | None = None, ca: trustme.CA | None = None) -> ssl.SSLContext:
    """A server TLS context for a leaf certificate, or for a CA's own (self-signed) certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    if cert is not None:
        cert.configure_cert(context)
    elif ca is not None:
        with tempfile.NamedTemporaryFile("wb", suffix=".pem", delete=False) as pem:
            pem.write(ca.private_key_pem.bytes() + ca.cert_pem.bytes())
        context.load_cert_chain(pem.name)
    return context


class StaticSite:
    """Static files on 127.0.0.1, with a log of what was asked and answered, and the most requests at once."""

    def __init__(self, root: Path, delay: float = 0) -> None:
        self.root = root
        self.log: list[tuple[str, str, bool, int]] = []  # method, path, conditional, status
        self.under_way = 0
        self.most_at_once = 0
        counting = threading.Lock()
        site = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def handle_one_request(self) -> None:  # from the request read to its answer written, not the close
                with counting:
                    site.under_way += 1
                    site.most_at_once = max(site.most_at_once, site.under_way)
                try:
                    super().handle_one_request()
                finally:
                    with counting:
                        site.under_way -= 1

            def send_response(self, code: int, message: str | None = None) -> None:
                time.sleep(delay)  # a slow server: a crawl of it lasts long enough to be interrupted
                conditional = "If-Modified-Since" in self.headers or "If-None-Match" in self.headers
                site.log.append((self.command, self.path, conditional, code))
                super().send_response(code, message)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def write(self, path: str, text: str, mtime: float) -> None:
        """Write a file with a given modification time (the Last-Modified the server sends)."""
        file = self.root / path.lstrip("/")
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
        os.utime(file, (mtime, mtime))

    def answers(self, method: str = "GET") -> dict[str, tuple[bool, int]]:
        """The last answer per path, and whether its request was conditional."""
        return {path: (conditional, status) for m, path, conditional, status in self.log if m == method}


def wait_until_serving(base: str, seconds: float = 60) -> None:
    """Wait until a server started in another process answers ``base``/; TimeoutError when it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{base} did not answer within {seconds} s")
