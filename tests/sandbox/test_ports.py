"""Every sandbox server holds its port from construction to ``stop()``: between the moment a
test reads ``server.port`` (to write it into a config) and the moment the server listens,
nothing else can take it (under pytest-xdist another test process may ask for a free port)."""

from __future__ import annotations

import errno
import smtplib
import socket
from collections.abc import Callable
from typing import Protocol

import pytest

from sandbox import MailSink, OutletSites, WebhookReceiver
from sandbox.fleet import OutletFleet
from sandbox.hostile import HostileServer


class Server(Protocol):
    def start(self) -> object: ...
    def stop(self) -> None: ...


def ports_of(server: Server) -> list[int]:
    if isinstance(server, OutletSites):
        return list(server.ports.values())
    if isinstance(server, OutletFleet):
        return [int(server.host(slug).rpartition(":")[2]) for slug in server.slugs]
    return [server.port]  # type: ignore[attr-defined]


def held(port: int) -> bool:
    """Whether a plain socket is refused this port (what a server binding it later would meet)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            assert exc.errno == errno.EADDRINUSE
            return True
        return False


def answers(server: Server, port: int) -> bool:
    try:
        if isinstance(server, MailSink):  # a whole SMTP exchange: aiosmtpd keeps a cut connection
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                smtp.noop()
        else:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return False
    return True


KINDS: dict[str, Callable[[], Server]] = {
    "webhook receiver": WebhookReceiver,
    "mail sink": MailSink,
    "hostile http": lambda: HostileServer("http", "stall"),
    "hostile smtp": lambda: HostileServer("smtp", "stall"),
    "outlet sites": OutletSites,
    "outlet fleet": lambda: OutletFleet([["one", "two"], ["three"]]),
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_sandbox_server_holds_its_port_from_construction(kind: str) -> None:
    server = KINDS[kind]()
    try:
        ports = ports_of(server)
        assert all(port > 0 for port in ports) and all(held(port) for port in ports)
        assert not answers(server, ports[0])  # built, not started: refused, as a server that is down
        server.start()
        assert ports_of(server) == ports and answers(server, ports[0])  # it listens on the port it held
    finally:
        server.stop()


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_built_and_stopped_gives_its_port_back(kind: str) -> None:
    server = KINDS[kind]()
    ports = ports_of(server)
    server.stop()
    assert not any(held(port) for port in ports)
