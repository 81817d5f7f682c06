"""The HTTP client channels share, with a deadline for a whole request, not only for each read.

httpx's timeouts apply to each network operation: a receiver that answers a byte every few
seconds, or trickles an endless body, never trips them, and one attempt could last forever.
``BoundedTransport`` gives the connection pool a network backend whose streams cut every read
and write to the time left before the deadline of the request in progress in this thread
(``deadline(seconds)``, set by the channel around one attempt), and fail once it has passed.
Outside a ``deadline`` block the client behaves as a plain httpx client.

The composition root builds the one ``httpx.Client`` with this transport and hands it to the
channels (``alerts.channels.build_channels``).
"""

from __future__ import annotations

import threading
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx


class _Deadline(threading.local):
    at: float | None = None


_current = _Deadline()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every read and write of this thread's HTTP requests must end within ``seconds`` from now."""
    _current.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _current.at = None


def _left(timeout: float | None, exc: type[Exception]) -> float | None:
    at = _current.at
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise exc("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: typing.Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout))
        return _BoundedStream(tls)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _left(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _BoundedStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:
        return _BoundedStream(
            self._backend.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout), socket_options)
        )

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class BoundedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connections honour ``deadline``."""

    def __init__(self) -> None:
        # httpx takes no network backend; its pool is rebuilt with ours (same TLS defaults:
        # certificates verified, SSL_CERT_FILE honoured), on one TLS context: loading the
        # certificate store costs about 30 ms of CPU, once per client, not twice.
        tls = httpx.create_ssl_context()
        super().__init__(verify=tls)
        self._pool = httpcore.ConnectionPool(ssl_context=tls, network_backend=_BoundedBackend())


def client() -> httpx.Client:
    """The one HTTP client for alert channels: no redirects (a webhook URL is exact), bounded."""
    return httpx.Client(follow_redirects=False, transport=BoundedTransport())
