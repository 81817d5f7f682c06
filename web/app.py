"""The console's ASGI application (Starlette): routes, templates, middleware.

Every route answers GET (and HEAD) only: the console changes nothing. Pages are rendered on
the server with Jinja2 (autoescaping on: every crawled string is escaped), styled by one
stylesheet, with no script.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from config import Config
from storage.models import utcnow
from web import metrics, pages
from web.feeds import marked
from web.security import AccessControl

HERE = Path(__file__).resolve().parent


def create_app(cfg: Config, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utcnow) -> Starlette:
    """The console over the database behind ``sessions``, configured by ``cfg``."""
    templates = Jinja2Templates(directory=HERE / "templates")
    zone = ZoneInfo(cfg.alerts.timezone)
    templates.env.filters["when"] = lambda value: _when(value, zone)
    templates.env.filters["marked"] = lambda snippet: marked(*snippet)
    templates.env.globals["zone"] = cfg.alerts.timezone
    routes = [
        Route("/", pages.home),
        Route("/stories", pages.stories),
        Route("/stories/{story_id:int}", pages.story),
        Route("/articles/{article_id:int}", pages.article),
        Route("/alerts", pages.alerts),
        Route("/alerts/{delivery_id}", pages.delivery),
        Route("/outlets", pages.outlets),
        Route("/outlets/{slug}", pages.outlet),
        Route("/watches", pages.watches),
        Route("/watches/{name}", pages.watch),
        Route("/feeds/watches.atom", pages.all_watches_feed),
        Route("/feeds/watches/{name}.atom", pages.watch_feed),
        Route("/metrics", pages.metrics_text),
        Route("/healthz", pages.healthz),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(AccessControl, web=cfg.web)],
        exception_handlers={HTTPException: pages.error_page},
    )
    app.state.config = cfg
    app.state.sessions = sessions
    app.state.clock = clock
    app.state.templates = templates
    app.state.registry = metrics.registry(sessions, clock)
    return app


def _when(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value is not None else "-"
