"""Email channel over SMTP (``smtplib``): multipart plain text + HTML, threaded per story.

Every message gets ``Message-ID: <delivery-id@sender-domain>`` (the same on every retry),
``Date`` and, for story alerts, ``In-Reply-To``/``References`` pointing at a per-story id, so
mail clients keep all alerts about one story in one thread. One connection per message:
alerts are rare and a long-lived SMTP session would time out between them.
Reads ``[channels.<name>]`` ``host``, ``port``, ``security`` (``starttls``, ``tls`` = implicit
TLS, ``none``), ``username``, ``password_env``, ``sender``, ``to`` and ``timeout``.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, getaddresses, parseaddr
from typing import TYPE_CHECKING

from alerts.channels.base import SendResult
from alerts.errors import DeliveryError
from config import Duration

if TYPE_CHECKING:
    import httpx

    from alerts.render import Rendered


@dataclass(frozen=True)
class SmtpChannelConfig:
    """``[channels.<name>] type = "smtp"``."""

    name: str
    host: str
    sender: str
    to: tuple[str, ...]
    port: int = 587
    security: str = "starttls"  # "starttls", "tls" (implicit) or "none"
    username: str = ""
    password_env: str = ""
    password: str = field(default="", repr=False)  # resolved from password_env
    timeout: Duration = Duration(30.0)


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
        try:
            smtp = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(
                self.name, f"cannot connect to {cfg.host}:{cfg.port}: {_describe(exc)}", unreachable=True
            ) from None
        try:
            with smtp:
                if cfg.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if cfg.username:
                    smtp.login(cfg.username, cfg.password)
                refused = smtp.send_message(msg, from_addr=parseaddr(cfg.sender)[1], to_addrs=recipients)
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
        return SendResult(status_code=250, detail=f"refused: {_refusals(refused)}" if refused else None)

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        if cfg.security == "tls":
            return smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=ssl.create_default_context())
        return smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr} ({code} {text.decode('utf-8', 'replace')})" for addr, (code, text) in refused.items())
