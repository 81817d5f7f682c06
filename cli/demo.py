"""``demo``: one full Newswatch cycle, offline, on loopback, in a few seconds.

Starts the sandbox outlets (``sandbox``), a local SMTP server (aiosmtpd) and a webhook
receiver, all on 127.0.0.1; builds the configuration from the shipped ``config.toml`` (its
outlets and its default watch) with the outlets pointed at the sandbox sites, a temporary SQLite
database and two channels pointed at the local servers; then crawls every outlet once,
merges stories, matches the watch and sends the alerts, and prints what happened. Nothing
leaves the machine and nothing outside a temporary folder is written.

Reads the shipped ``config.toml`` (or ``--config``; not ``NEWSWATCH_CONFIG``, so the demo is
the same wherever it runs) for its outlets and watches only.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import secrets
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cli.command import Commands, add_command
from cli.output import Column, count, table

if TYPE_CHECKING:
    from app import App
    from config import Config

log = logging.getLogger("newswatch.demo")

SHIPPED_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"

DEMO_COLUMNS = (
    Column("outlet", 14),
    Column("status", 8),
    Column("links", 6, right=True),
    Column("fetched", 8, right=True),
    Column("new", 5, right=True),
    Column("duplicate", 10, right=True),
)


def demo(app: App, args: argparse.Namespace) -> int:
    """``app`` is the shipped configuration's, loaded (and so checked) before any server starts."""
    if not args.verbose:
        logging.getLogger().setLevel(logging.WARNING)  # the demo prints its own account
    keep = Path(args.keep) if args.keep else None
    return run_demo(Path(app.config.path), sys.stdout, keep, serve=_serve_until_stopped if args.serve else None)


def _serve_until_stopped(app: App) -> None:
    """The web console on the demo's database (``[web]`` of the shipped config) until Ctrl-C."""
    from cli.run import StopFlag
    from cli.serve import console_for, start_console

    console = console_for(app, None, None)
    stop = StopFlag()
    start_console(console)
    try:
        stop.wait()
    finally:
        console.stop()


def register(commands: Commands) -> None:
    parser = add_command(
        commands,
        "demo",
        demo,
        help="one offline cycle: sandbox outlets, local mail and webhook servers, then a report",
    )
    parser.add_argument("--keep", metavar="DIR", help="keep the demo database in DIR (default: a temporary folder)")
    parser.add_argument("--serve", action="store_true", help="then serve the web console on it until Ctrl-C")
    parser.set_defaults(default_config=str(SHIPPED_CONFIG))


def demo_config(
    shipped: Path, folder: Path, outlets: dict[str, dict[str, Any]], smtp_port: int, hook_url: str, hook_secret: str
) -> Config:
    """The shipped config with its outlets on the sandbox sites, a temporary database and two channels."""
    import config as config_module
    from alerts.channels import CONFIG_TYPES
    from crawler.outlets import load_presets

    data = tomllib.loads(shipped.read_text(encoding="utf-8"))
    data["storage"] = {"database_url": f"sqlite:///{folder / 'demo.db'}"}
    data["crawler"] = {**data.get("crawler", {}), "download_delay": "0s", "autothrottle": False, "timeout": "10s"}
    for slug, override in outlets.items():
        data.setdefault("outlets", {}).setdefault(slug, {}).update(override)
    data["channels"] = {
        "email": {
            "type": "smtp",
            "host": "127.0.0.1",
            "port": smtp_port,
            "security": "none",
            "sender": "Newswatch demo <newswatch@localhost>",
            "to": ["Duty desk <desk@localhost>"],
            "timeout": "5s",
        },
        "webhook": {"type": "webhook", "url": hook_url, "secret_env": "NEWSWATCH_DEMO_WEBHOOK_SECRET", "timeout": "5s"},
    }
    for watch in data.get("watches", {}).values():
        if watch.get("enabled", True):
            watch["channels"] = ["email", "webhook"]
    data.setdefault("alerts", {})["operator_channels"] = ["email"]
    env = {"NEWSWATCH_DEMO_WEBHOOK_SECRET": hook_secret}
    return config_module.config_from_dict(
        data, env=env, presets=load_presets(), path=str(shipped), channel_types=CONFIG_TYPES
    )


