"""Email channel over SMTP (``smtplib``): multipart plain text + HTML, threaded per story.

Every message gets ``Message-ID: <delivery-id@sender-domain>`` (the same on every retry),
``Date`` and, for story alerts, ``In-Reply-To``/``References`` pointing at a per-story id, so
mail clients keep all alerts about one story in one thread. One connection per message:
alerts are rare and a long-lived SMTP session would time out between them.
Reads ``[channels.<name>]`` ``host``, ``port``, ``security`` (``starttls``, ``tls`` = implicit
TLS, ``none``), ``allow_cleartext_login``, ``username``, ``password_env``, ``sender``, ``to`` and
``timeout``; every key is checked when the config is loaded (``SmtpChannelConfig.validate``).

An attempt is bounded whatever the server does: ``timeout`` is the deadline of the whole
dialogue (connect, greeting, TLS, login, data), not of each read, and the server's replies may
total at most ``MAX_DIALOGUE_BYTES`` (an endless multi-line greeting ends the attempt instead of
filling memory). Either is one failed attempt, retried on the normal schedule.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, getaddresses, parseaddr
from typing import TYPE_CHECKING

from alerts.channels.base import SendResult
from alerts.errors import DeliveryError
from config import Duration, InvalidValue, setting

if TYPE_CHECKING:
    import httpx
    from _typeshed import ReadableBuffer

    from alerts.render import Rendered


@dataclass(frozen=True)
class SmtpChannelConfig:
    """``[channels.<name>] type = "smtp"``."""

    name: str
    host: str = setting(doc="SMTP server")
    sender: str = setting(doc="From address")
    to: tuple[str, ...] = setting(doc="recipients")
    port: int = setting(587, low=1, high=65535, doc="")
    security: str = setting("starttls", doc='`starttls`, `tls` (implicit) or `none` (see "Channels")')
    username: str = setting("", doc="login, with the password from `password_env`")
    password_env: str = setting("", doc="environment variable holding the password")
    password: str = field(default="", repr=False)  # resolved from password_env
    timeout: Duration = setting(Duration(30.0), low=0.1, high=600, doc="the whole attempt, not each read")
    # Sending a username and password over an unencrypted connection needs saying so.
    allow_cleartext_login: bool = setting(False, doc='allow a login with `security = "none"`')

    def validate(self) -> None:
        """Refuse at load what would fail, or leak, only when an alert is sent."""
        if self.security not in SECURITY:
            raise InvalidValue("security", f"expected one of {', '.join(SECURITY)}, got {self.security!r}")
        if self.security == "none" and self.username and not self.allow_cleartext_login:
            raise InvalidValue(
                "security",
                '"none" would send the username and password in clear; use "starttls" or "tls", '
                "or set allow_cleartext_login = true if the network is trusted",
            )
        if not _HOST.fullmatch(self.host):
            raise InvalidValue("host", f"expected a host name or IP address, got {self.host!r}")
        check_address(self.sender, "sender")
        if not self.to:
            raise InvalidValue("to", "expected at least one recipient")
        for i, recipient in enumerate(self.to):
            check_address(recipient, f"to[{i}]")


SECURITY = ("starttls", "tls", "none")
_HOST = re.compile(r"[A-Za-z0-9._:\[\]-]+")
_ADDR_SPEC = re.compile(r'[^@\s<>(),;:"\\\[\]]+@[\w-]+(\.[\w-]+)*')
# Bytes of server replies one attempt reads at most; a normal dialogue is well under 2 KiB.
MAX_DIALOGUE_BYTES = 64 * 1024


def check_address(value: str, key: str) -> None:
    """One mailbox, ``user@example.org`` or ``Name <user@example.org>``; no line breaks."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidValue(key, f"control characters (line breaks?) in the address {value!r}")
    parsed = getaddresses([value])
    if len(parsed) != 1 or not _ADDR_SPEC.fullmatch(parsed[0][1]):
        raise InvalidValue(key, f"expected one address like 'Name <user@example.org>', got {value!r}")


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "newswatch.invalid"


