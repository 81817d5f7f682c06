"""The console's pages, feeds, /metrics and /healthz: one handler per route, each reading
the database in one short session (``storage.browse``) and rendering a template.

Handlers are plain functions: Starlette runs them in its thread pool, so a slow query never
blocks the server's event loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from alerts.watches import Matcher, WatchHit, WatchQueryError
from config import Config, WatchConfig, parse_duration
from storage import browse, heartbeat, repository
from storage.search import MATCH_LIMIT, count_matches, parse_search
from storage.status import DeliveryStatus
from web.charts import activity_chart
from web.feeds import atom_feed

PAGE_SIZE = 50
CHART_DAYS = 14
BACKTEST_MAX_ARTICLES = 2000  # newest articles a backtest from the browser runs over
PERIODS = {"": "any time", "24h": "last 24 hours", "7d": "last 7 days", "30d": "last 30 days"}


# --------------------------------------------------------------------------- helpers


def _config(request: Request) -> Config:
    cfg: Config = request.app.state.config
    return cfg


def _sessions(request: Request) -> sessionmaker[Session]:
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def _render(request: Request, template: str, context: Mapping[str, Any], status: int = 200) -> Response:
    response: Response = request.app.state.templates.TemplateResponse(
        request, template, {"nav": template.split(".")[0], **context}, status_code=status
    )
    return response


def _since(request: Request, value: str) -> datetime | None:
    if not value:
        return None
    try:
        return _now(request) - timedelta(seconds=parse_duration(value))
    except ValueError:
        raise HTTPException(400, f"not a duration: {value!r} (e.g. 24h, 7d)") from None


def _int(value: str, default: int) -> int:
    return int(value) if value.isdigit() else default


async def error_page(request: Request, exc: Exception) -> Response:
    """A page for 404s and bad parameters; 405 (the console is read-only) stays plain text."""
    status = getattr(exc, "status_code", 500)
    if status not in (400, 404):
        return Response(f"{getattr(exc, 'detail', 'error')}\n", status_code=status, media_type="text/plain")
    return _render(request, "error.html", {"message": getattr(exc, "detail", ""), "status": status}, status=status)


# --------------------------------------------------------------------------- stories and articles


def home(request: Request) -> Response:
    return RedirectResponse("/stories", status_code=302)


def stories(request: Request) -> Response:
    params = request.query_params
    typed = params.get("q", "").strip()
    wanted = browse.StoryFilter(
        search=parse_search(typed) if typed else None,
        watch=params.get("watch") or None,
        outlet=params.get("outlet") or None,
        language=params.get("lang") or None,
        since=_since(request, params.get("since", "")),
        offset=(_int(params.get("page", "1"), 1) - 1) * PAGE_SIZE,
        limit=PAGE_SIZE + 1,
    )
    with _sessions(request)() as session:
        found = browse.stories(session, wanted) if wanted.search is None or wanted.search else []
        matched = count_matches(session, wanted.search) if wanted.search else None
        shown = {a.language for story in found for a in story.articles if a.language}
        configured = {code for o in _config(request).outlets for code in o.declared_languages}
        languages = sorted({*browse.languages(session), *configured, *shown, *filter(None, [wanted.language])})
        choices = {"outlets": browse.outlet_slugs(session), "languages": languages}
    page = wanted.offset // PAGE_SIZE + 1
    return _render(
        request,
        "stories.html",
        {
            "stories": found[:PAGE_SIZE],
            "more": len(found) > PAGE_SIZE,
            "page": page,
            "params": {k: params.get(k, "") for k in ("q", "watch", "outlet", "lang", "since")},
            "watches": [w.name for w in _config(request).watches],
            "periods": PERIODS,
            "empty_search": bool(typed) and not wanted.search,
            "matched": matched,
            "match_limit": MATCH_LIMIT,
            **choices,
        },
    )


def story(request: Request) -> Response:
    story_id = int(request.path_params["story_id"])
    with _sessions(request)() as session:
        found = browse.story(session, story_id)
    if found is None:
        raise HTTPException(404, f"no story {story_id} (stories merged into another one disappear)")
    return _render(request, "story.html", {"story": found})


def article(request: Request) -> Response:
    article_id = int(request.path_params["article_id"])
    with _sessions(request)() as session:
        found = browse.article(session, article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id}")
    return _render(request, "article.html", {"article": found})


# --------------------------------------------------------------------------- alerts


def alerts(request: Request) -> Response:
    params = request.query_params
    chosen = {k: params.get(k, "") for k in ("channel", "status", "kind")}
    with _sessions(request)() as session:
        counts = browse.delivery_counts(session)
        rows = browse.deliveries(session, chosen["channel"] or None, chosen["status"] or None, chosen["kind"] or None)
        pending, oldest = browse.pending_queue(session)
    statuses = sorted({str(s) for c in counts.values() for s in c} | {str(s) for s in DeliveryStatus})
    return _render(
        request,
        "alerts.html",
        {
            "counts": counts,
            "statuses": statuses,
            "deliveries": rows,
            "chosen": chosen,
            "pending": pending,
            "oldest": oldest,
            "kinds": ("instant", "update", "digest", "system", "test"),
        },
    )


def delivery(request: Request) -> Response:
    delivery_id = request.path_params["delivery_id"]
    with _sessions(request)() as session:
        found = browse.delivery(session, delivery_id)
    if found is None:
        raise HTTPException(404, f"no delivery {delivery_id}")
    return _render(request, "delivery.html", {"d": found})


# --------------------------------------------------------------------------- outlets


def _days(now: datetime) -> list[date]:
    today = now.date()
    return [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]


def outlets(request: Request) -> Response:
    now = _now(request)
    days = _days(now)
    with _sessions(request)() as session:
        rows = browse.outlets(session, now - timedelta(hours=24))
        activity = browse.activity(session, days)
    enabled = {o.slug for o in _config(request).outlets}
    charts = {
        row.slug: activity_chart(activity.get(row.slug, browse.Activity(tuple(days))), row.slug, 300, 110)
        for row in rows
    }
    return _render(request, "outlets.html", {"outlets": rows, "charts": charts, "enabled": enabled})


def outlet(request: Request) -> Response:
    slug = request.path_params["slug"]
    now = _now(request)
    days = _days(now)
    with _sessions(request)() as session:
        row = browse.outlet_by_slug(session, slug)
        if row is None:
            raise HTTPException(404, f"no outlet {slug!r} in the database")
        runs = browse.crawl_runs(session, slug)
        failures = browse.crawl_failures(session, slug)
        activity = browse.activity(session, days).get(slug, browse.Activity(tuple(days)))
    chart = activity_chart(activity, slug, 640, 200)
    return _render(request, "outlet.html", {"outlet": row, "runs": runs, "failures": failures, "chart": chart})


# --------------------------------------------------------------------------- watches


@dataclass(frozen=True)
class BacktestAlert:
    article: browse.ArticleLine
    hit: WatchHit


@dataclass(frozen=True)
class Backtest:
    query: str
    since: str
    scanned: int
    alerts: tuple[BacktestAlert, ...]
    repeats: int  # matches in a story already alerted
    capped: bool  # more articles than BACKTEST_MAX_ARTICLES in the period
    error: str = ""
    error_at: int = -1


def watches(request: Request) -> Response:
    now = _now(request)
    with _sessions(request)() as session:
        counts = browse.watch_match_counts(session, now - timedelta(days=7))
    return _render(request, "watches.html", {"watches": _config(request).watches, "counts": counts})


def watch(request: Request) -> Response:
    cfg = _config(request)
    name = request.path_params["name"]
    found = next((w for w in cfg.watches if w.name == name), None)
    if found is None:
        raise HTTPException(404, f"no watch named {name!r} in the configuration")
    params = request.query_params
    backtest = None
    with _sessions(request)() as session:
        recent = browse.recent_matches(session, name)
        if "query" in params:
            backtest = _backtest(request, session, found, params.get("query", ""), params.get("since", "7d"))
    return _render(
        request,
        "watch.html",
        {
            "watch": found,
            "recent": recent,
            "backtest": backtest,
            "periods": PERIODS,
            "since": params.get("since", "7d"),
        },
    )


def _backtest(request: Request, session: Session, base: WatchConfig, query: str, since: str) -> Backtest:
    """What the query (with the watch's other settings) would have alerted over the stored
    articles of the period, oldest first, one alert per story, as ``run.py backtest``."""
    query = query.strip() or base.query
    try:
        matcher = Matcher.from_config([dataclasses.replace(base, query=query, enabled=True)], _config(request).lists)
    except WatchQueryError as exc:
        return Backtest(query, since, 0, (), 0, False, exc.message, exc.position)
    articles = repository.list_articles(session, limit=BACKTEST_MAX_ARTICLES + 1, since=_since(request, since))
    capped = len(articles) > BACKTEST_MAX_ARTICLES
    found: list[BacktestAlert] = []
    seen: set[int] = set()
    repeats = 0
    for a in reversed(articles[:BACKTEST_MAX_ARTICLES]):
        hits = matcher.match(a.title, a.text, a.language)
        if not hits:
            continue
        if a.story_id in seen:
            repeats += 1
            continue
        seen.add(a.story_id)
        line = browse.ArticleLine(
            a.id, a.story_id, a.outlet.slug, a.language, a.title, a.url, a.published_at, a.created_at
        )
        found.append(BacktestAlert(line, hits[0]))
    scanned = min(len(articles), BACKTEST_MAX_ARTICLES)
    return Backtest(query, since, scanned, tuple(reversed(found)), repeats, capped)


# --------------------------------------------------------------------------- feeds


def all_watches_feed(request: Request) -> Response:
    names = [w.name for w in _config(request).watches if w.enabled]
    return _feed(request, "*", "Newswatch: every watch", names)


def watch_feed(request: Request) -> Response:
    name = request.path_params["name"]
    if not any(w.name == name for w in _config(request).watches):
        raise HTTPException(404, f"no watch named {name!r} in the configuration")
    return _feed(request, name, f"Newswatch: {name}", [name])


def _feed(request: Request, feed: str, title: str, names: list[str]) -> Response:
    with _sessions(request)() as session:
        entries = browse.feed_entries(session, names)
    root = str(request.base_url)
    body = atom_feed(feed, title, entries, str(request.url.remove_query_params("token")), root, _now(request))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


# --------------------------------------------------------------------------- operations


def metrics_text(request: Request) -> Response:
    return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)


def healthz(request: Request) -> Response:
    """200 when the database answers and the daemon, if one runs, ticked recently; else 503."""
    try:
        with _sessions(request)() as session:
            session.execute(text("SELECT 1"))
            alive = heartbeat.liveness(session, _now(request))
    except SQLAlchemyError as exc:
        reason = str(exc).splitlines()[0][:200]
        return JSONResponse({"status": "unavailable", "database": reason}, status_code=503)
    body = {
        "status": "ok" if alive.healthy else "unavailable",
        "database": "ok",
        "daemon": alive.state,
        "daemon_beat_at": alive.beat_at.isoformat() if alive.beat_at else None,
    }
    return JSONResponse(body, status_code=200 if alive.healthy else 503)