def run_demo(shipped: Path, out: TextIO, keep: Path | None = None, serve: Callable[[App], None] | None = None) -> int:
    """Run the demo; print to ``out``. With ``keep``, the database stays in that folder; with
    ``serve``, it is called with the demo's app before anything stops (the web console)."""
    from app import build_app
    from crawler.runner import run_crawl
    from daemon import FAILED, Jobs
    from sandbox import MailSink, OutletSites, WebhookReceiver
    from storage.stories import list_stories

    def say(text: str = "") -> None:
        out.write(text + "\n")
        out.flush()

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="newswatch-demo-") as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        hook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        with (
            OutletSites() as sandbox,
            MailSink() as mail,
            WebhookReceiver(secret=hook_secret, path="/newswatch") as hook,
        ):
            cfg = demo_config(shipped, folder, sandbox.outlet_overrides(), mail.port, hook.url, hook_secret)
            watches = [w.name for w in cfg.watches if w.enabled]
            say("Newswatch demo: everything runs on this machine (127.0.0.1), nothing is sent anywhere else.")
            say(f"  outlets:  {len(cfg.outlets)} sandbox sites serving the real outlets' feeds, sitemaps and pages")
            say(f"  watch:    {', '.join(watches)} (from {shipped.name})")
            say(f"  channels: email to a local SMTP server (port {mail.port}), a signed webhook to {hook.url}")
            say(f"  database: {folder / 'demo.db'} (temporary)")
            say()
            say("Crawling every outlet once...")
            app = build_app(cfg)
            dispatcher = app.dispatcher()
            jobs = Jobs(cfg, app.sessions, app.ingestor(), partial(run_crawl, prepare=app.preparer()))
            summaries = jobs.crawl(cfg.outlets)
            sent = dispatcher.dispatch_due()
            dispatcher.close()

            say()
            total = sum(s.stored for s in summaries)
            rows = [(s.outlet, s.status, s.discovered, s.fetched, s.stored, s.duplicates) for s in summaries]
            say(table(DEMO_COLUMNS, [*rows, ("", "", "", "", total, "articles stored")]))

            with app.sessions() as session:
                stories = list_stories(session, limit=None)
            merged = [st for st in stories if len(st.outlets) > 1 or len(st.articles) > 1]
            say()
            say(f"Stories: {total} articles became {len(stories)} stories; {len(merged)} were reported more than once:")
            for st in merged[:8]:
                copies = f" and {count(len(st.copies), 'copy', 'copies')}" if st.copies else ""
                say(f"  - {_clip(st.articles[0].title, 78)}")
                say(f"    {count(len(st.articles), 'article')}{copies} from {', '.join(st.outlets)}")
                for a in st.articles[1:3]:
                    say(f"      also: [{a.outlet}] {_clip(a.title, 66)}")
            if len(merged) > 8:
                say(f"  ... and {len(merged) - 8} more (python run.py stories)")

            say()
            say(f"Alerts: {sent.delivered} delivered: {len(mail.messages)} emails and {len(hook.requests)} webhooks,")
            age = _human(cfg.alerts.max_article_age)
            say(f"one per new story that matched (articles older than {age} are stored, not alerted):")
            for payload in hook.accepted.values():
                data = payload.get("data", {})
                article = data.get("article", {})
                also = [str(a.get("outlet")) for a in data.get("also_reported_by") or []]
                extra = f"  (also: {', '.join(also)})" if also else ""
                outlet = str(article.get("outlet", ""))
                say(f"  [{outlet}] {_clip(article.get('title', ''), 80)}{extra}")
                say(f"  {' ' * (len(outlet) + 2)} score {data.get('score')}; {', '.join(data.get('terms', [])[:5])}")
            if mail.messages:
                message = mail.messages[0]
                body = message.get_body(preferencelist=("plain",))
                lines = [line for line in (body.get_content() if body is not None else "").splitlines() if line.strip()]
                say()
                say("One of the emails, as the duty desk receives it:")
                say(f"  From:    {message['From']}")
                say(f"  To:      {message['To']}")
                say(f"  Subject: {message['Subject']}")
                for line in lines[:9]:
                    say(f"  | {_clip(line, 100)}")
                if len(lines) > 9:
                    say("  | ...")
            if hook.requests:
                subject = str(mail.messages[0]["Subject"]) if mail.messages else ""
                shown = next(
                    (
                        r
                        for r in hook.requests
                        if r.json().get("data", {}).get("article", {}).get("title", "\0") in subject
                    ),
                    hook.requests[0],
                )
                headers, payload = shown.headers, shown.json()
                say()
                say(
                    "The same alert as a webhook (Standard Webhooks: signed, with an id receivers use to drop repeats):"
                )
                say(f"  POST {hook.url}")
                for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
                    say(f"  {name}: {headers.get(name, '')}")
                for line in json.dumps(_payload_excerpt(payload), ensure_ascii=False, indent=2).splitlines():
                    say(f"  {line}")
            if not mail.messages and not hook.requests:
                say("  (no stored article matched the watch this time)")
            failed = [s.outlet for s in summaries if s.status in FAILED]
            say()
            say(f"Done in {time.monotonic() - started:.1f}s. Next: python run.py run starts the daemon on config.toml;")
            say("README.md explains channels, watches, source health and deployment.")
            if serve is None:
                say("To browse these stories, alerts and outlets: make demo-serve (run.py demo --serve).")
            else:
                serve(app)
            app.close()
            return 1 if failed else 0


def _payload_excerpt(payload: dict[str, Any]) -> dict[str, Any]:
    """The webhook body with long fields shortened, for the screen."""
    data = dict(payload.get("data", {}))
    article = data.get("article", {})
    terms = list(data.get("terms", []))
    data["article"] = {k: article.get(k) for k in ("outlet", "language", "title", "url", "published_at")}
    data["terms"] = terms[:4] + (["..."] if len(terms) > 4 else [])
    data["snippets"] = [{"text": _clip(s.get("text", ""), 70), "spans": "..."} for s in data.get("snippets", [])[:1]]
    return {**payload, "data": data}


def _human(seconds: float) -> str:
    return f"{seconds / 3600:g} hours" if seconds < 2 * 86400 else f"{seconds / 86400:g} days"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
