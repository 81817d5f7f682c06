"""A mail server on 127.0.0.1 that keeps what it receives (aiosmtpd), for the demo and the tests."""

from __future__ import annotations

import ssl
import warnings
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from sandbox.ports import free_port


@dataclass
class MailSink:
    """An SMTP server collecting messages; with ``users``, it requires AUTH LOGIN/PLAIN.

    With ``tls``: STARTTLS is offered and required, or (``implicit``) the whole session is TLS.
    """

    users: dict[str, str] | None = None
    tls: ssl.SSLContext | None = None
    implicit: bool = False
    port: int = field(default_factory=free_port)
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    def start(self) -> MailSink:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "AUTH without TLS": deliberate, see above
            self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)
            self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