class _MailPolicy(EmailPolicy):
    """The default policy, except that a non-ASCII Subject is encoded by ``email.header.Header``.

    Python 3.11's folding puts the space between two words at an encoded-word boundary, where
    RFC 2047 says readers drop it ("Quốc phòng" arrives as "Quốcphòng"); ``Header`` keeps
    spaces inside the encoded words."""

    def fold(self, name: str, value: str) -> str:
        if name.lower() == "subject" and not str(value).isascii():
            encoded = Header(str(value), "utf-8", header_name=name, maxlinelen=self.max_line_length)
            folded: str = encoded.encode(linesep=self.linesep)
            return f"{name}: {folded}{self.linesep}"
        return str(super().fold(name, value))

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "subject" and not str(value).isascii():
            return self.fold(name, value).encode("ascii")
        return bytes(super().fold_binary(name, value))


MAIL_POLICY = _MailPolicy(linesep="\r\n")


def build_message(config: SmtpChannelConfig, message: Rendered) -> EmailMessage:
    domain = _domain(config.sender)
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = config.sender
    msg["To"] = ", ".join(config.to)
    msg["Subject"] = message.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = f"<{message.delivery_id}@{domain}>"
    if message.thread:
        root = f"<{message.thread}@{domain}>"
        msg["In-Reply-To"] = root
        msg["References"] = root
    msg["X-Newswatch-Kind"] = message.kind
    msg.set_content(message.text)
    msg.add_alternative(message.html, subtype="html")
    return msg


class RepliesTooLong(smtplib.SMTPException):
    """The server's replies passed ``MAX_DIALOGUE_BYTES`` in one attempt."""


class _BoundedReader:
    """What ``smtplib`` reads replies from, in place of ``socket.makefile``: every ``recv`` is
    given only the time left before the attempt's deadline, and the replies of one attempt may
    total ``limit`` bytes. ``smtplib`` would otherwise wait ``timeout`` per read (a server
    trickling a byte a second never ends) and keep every line of a multi-line reply."""

    def __init__(self, sock: socket.socket, deadline: float, limit: int, read_so_far: int) -> None:
        self.sock = sock
        self.deadline = deadline
        self.limit = limit
        self.total = read_so_far
        self.buffer = b""

    def readline(self, size: int = -1) -> bytes:
        while b"\n" not in self.buffer and (size < 0 or len(self.buffer) < size):
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the mail server's replies did not end within the timeout")
            self.sock.settimeout(left)
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.total += len(chunk)
            if self.total > self.limit:
                raise RepliesTooLong(f"the mail server sent more than {self.limit // 1024} KiB of replies")
            self.buffer += chunk
        end = self.buffer.find(b"\n") + 1 or len(self.buffer)
        if size >= 0:
            end = min(end, size)
        line, self.buffer = self.buffer[:end], self.buffer[end:]
        return line

    def close(self) -> None:
        self.buffer = b""


class _Bounded(smtplib.SMTP):
    """``smtplib.SMTP`` whose whole dialogue has one deadline and a cap on what it reads."""

    deadline = 0.0
    read_limit = MAX_DIALOGUE_BYTES
    _reader: _BoundedReader | None = None

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None and self.sock is not None:
            so_far = self._reader.total if self._reader is not None else 0
            self._reader = _BoundedReader(self.sock, self.deadline, self.read_limit, so_far)
            self.file = self._reader
        try:
            return super().getreply()
        except smtplib.SMTPServerDisconnected:
            if time.monotonic() >= self.deadline:  # smtplib reports a timed-out read as a disconnection
                raise TimeoutError("the mail server's reply did not end within the timeout") from None
            if self._reader is not None and self._reader.total > self._reader.limit:  # and the cap as well
                limit = self.read_limit // 1024
                raise RepliesTooLong(f"the mail server sent more than {limit} KiB of replies") from None
            raise

    def send(self, s: ReadableBuffer | str) -> None:
        if self.sock is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the mail dialogue did not finish within the timeout")
            self.sock.settimeout(left)  # sendall: the timeout bounds the whole call
        super().send(s)


