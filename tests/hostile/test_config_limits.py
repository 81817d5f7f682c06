"""Numbers taken at face value: every numeric key is checked against its documented range.

The review's inputs first (each was accepted and misbehaved: a zero interval crawled every two
seconds, a zero dispatch interval spun a core, zero concurrency hung every crawl, a zero response
limit switched the limit off), then the class: for every numeric key of every section, the values
just outside its range, NaN and the infinities are refused with one line naming the key.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import pytest

from alerts.channels import CONFIG_TYPES
from config import (
    AlertsConfig,
    ClusterConfig,
    Config,
    ConfigError,
    CrawlerConfig,
    DedupConfig,
    HealthConfig,
    Limit,
    OutletConfig,
    ScheduleConfig,
    WatchConfig,
    WebConfig,
    reference_table,
)
from scripts.config_table import README, readme_with_table
from tests.helpers import RunCli, make_config

REVIEW_INPUTS = [
    ({"schedule": {"crawl_interval": 0}}, "schedule.crawl_interval"),
    ({"schedule": {"crawl_interval": "0s"}}, "schedule.crawl_interval"),
    ({"schedule": {"crawl_interval": -600}}, "schedule.crawl_interval"),
    ({"schedule": {"dispatch_interval": 0}}, "schedule.dispatch_interval"),
    ({"crawler": {"concurrency_per_domain": 0}}, "crawler.concurrency_per_domain"),
    ({"crawler": {"max_response_bytes": 0}}, "crawler.max_response_bytes"),
    ({"crawler": {"retries": -1}}, "crawler.retries"),
    ({"crawler": {"max_listing_pages": -2}}, "crawler.max_listing_pages"),
    ({"health": {"failures_before_alert": -3}}, "health.failures_before_alert"),
    ({"health": {"silence_factor": math.nan}}, "health.silence_factor"),
    ({"storage": {"database_url": "mysql://root@127.0.0.1/news"}}, "storage.database_url"),
]


@pytest.mark.parametrize(("data", "key"), REVIEW_INPUTS, ids=[k for _, k in REVIEW_INPUTS])
def test_the_review_inputs_are_refused_naming_the_key(data: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        make_config(data)
    assert info.value.key == key
    assert "expected" in info.value.message


def test_a_zero_interval_file_stops_the_program_with_one_line_and_exit_2(tmp_path: Path, run_cli: RunCli) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[schedule]\ncrawl_interval = "0s"\n[health]\nsilence_factor = nan\n')
    result = run_cli("--config", str(cfg), "status")
    assert result.returncode == 2
    assert result.stderr.strip() == f"config error: {cfg}: schedule.crawl_interval: expected 1s to 30d, got 0s"


def test_an_unsupported_database_url_from_the_environment_exits_2_naming_it(tmp_path: Path, run_cli: RunCli) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("")
    result = run_cli("--config", str(cfg), "status", env={"NEWSWATCH_DATABASE_URL": "postgresql://u@127.0.0.1/db"})
    assert result.returncode == 2
    assert "NEWSWATCH_DATABASE_URL" in result.stderr and "postgresql+psycopg" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- the class

OUTLET = {"name": "Mine", "base_url": "http://127.0.0.1:9", "language": "en", "timezone": "UTC",
          "article_pattern": "^/a/", "feeds": ["/rss"]}  # fmt: skip
CHANNELS = {
    "smtp": {"host": "127.0.0.1", "sender": "a@example.org", "to": ["b@example.org"]},
    "webhook": {"url": "http://127.0.0.1:9/hook", "unsigned": True},
}


def _sections() -> list[tuple[type, Any]]:
    """(dataclass, function wrapping one key's table into a whole config) for every section."""
    top = [
        (CrawlerConfig, "crawler"), (ScheduleConfig, "schedule"), (AlertsConfig, "alerts"),
        (DedupConfig, "dedup"), (HealthConfig, "health"), (WebConfig, "web"),
    ]  # fmt: skip
    out: list[tuple[type, Any]] = [(cls, lambda kv, s=section: {s: kv}) for cls, section in top]
    out.append((OutletConfig, lambda kv: {"outlets": {"enabled": ["mine"], "mine": {**OUTLET, **kv}}}))
    out.append((WatchConfig, lambda kv: {"watches": {"w": {"query": "navy", **kv}}}))
    # Each key's range is tried with the other one at the end that lets it hold (a stall timeout is
    # at least 3 heartbeats).
    out.append((ClusterConfig, lambda kv: {"cluster": {"heartbeat": "100ms", "stall_timeout": "1h", **kv}}))
    for kind, base in CHANNELS.items():
        out.append((CONFIG_TYPES[kind], lambda kv, k=kind, b=base: {"channels": {"c": {"type": k, **b, **kv}}}))
    return out


def test_every_section_is_covered_here() -> None:
    covered = {cls for cls, _ in _sections()}
    sections = {f.type for f in dataclasses.fields(Config) if str(f.type).endswith("Config")}
    assert {c.__name__ for c in covered} >= {str(t) for t in sections} - {"StorageConfig"}


def _numeric_fields() -> list[tuple[type, Any, dataclasses.Field[Any]]]:
    found = []
    for cls, wrap in _sections():
        for spec in dataclasses.fields(cls):
            kind = str(spec.type)
            if kind.startswith(("int", "float", "Duration")):
                found.append((cls, wrap, spec))
    return found


NUMERIC = _numeric_fields()
IDS = [f"{cls.__name__}.{spec.name}" for cls, _, spec in NUMERIC]


@pytest.mark.parametrize(("cls", "wrap", "spec"), NUMERIC, ids=IDS)
def test_every_numeric_key_has_a_documented_range(cls: type, wrap: Any, spec: dataclasses.Field[Any]) -> None:
    assert isinstance(spec.metadata.get("limit"), Limit), f"{cls.__name__}.{spec.name} has no range"
    assert spec.metadata.get("doc") is not None


def _outside(limit: Limit, is_int: bool) -> list[float]:
    step = 1 if is_int else 0.001
    values: list[float] = []
    if limit.low is not None:
        values.append(limit.low if limit.above else limit.low - step)
        values.append(-1e9)
    if limit.high is not None:
        values.append(limit.high + step)
        values.append(1e12 if not is_int else 2**62)
    return values


@pytest.mark.parametrize(("cls", "wrap", "spec"), NUMERIC, ids=IDS)
def test_values_outside_the_range_nan_and_infinity_are_refused(
    cls: type, wrap: Any, spec: dataclasses.Field[Any]
) -> None:
    is_int = str(spec.type).startswith("int")
    limit: Limit = spec.metadata["limit"]
    bad: list[Any] = [int(v) if is_int else v for v in _outside(limit, is_int)]
    if not is_int:
        bad += [math.nan, math.inf, -math.inf]
    for value in bad:
        with pytest.raises(ConfigError) as info:
            make_config(wrap({spec.name: value}))
        assert info.value.key.endswith(f".{spec.name}"), (value, info.value)
        assert "expected" in info.value.message and "\n" not in str(info.value)
    # ... and both ends of the range itself are accepted
    for edge in (limit.low, limit.high):
        if edge is not None and not (edge == limit.low and limit.above):
            make_config(wrap({spec.name: int(edge) if is_int else edge}))


@pytest.mark.parametrize(
    "url",
    ["postgresql://u@h/db", "postgresql+psycopg2://u@h/db", "mysql+pymysql://u@h/db", "oracle://u@h", "sqlite:data.db",
     "data/newswatch.db", "", "postgresql+psycopg://", "SQLITE+pysqlcipher:///x.db"],
)  # fmt: skip
def test_database_urls_for_drivers_we_do_not_ship_are_refused(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        make_config({"storage": {"database_url": url}})
    assert info.value.key == "storage.database_url"


@pytest.mark.parametrize(
    "url", ["sqlite:///data/x.db", "sqlite:////abs/x.db", "sqlite+pysqlite:///x.db", "postgresql+psycopg://u@h:5432/db"]
)
def test_database_urls_we_ship_drivers_for_are_accepted(url: str) -> None:
    assert make_config({"storage": {"database_url": url}}).storage.database_url == url


def test_readme_configuration_table_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")
    assert readme_with_table(text) == text, "README's table is stale: run .venv/bin/python scripts/config_table.py"
    assert "| `crawl_interval` | `10m` | 1s to 30d |" in reference_table(CONFIG_TYPES)
