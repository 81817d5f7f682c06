"""A mail server on 127.0.0.1 that keeps what it receives (aiosmtpd), for the demo and the tests.

aiosmtpd's ``Controller`` binds its ``hostname`` and ``port`` itself when started (so it cannot
be given port 0: it connects to that port to check it is up). The sink binds its socket at
construction instead, like every sandbox server (``sandbox.ports``), and hands it to the
controller: ``_Controller`` creates its asyncio server on that socket.
"""

from __future__ import annotations

import socket
import ssl
import warnings
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Self

from sandbox.ports import Server, bind_loopback, port_of


@dataclass
class MailSink(Server):
    """An SMTP server collecting messages; with ``users``, it requires AUTH LOGIN/PLAIN.

    With ``tls``: STARTTLS is offered and required, or (``implicit``) the whole session is TLS.
    """

    users: dict[str, str] | None = None
    tls: ssl.SSLContext | None = None
    implicit: bool = False
    port: int = 0  # 0: any free port; bound at construction (``sandbox.ports``), read back here
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock: socket.socket | None = bind_loopback(self.port)  # refused until start()
        self.port = port_of(self._sock)
        self._controller: Any = None

    def start(self) -> Self:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        class _Controller(Controller):
            """The threaded controller, serving on a socket bound beforehand."""

            def __init__(self, handler: Any, sock: socket.socket, **kwargs: Any) -> None:
                super().__init__(handler, hostname="127.0.0.1", port=port_of(sock), **kwargs)
                self.sock = sock

            def _create_server(self) -> Any:
                server: Any = self.loop.create_server(self._factory_invoker, sock=self.sock, ssl=self.ssl_context)
                return server

        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
            users = sink.users or {}
            if isinstance(auth_data, LoginPassword):
                login, password = auth_data.login.decode(), auth_data.password.decode()
                return AuthResult(success=users.get(login) == password, handled=False)
            return AuthResult(success=False, handled=False)

        kwargs: dict[str, Any] = {}
        if self.users is not None:
            # Plain-text AUTH is fine on loopback; it keeps the test free of certificates.
            kwargs = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
        if self.tls is not None and self.implicit:
            kwargs["ssl_context"] = self.tls
        elif self.tls is not None:
            kwargs.update(tls_context=self.tls, require_starttls=True)
        sock, self._sock = self._sock or bind_loopback(self.port), None  # bound anew after a stop
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "AUTH without TLS": deliberate, see above
            self._controller = _Controller(Handler(), sock, **kwargs)
            self._controller.start()  # its asyncio server listens on the socket, and closes it at stop
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._sock is not None:  # built, never started
            self._sock.close()
            self._sock = None