class _BoundedSMTP(_Bounded):
    def __init__(self, host: str, port: int, deadline: float) -> None:
        self.deadline = deadline
        super().__init__(host, port, timeout=max(deadline - time.monotonic(), 0.001))


class _BoundedSMTPSSL(_Bounded, smtplib.SMTP_SSL):
    def __init__(self, host: str, port: int, deadline: float, context: ssl.SSLContext) -> None:
        self.deadline = deadline
        smtplib.SMTP_SSL.__init__(self, host, port, timeout=max(deadline - time.monotonic(), 0.001), context=context)


def _transport(smtp: smtplib.SMTP, security: str) -> str:
    """Which transport security a finished dialogue used, as ``alerts test`` reports it."""
    sock = smtp.sock
    version = sock.version() if isinstance(sock, ssl.SSLSocket) else None
    if security == "none":
        return "no encryption (security = none)"
    label = "STARTTLS" if security == "starttls" else "implicit TLS"
    return f"{label} ({version}), certificate verified" if version else label


class SmtpChannel:
    def __init__(self, config: SmtpChannelConfig) -> None:
        self.name = config.name
        self.config = config

    @classmethod
    def from_config(cls, config: SmtpChannelConfig, client: httpx.Client) -> SmtpChannel:
        return cls(config)  # one SMTP connection per message, no shared client

    def send(self, message: Rendered) -> SendResult:
        cfg = self.config
        msg = build_message(cfg, message)
        recipients = [addr for _name, addr in getaddresses(list(cfg.to)) if addr]
        deadline = time.monotonic() + cfg.timeout
        try:
            smtp = self._connect(deadline)
        except TimeoutError:
            raise DeliveryError(
                self.name, f"{cfg.host}:{cfg.port}: no complete answer within {cfg.timeout:g}s", unreachable=True
            ) from None
        except RepliesTooLong as exc:
            raise DeliveryError(self.name, f"{cfg.host}:{cfg.port}: {exc}", unreachable=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(
                self.name, f"cannot connect to {cfg.host}:{cfg.port}: {_describe(exc)}", unreachable=True
            ) from None
        try:
            with _quitting(smtp):
                if cfg.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if cfg.username:
                    smtp.login(cfg.username, cfg.password)
                refused = smtp.send_message(msg, from_addr=parseaddr(cfg.sender)[1], to_addrs=recipients)
                transport = _transport(smtp, cfg.security)
        except TimeoutError:
            raise DeliveryError(
                self.name,
                f"{cfg.host}:{cfg.port}: the mail dialogue did not finish within {cfg.timeout:g}s",
                unreachable=True,
            ) from None
        except RepliesTooLong as exc:
            raise DeliveryError(self.name, f"{cfg.host}:{cfg.port}: {exc}", unreachable=True) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                self.name,
                f"authentication failed for user {cfg.username!r}: {_describe(exc)}",
                status_code=exc.smtp_code,
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(self.name, f"every recipient was refused: {_refusals(exc.recipients)}") from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(self.name, _describe(exc), status_code=exc.smtp_code) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(self.name, f"{cfg.host}:{cfg.port}: {_describe(exc)}", unreachable=True) from None
        return SendResult(
            status_code=250, detail=f"refused: {_refusals(refused)}" if refused else None, transport=transport
        )

    def _connect(self, deadline: float) -> smtplib.SMTP:
        cfg = self.config
        if cfg.security == "tls":
            return _BoundedSMTPSSL(cfg.host, cfg.port, deadline, ssl.create_default_context())
        return _BoundedSMTP(cfg.host, cfg.port, deadline)


@contextmanager
def _quitting(smtp: smtplib.SMTP) -> Iterator[smtplib.SMTP]:
    """Like ``with smtp:``, except that a QUIT the server does not answer in time is no failure:
    the message was accepted before it, and a retry would send it twice."""
    try:
        yield smtp
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr} ({code} {text.decode('utf-8', 'replace')})" for addr, (code, text) in refused.items())
