r"""The gunicorn worker of ``pcf serve``: threads for complete requests only.

gunicorn's threaded worker (``gthread``) hands a connection to a thread as soon as it is
readable, and the thread then blocks until the whole request has arrived. A client that
sends half a request (or a body one byte a second) holds a thread; a few hundred such
clients hold them all, and ``/health`` goes unanswered (issue 19: two idle connections were
enough with the sync worker). This worker reads requests the way a buffering reverse proxy
does:

- a connection is read without blocking; bytes are kept with the connection until the
  request head is complete (``\r\n\r\n``) and the body is complete (``Content-Length``
  bytes, or the last chunk of a chunked body); meanwhile the connection waits in the
  worker's event loop (a selector), costing no thread;
- only a complete request is handed to a thread, which then never waits for the client;
- deadlines: the request head within :data:`HEADER_TIMEOUT` seconds of the connection (or
  of its first byte on a kept-alive connection), the body within :data:`BODY_TIMEOUT`
  seconds of the head; a request that misses one is answered 408 and the connection closed;
  an idle kept-alive connection closes after gunicorn's ``keepalive`` seconds;
- limits: a head over :data:`MAX_HEAD_BYTES` is 431 (414 when the request line alone is
  over it), a body over the app's ``MAX_CONTENT_LENGTH`` is 413 before it is read further,
  chunked or not; gunicorn's own limits apply after (request line 8,190 bytes, 100 header
  fields of 8,190 bytes); at most ``worker_connections`` connections per worker;
- every error the server itself answers (400 malformed request, 408, 413, 414, 431, 501 ...)
  is ``application/problem+json`` (gunicorn's are HTML).

TLS connections and HTTP/2 are handed to gunicorn unchanged (terminate TLS in the reverse
proxy: see the README). Built on gunicorn 27.0.1's ``ThreadWorker`` (pinned).
"""

from __future__ import annotations

import errno
import sys
import time
from typing import Any

from gunicorn import util as gunicorn_util
from gunicorn.workers import gthread

from pcf.api.middleware import problem_bytes

HEADER_TIMEOUT = 10.0
"""Seconds from a connection (or the first byte of a request on a kept-alive one) to the end
of the request head."""
BODY_TIMEOUT = 30.0
"""Seconds from the end of the head to the end of the body."""
MAX_HEAD_BYTES = 64 * 1024
"""Largest request head (request line and header fields), bytes."""
SWITCH_INTERVAL = 0.001
"""GIL switch interval of an HTTP worker, seconds (Python's default is 0.005)."""
SOCKET_TIMEOUT = 10.0
"""Timeout of each socket operation once a complete request is handled (writing the answer
to a client that does not read)."""
_RECV = 65536

_REASONS = {400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large",
            414: "URI Too Long", 431: "Request Header Fields Too Large",
            500: "Internal Server Error", 501: "Not Implemented"}
_SLUGS = {400: "malformed-request", 408: "request-timeout", 413: "payload-too-large",
          414: "uri-too-long", 431: "header-fields-too-large", 500: "internal-error",
          501: "not-implemented", 417: "expectation-failed", 403: "forbidden"}


def problem_response_bytes(status: int, detail: str, reason: str | None = None) -> bytes:
    """A complete HTTP/1.1 answer with an ``application/problem+json`` body, closing."""
    reason = reason or _REASONS.get(status, "Error")
    body = problem_bytes(status, detail, slug=_SLUGS.get(status), title=reason)
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


def _write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """Replacement of ``gunicorn.util.write_error``: the same errors, as problem+json."""
    detail = mesg or reason
    gunicorn_util.write_nonblock(sock, problem_response_bytes(status_int, detail, reason))


def _send_quietly(sock: Any, data: bytes) -> None:
    try:
        sock.setblocking(True)
        sock.settimeout(1.0)
        sock.sendall(data)
    except OSError:
        pass


class _Pending:
    """What has been received of the request on a connection (not yet handed to a thread)."""

    __slots__ = ("buf", "head_end", "need", "chunked", "head_deadline", "body_deadline",
                 "continued")

    def __init__(self, now: float):
        self.buf = bytearray()
        self.head_end = -1
        self.need = -1
        self.chunked = False
        self.head_deadline = now + HEADER_TIMEOUT
        self.body_deadline = float("inf")
        self.continued = False

    def deadline(self) -> float:
        return self.head_deadline if self.head_end < 0 else self.body_deadline


