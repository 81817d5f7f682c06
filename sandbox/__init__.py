"""The sandbox: everything Newswatch talks to, served locally on 127.0.0.1, for ``run.py demo``,
the tests and the benchmarks. See the README section "Sandbox".

- ``OutletSites`` (``sites``): fake copies of the preset news outlets, one HTTP server per site,
  with hand-written articles (``stories``) and the real sites' quirks and URL shapes (``layout``);
- ``OutletFleet`` (``fleet``): any number of plain outlets declared in ``config.toml``,
  several on one host if asked, with articles published while a test runs (cluster tests);
- ``MailSink`` (``mail``): an SMTP server (aiosmtpd) that keeps the messages it receives;
- ``WebhookReceiver`` (``webhook``): an HTTP server that checks Standard Webhooks signatures;
- ``make_tls`` (``tls``): a throw-away CA and a certificate for 127.0.0.1.

Every server binds its port when it is built and holds it until ``stop()`` (``ports``): a port
picked free and bound later could be taken in between by a test running alongside.

Imports nothing of Newswatch's: it stands in for the outside world.
"""

from __future__ import annotations

from sandbox.mail import MailSink
from sandbox.model import Article
from sandbox.sites import OutletSites, RequestRecord
from sandbox.tls import make_tls
from sandbox.webhook import WebhookReceiver

__all__ = ["Article", "MailSink", "OutletSites", "RequestRecord", "WebhookReceiver", "make_tls"]
