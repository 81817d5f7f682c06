"""Newswatch configuration: ``config.toml`` parsed once into frozen dataclasses.

One concept a module:

- ``errors``: ``ConfigError`` (one line for the user) and ``InvalidValue`` (from ``validate()``);
- ``schema``: durations and ``setting()``, a key's default, documentation and accepted range;
- ``sections``: one frozen dataclass per section of the file, defaults in code;
- ``loading``: ``load_config`` and ``config_from_dict``, the parser that enforces every rule;
- ``reference``: README's configuration table, rendered from the same fields.

Nothing here runs at import time: ``load_config`` reads the file and the environment it is
given, and tests build a configuration from a dict with ``config_from_dict``. The package
imports only ``language`` of ours (the languages an outlet or a watch may name); channel
dataclasses are handed in by the caller.
"""

from __future__ import annotations

from config.errors import ConfigError, InvalidValue
from config.loading import (
    DEFAULT_CONFIG_PATH,
    SHIPPED_DATABASE_URLS,
    SHIPPED_DRIVERS,
    config_from_dict,
    load_config,
)
from config.reference import reference_table
from config.schema import Duration, Limit, describe_limit, format_duration, parse_duration, setting
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

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "SHIPPED_DATABASE_URLS",
    "SHIPPED_DRIVERS",
    "AlertsConfig",
    "ChannelConfig",
    "ClusterConfig",
    "Config",
    "ConfigError",
    "CrawlerConfig",
    "DedupConfig",
    "Duration",
    "HealthConfig",
    "InvalidValue",
    "Limit",
    "OutletConfig",
    "ScheduleConfig",
    "StorageConfig",
    "WatchConfig",
    "WebConfig",
    "config_from_dict",
    "describe_limit",
    "format_duration",
    "load_config",
    "parse_duration",
    "reference_table",
    "setting",
]
