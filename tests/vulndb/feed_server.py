"""A real HTTP server on 127.0.0.1 for the sync tests: serves feeds, answers 304, injects faults.

Not a mock: the code under test opens real sockets to it. Each test gets its own
server on a free port (``FeedServer.running()``). Resources are served with an
ETag and a Last-Modified date and honour ``If-None-Match``/``If-Modified-Since``;
faults are queued per path and consumed one per request (5xx/429 with headers,
slow answers, truncated bodies); redirects map one path to another.
"""

from __future__ import annotations

import email.utils
import hashlib
import io
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LAST_MODIFIED = "Wed, 09 Oct 2024 12:00:00 GMT"


@dataclass
class Resource:
    body: bytes
    etag: str | None = None
    last_modified: str | None = LAST_MODIFIED
    content_type: str = "application/octet-stream"
    content_length: bool = True  # False: no Content-Length, the body ends when the socket closes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before anything is sent (a slow server)
    truncate: bool = False  # announce the full length, send half, close


@dataclass
class Hit:
    path: str
    headers: dict[str, str]


class FeedServer:
    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.redirects: dict[str, str] = {}
        self.hits: list[Hit] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[FeedServer]:
        server = cls()
        thread = threading.Thread(target=server.httpd.serve_forever, args=(0.02,), daemon=True)
        thread.start()
        try:
            yield server
        finally:
            server.stop.set()
            server.httpd.shutdown()
            server.httpd.server_close()
            thread.join()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def put(self, path: str, body: bytes, **options: object) -> Resource:
        etag = options.pop("etag", '"' + hashlib.sha256(body).hexdigest()[:16] + '"')
        resource = Resource(body, etag, **options)  # type: ignore[arg-type]
        self.resources[path] = resource
        return resource

    def fail(self, path: str, *faults: Fault) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def redirect(self, path: str, to: str) -> None:
        self.redirects[path] = to

    def requests_to(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            path = self.path
            with server.lock:
                server.hits.append(Hit(path, {k.lower(): v for k, v in self.headers.items()}))
                queue = server.faults.get(path) or []
                fault = queue.pop(0) if queue else None
            resource = server.resources.get(path)
            if fault is not None:
                if fault.delay and server.stop.wait(fault.delay):
                    return
                if not fault.truncate:
                    self._send(fault.status, b"fault injected\n", fault.headers)
                    return
            if path in server.redirects:
                self._send(302, b"", {"Location": server.redirects[path]})
                return
            if resource is None:
                self._send(404, b"not found\n", {})
                return
            if fault is not None and fault.truncate:
                self.send_response(200)
                self.send_header("Content-Length", str(len(resource.body)))
                self.end_headers()
                self.wfile.write(resource.body[: len(resource.body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            headers = {"Content-Type": resource.content_type, **resource.headers}
            if resource.etag:
                headers["ETag"] = resource.etag
            if resource.last_modified:
                headers["Last-Modified"] = resource.last_modified
            if self._not_modified(resource):
                self._send(304, b"", headers)
                return
            self._send(200, resource.body, headers, length=resource.content_length)

        def _not_modified(self, resource: Resource) -> bool:
            match = self.headers.get("If-None-Match")
            if match is not None:
                return resource.etag is not None and match == resource.etag
            since = self.headers.get("If-Modified-Since")
            if since is None or resource.last_modified is None:
                return False
            try:
                return email.utils.parsedate_to_datetime(
                    resource.last_modified
                ) <= email.utils.parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False

        def _send(
            self, status: int, body: bytes, headers: dict[str, str], *, length: bool = True
        ) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if length and status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)
            self.close_connection = True

    return Handler


def zip_dir(directory: Path) -> bytes:
    """An OSV-style ``all.zip``: every JSON file of ``directory`` at the zip's top level."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(directory.glob("*.json")):
            zf.writestr(path.name, path.read_bytes())
    return buffer.getvalue()
