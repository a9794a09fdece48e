"""HTTP plumbing: a threaded server on 127.0.0.1 that reads a request, applies an
injected fault if one is queued, asks api.py for the answer and writes it.

Faults live here because they are about the connection (faults.py lists them):
``drop`` closes the socket without a byte; ``drop_after_accept``,
``truncate`` and ``status_after_accept`` let the request be processed first
(a submission stored), so a client sees a network error, a cut-off answer or a
5xx although LHDN has the documents.
"""

import contextlib
import json
import logging
import secrets
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .api import Request, Response
from .errors import STATUS_CODES, error_body

log = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"  # never anything else: the emulator has no business on a network


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, port, emulator):
        self.emulator = emulator
        self.connections = set()
        self._connections_lock = threading.Lock()
        self._calls = 0
        super().__init__((LOOPBACK, port), _Handler)

    def process_request(self, request, client_address):
        with self._connections_lock:
            self.connections.add(request)
        return super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self.connections.discard(request)
        return super().shutdown_request(request)

    def close_connections(self):
        """Close kept-alive connections too, so no client talks to a stopped emulator."""
        with self._connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def correlation_id(self):
        with self._connections_lock:
            self._calls += 1
            return f"EMU{secrets.token_hex(5).upper()}:{self._calls:08d}"

    def handle_error(self, request, client_address):
        log.debug("connection error from %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a client's session expects
    server_version = "MyInvoisEmulator/1.0"
    sys_version = ""
    timeout = 120  # idle kept-alive connections end eventually

    def setup(self):
        result = super().setup()
        # Headers and body go out in two writes; without this, Nagle + delayed ACK add 40 ms a call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return result

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, fmt, *args):
        log.debug("%s " + fmt, self.address_string(), *args)

    def _serve(self):
        emulator = self.server.emulator
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        query = {name.lower(): values[-1] for name, values in parse_qs(split.query, keep_blank_values=True).items()}
        request = Request(self.command, unquote(split.path), query, self.headers, body)
        route = emulator.api.resolve(request)
        endpoint = route.endpoint if route else None
        fault = None
        if endpoint:
            emulator.stats.count("requests", (endpoint,))
            fault = emulator.faults.take(endpoint)
            if fault:
                emulator.stats.count("injected", (endpoint,))
        if fault and fault.kind == "drop":
            return self._drop(fault.reset)
        if fault and fault.kind == "delay":
            time.sleep(fault.seconds)
        if fault and fault.kind == "status":
            response = self._status(fault)
        elif fault and fault.kind == "429":
            response = Response(
                429,
                error_body("TooManyRequests", "Injected fault: too many requests."),
                {"Retry-After": str(fault.retry_after)},
            )
        else:
            response = emulator.api.handle(route, request)
        if fault and fault.kind == "drop_after_accept":
            return self._drop(fault.reset)
        if fault and fault.kind == "status_after_accept":
            response = self._status(fault)
        self._send(response, truncate=bool(fault and fault.kind == "truncate"))

    @staticmethod
    def _status(fault):
        return Response(
            fault.status,
            error_body(STATUS_CODES.get(fault.status, "Error"), f"Injected fault: HTTP {fault.status}."),
        )

    def _drop(self, reset=False):
        self.close_connection = True
        with contextlib.suppress(OSError):  # already closed by the client
            if reset:  # linger 0: close() sends a TCP RST, not a FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, response, truncate=False):
        payload = b"" if response.body is None else json.dumps(response.body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(response.status)
            if response.body is not None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload) + (0 if payload or not truncate else 1)))
            self.send_header("correlationId", self.server.correlation_id())
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if truncate:  # half the promised body, then the connection ends
                self.wfile.write(payload[: len(payload) // 2])
                return self._drop()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout during a delay)
            self.close_connection = True


def serve(port, emulator):
    """Bind and serve in a daemon thread; returns the server (``server_address`` has the port)."""
    server = _Server(port, emulator)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="myinvois-emulator", daemon=True
    ).start()
    return server