def _chunked_end(buf: bytearray, start: int, limit: int) -> tuple[str, int]:
    """Scan a chunked body from ``start``: ``("done", size)``, ``("more", size)``,
    ``("big", size)`` (decoded size over ``limit``) or ``("bad", 0)`` (not chunked framing:
    gunicorn's parser will say what is wrong)."""
    pos, size = start, 0
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return ("more", size) if len(buf) - pos < 1024 else ("bad", 0)
        token = bytes(buf[pos:eol]).split(b";", 1)[0].strip()
        try:
            n = int(token, 16)
        except ValueError:
            return "bad", 0
        if n == 0:  # last chunk, then trailer fields and an empty line
            end = buf.find(b"\r\n\r\n", eol)
            if buf[eol:eol + 4] == b"\r\n\r\n" or end >= 0:
                return "done", size
            return "more", size
        size += n
        if size > limit:
            return "big", size
        pos = eol + 2 + n + 2
        if pos > len(buf):
            return "more", size


class PcfThreadWorker(gthread.ThreadWorker):
    """gunicorn ``gthread`` worker that buffers each request before a thread handles it
    (see the module docstring)."""

    def init_process(self) -> None:
        """Answer gunicorn's own errors as problem+json, shorten the GIL switch interval,
        then run the worker."""
        gunicorn_util.write_error = _write_problem
        # A thread waiting for the GIL behind a CPU-bound one (a large order) waits up to the
        # switch interval each time: 1 ms instead of Python's 5 ms keeps short requests short.
        sys.setswitchinterval(SWITCH_INTERVAL)
        super().init_process()

    def _max_body(self) -> int:
        limit = getattr(self, "_pcf_max_body", None)
        if limit is None:
            config = getattr(self.wsgi, "config", None)  # the Flask app
            value = config.get("MAX_CONTENT_LENGTH") if config is not None else None
            limit = self._pcf_max_body = int(value) if value else 1024 * 1024
        return limit

    # -- reading ------------------------------------------------------------------------
    def _receive(self, conn: Any) -> tuple[str, int, str]:
        """Read what the client has sent without blocking. Returns ``("ready"|"wait"|"closed"
        |"error", status, detail)``."""
        now = time.monotonic()
        state: _Pending | None = getattr(conn, "pcf_pending", None)
        if state is None:
            state = conn.pcf_pending = _Pending(now)
            if conn.initialized:  # kept alive or pipelined: bytes read ahead come first
                state.buf += conn.parser.unreader.take_buffered()
        sock = conn.sock
        sock.setblocking(False)
        eof = False
        while True:
            try:
                data = sock.recv(_RECV)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                return "closed", 0, ""
            if not data:
                eof = True
                break
            state.buf += data
            if len(state.buf) > MAX_HEAD_BYTES + self._max_body() + 65536:
                break
        verdict = self._judge(state, now, sock)
        if verdict[0] == "wait" and eof:
            return "closed", 0, ""
        return verdict

    def _judge(self, state: _Pending, now: float, sock: Any) -> tuple[str, int, str]:
        buf = state.buf
        limit = self._max_body()
        if state.head_end < 0:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEAD_BYTES:
                    if buf.find(b"\n") < 0:
                        return "error", 414, (f"The request line is longer than "
                                              f"{MAX_HEAD_BYTES} bytes.")
                    return "error", 431, f"The request head is longer than {MAX_HEAD_BYTES} bytes."
                if now > state.head_deadline:
                    return "error", 408, (f"The request head was not received within "
                                          f"{HEADER_TIMEOUT:g} s.")
                return "wait", 0, ""
            if end > MAX_HEAD_BYTES:
                return "error", 431, f"The request head is longer than {MAX_HEAD_BYTES} bytes."
            state.head_end = end + 4
            state.body_deadline = now + BODY_TIMEOUT
            length, chunked, expect = self._framing(bytes(buf[:end]))
            if chunked:
                state.chunked = True
            elif length is None:
                state.need = state.head_end
            elif length < 0:
                return "ready", 0, ""  # an invalid Content-Length: gunicorn answers 400
            elif length > limit:
                return "error", 413, (f"The request body ({length} bytes) is larger than the "
                                      f"limit of {limit} bytes.")
            else:
                state.need = state.head_end + length
            if expect and not state.continued:
                state.continued = True
                if not self._complete(state, limit)[0]:
                    try:
                        sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
                    except OSError:
                        pass
        done, big = self._complete(state, limit)
        if big:
            return "error", 413, f"The request body is larger than the limit of {limit} bytes."
        if done:
            return "ready", 0, ""
        if now > state.body_deadline:
            return "error", 408, f"The request body was not received within {BODY_TIMEOUT:g} s."
        return "wait", 0, ""

    @staticmethod
    def _complete(state: _Pending, limit: int) -> tuple[bool, bool]:
        if not state.chunked:
            return len(state.buf) >= state.need, False
        verdict, _size = _chunked_end(state.buf, state.head_end, limit)
        if verdict == "big":
            return False, True
        return verdict in ("done", "bad"), False

    @staticmethod
    def _framing(head: bytes) -> tuple[int | None, bool, bool]:
        """``(content length or None, chunked, expects 100-continue)`` of a request head;
        a length of -1 means an unreadable one."""
        length: int | None = None
        chunked = expect = False
        for raw in head.split(b"\r\n")[1:]:
            name, sep, value = raw.partition(b":")
            if not sep:
                continue
            name = name.strip().lower()
            value = value.strip()
            if name == b"content-length":
                try:
                    length = int(value)
                    if length < 0:
                        length = -1
                except ValueError:
                    length = -1
            elif name == b"transfer-encoding":
                chunked = chunked or b"chunked" in value.lower()
            elif name == b"expect":
                expect = value.lower() == b"100-continue"
        return length, chunked, expect

    # -- gthread overrides --------------------------------------------------------------
    def handle(self, conn: Any) -> Any:
        """Handle a request once it is complete; until then give the connection back to the
        event loop (``_DEFER``)."""
        if self.cfg.is_ssl or conn.is_http2:
            return super().handle(conn)
        verdict, status, detail = self._receive(conn)
        if verdict == "wait":
            return gthread._DEFER
        if verdict == "closed":
            return False
        if verdict == "error":
            _send_quietly(conn.sock, problem_response_bytes(status, detail))
            self.log.info("pcf: %s from %s: %s", status, conn.client, detail)
            return False
        state: _Pending = conn.pcf_pending
        conn.pcf_pending = None
        conn.sock.setblocking(True)
        conn.sock.settimeout(SOCKET_TIMEOUT)
        conn.data_ready = True
        try:
            conn.init()
        except Exception as exc:  # noqa: BLE001 - as gunicorn: answer and close
            self.handle_error(None, conn.sock, conn.client, exc)
            return False
        conn.parser.unreader.unread(bytes(state.buf))
        if state.continued:  # 100 Continue went out already; gunicorn need not send another
            conn.pcf_continued = True
        return self._handle_buffered(conn)

    def _handle_buffered(self, conn: Any) -> Any:
        """gunicorn's request handling for a connection whose request is in its buffer."""
        req = None
        try:
            req = next(conn.parser)
            if not req:
                return False
            if getattr(conn, "pcf_continued", False):
                req._expected_100_continue = False
                conn.pcf_continued = False
            return self._keepalive_after(conn, self.handle_request(req, conn))
        except StopIteration:
            return False
        except TimeoutError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.exception("Socket error processing request.")
            return False
        except Exception as exc:  # noqa: BLE001 - gunicorn's parse errors and the like
            self.handle_error(req, conn.sock, conn.client, exc)
            return False

    def finish_request(self, conn: Any, fs: Any) -> None:
        """gunicorn's, then a connection waiting for the rest of its request keeps the
        deadline of that request (not the keep-alive timeout)."""
        super().finish_request(conn, fs)
        state: _Pending | None = getattr(conn, "pcf_pending", None)
        if state is not None and conn in self.pending_conns:
            conn.timeout = state.deadline()

    def murder_pending(self) -> None:
        """Close connections whose request missed its deadline (408 if any byte came)."""
        now = time.monotonic()
        expired = [c for c in self.pending_conns if c.timeout is not None and c.timeout <= now]
        for conn in expired:
            self.pending_conns.remove(conn)
            try:
                self.poller.unregister(conn.sock)
            except (OSError, KeyError, ValueError):
                pass
            self.nr_conns -= 1
            state: _Pending | None = getattr(conn, "pcf_pending", None)
            if state is not None and state.buf:
                what = "head" if state.head_end < 0 else "body"
                limit = HEADER_TIMEOUT if state.head_end < 0 else BODY_TIMEOUT
                try:
                    conn.sock.send(problem_response_bytes(
                        408, f"The request {what} was not received within {limit:g} s."))
                except OSError:
                    pass
            conn.close()
