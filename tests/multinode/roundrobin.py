"""A round-robin HTTP front for several riverbed nodes: request n goes to node n mod N.

Test plumbing, so that a boto3 client (or a whole conformance suite through ``RIVERBED_TEST_ENDPOINT``)
talks to every node in turn, request by request: a write acknowledged by one node is followed by a read on
the next.  Each request is forwarded whole on a fresh connection (no reuse of a connection a node may
have closed, no retry that could repeat a write) with the client's own ``Host``, so URLs the nodes answer
(SQS queue URLs, S3 locations) point back at this front.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# Hop-by-hop headers, and those this front sets itself.
_REQUEST_DROP = {"connection", "keep-alive", "transfer-encoding", "expect", "content-length", "te", "upgrade",
                 "proxy-connection"}
_RESPONSE_DROP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}


class RoundRobin:
    def __init__(self, endpoints: list[str]) -> None:
        self.targets = [(urlsplit(e).hostname or "127.0.0.1", urlsplit(e).port or 80) for e in endpoints]
        self.counts = [0] * len(endpoints)
        turn = itertools.count()
        lock = threading.Lock()
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:   # quiet
                return

            def _body(self) -> bytes:
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    parts = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(parts)
                        parts.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _forward(self) -> None:
                body = self._body()
                with lock:
                    n = next(turn) % len(front.targets)
                    front.counts[n] += 1
                host, port = front.targets[n]
                conn = http.client.HTTPConnection(host, port, timeout=120)
                try:
                    conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                    for key, value in self.headers.items():
                        if key.lower() not in _REQUEST_DROP:
                            conn.putheader(key, value)
                    conn.putheader("Content-Length", str(len(body)))
                    conn.endheaders(body)
                    resp = conn.getresponse()
                    data = resp.read()
                    self.send_response(resp.status, resp.reason)
                    for key, value in resp.getheaders():
                        if key.lower() not in _RESPONSE_DROP:
                            self.send_header(key, value)
                    # A HEAD answer's Content-Length describes the resource (S3 HeadObject), not this body.
                    length = resp.getheader("Content-Length") if self.command == "HEAD" else None
                    self.send_header("Content-Length", length or str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                finally:
                    conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="round-robin", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> RoundRobin:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
