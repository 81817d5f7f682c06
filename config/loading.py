"""Reading ``config.toml`` (or a dict) into a ``Config``: every rule of the file, checked once.

Rules the parser enforces, each as one ``ConfigError`` naming the file, the key and what was
expected: unknown keys, wrong types, bad durations, numbers outside a key's documented range,
unknown outlet presets, watches that name undefined channels, language codes Newswatch does not
read (``language/data/languages.toml``), ``*_env`` keys naming environment
variables that are not set, and whatever a dataclass's own ``validate()`` refuses (it raises
``InvalidValue(key, message)``; the channel dataclasses use it for ports, addresses, URL schemes
and transport security). Secrets are never written in the file: a key ending in ``_env`` names
the variable that holds it. Nothing here reads the environment except the mapping it is given.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.errors import ConfigError, InvalidValue
from config.schema import Duration, describe_limit, parse_duration, show_value
from config.sections import (
    AlertsConfig,
    ChannelConfig,
    ClusterConfig,
    Config,
    CrawlerConfig,
    DedupConfig,
    HealthConfig,
    OutletConfig,
    ScheduleConfig,
    StorageConfig,
    WatchConfig,
    WebConfig,
)
from language import languages

DEFAULT_CONFIG_PATH = "config.toml"

# Database dialects and the drivers requirements.lock ships for them ("" = the dialect's default).
SHIPPED_DRIVERS: Mapping[str, frozenset[str]] = {
    "sqlite": frozenset({"", "pysqlite"}),
    "postgresql": frozenset({"psycopg"}),
}
SHIPPED_DATABASE_URLS = ("sqlite:///PATH", "postgresql+psycopg://USER@HOST/DB")
# An outlet declares one language or several; a table of yours replaces the preset's choice.
_ONE_OR_SEVERAL = ("language", "languages")


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
        "alerts", "schedule", "dedup", "health", "web", "cluster",
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
    enabled, available = p.outlets(data.get("outlets", {}), presets or {})
    crawler = p.dataclass(CrawlerConfig, data.get("crawler", {}), "crawler")
    p.check_user_agent(crawler.user_agent, "crawler.user_agent")
    return Config(
        path=path,
        storage=storage,
        crawler=crawler,
        outlets=enabled,
        lists=lists,
        watches=watches,
        channels=channels,
        alerts=alerts,
        schedule=p.dataclass(ScheduleConfig, data.get("schedule", {}), "schedule"),
        dedup=dedup,
        health=p.dataclass(HealthConfig, data.get("health", {}), "health"),
        web=p.dataclass(WebConfig, data.get("web", {}), "web"),
        cluster=p.dataclass(ClusterConfig, data.get("cluster", {}), "cluster"),
        available=available,
        outlet_tables=frozenset(k for k in p.table(data.get("outlets", {}), "outlets") if k != "enabled"),
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
        hints = _type_hints(cls)
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
            shown = show_value(value, spec)
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

    def outlets(
        self, data: Any, presets: Mapping[str, Mapping[str, Any]]
    ) -> tuple[tuple[OutletConfig, ...], tuple[OutletConfig, ...]]:
        """The enabled outlets, and every declared one (presets and ``[outlets.<name>]`` tables,
        enabled or not). A declared outlet is checked whether it is enabled or not, so the
        mistake in an outlet being tried with ``outlets check`` is found as early as any other."""
        data = self.table(data, "outlets")
        enabled = self.value(tuple[str, ...], data.get("enabled", []), "outlets.enabled")
        declared = {k: v for k, v in data.items() if k != "enabled"}
        for slug in declared:
            self.table(declared[slug], f"outlets.{slug}")
        for i, slug in enumerate(enabled):
            if slug not in presets and slug not in declared:
                known = ", ".join(sorted(set(presets) | set(declared))) or "none"
                self.fail(
                    f"outlets.enabled[{i}]",
                    f"no preset or [outlets.{slug}] table named {slug!r} (known: {known})",
                )
        if len(set(enabled)) != len(enabled):
            self.fail("outlets.enabled", "lists an outlet twice")
        available: dict[str, OutletConfig] = {}
        # The enabled ones first, so their mistakes are reported before a disabled outlet's.
        for slug in dict.fromkeys([*enabled, *presets, *declared]):
            own = declared.get(slug, {})
            preset = presets.get(slug, {})
            if any(key in own for key in _ONE_OR_SEVERAL):  # your language keys replace the preset's
                preset = {k: v for k, v in preset.items() if k not in _ONE_OR_SEVERAL}
            merged = {**preset, **own}
            outlet = self.dataclass(OutletConfig, merged, f"outlets.{slug}", slug=slug)
            self.check_outlet(outlet, f"outlets.{slug}")
            available[slug] = outlet
        ordered = [*presets, *(slug for slug in declared if slug not in presets)]
        return tuple(available[slug] for slug in enabled), tuple(available[slug] for slug in ordered)

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
        if outlet.language and outlet.languages:
            self.fail(f"{where}.languages", "set either language (one) or languages (several), not both")
        self.check_languages(outlet.language, f"{where}.language")
        for i, code in enumerate(outlet.languages):
            self.check_languages(code, f"{where}.languages[{i}]")
        for prefix, code in outlet.language_by_path.items():
            key = f"{where}.language_by_path.{prefix}"
            if not prefix.startswith("/"):
                self.fail(key, f"expected a URL path starting with '/', got {prefix!r}")
            self.check_languages(code, key)
        self.check_user_agent(outlet.user_agent, f"{where}.user_agent")
        if not (outlet.feeds or outlet.sitemaps or outlet.listings):
            self.fail(where, "expected at least one of feeds, sitemaps or listings")
        try:
            ZoneInfo(outlet.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(
                f"{where}.timezone", f"expected an IANA time zone such as 'Asia/Ho_Chi_Minh', got {outlet.timezone!r}"
            )

    def check_languages(self, code: str, key: str) -> None:
        """A language code must be one Newswatch reads (``language/data/languages.toml``)."""
        if code and code not in languages():
            known = ", ".join(sorted(languages()))
            self.fail(key, f"unknown language {code!r} (expected one of: {known})")

    def check_user_agent(self, agent: str, key: str) -> None:
        if any(not ch.isprintable() for ch in agent):
            self.fail(key, f"expected printable text on one line, got {agent!r}")

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
            for i, code in enumerate(watch.languages):
                self.check_languages(code, f"{where}.languages[{i}]")
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


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    """A configuration dataclass's field types, resolved once per class (seven outlets and each
    channel would resolve them again at every load)."""
    return typing.get_type_hints(cls)
