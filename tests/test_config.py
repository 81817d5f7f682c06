"""Configuration: the shipped file loads, and every kind of mistake is one clear line, exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from alerts.channels import CONFIG_TYPES
from alerts.channels.webhook import WebhookChannelConfig
from config import ConfigError, Duration, load_config, parse_duration
from tests.helpers import ROOT, RunCli, make_config


def test_shipped_config_loads_with_all_presets(tmp_path: Path, run_cli: RunCli) -> None:
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}"}
    assert run_cli("--config", str(ROOT / "config.toml"), "db", "upgrade", env=env).returncode == 0
    result = run_cli("--config", str(ROOT / "config.toml"), "status", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert "qdnd" in result.stdout and "bernama-bm" in result.stdout


def test_typo_in_key_exits_2_naming_the_key(tmp_path: Path, run_cli: RunCli) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[crawler]\ndownload_dely = "2s"\n')
    result = run_cli("--config", str(cfg), "status")
    assert result.returncode == 2
    assert "crawler.download_dely" in result.stderr
    assert "unknown key" in result.stderr
    assert str(cfg) in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_password_env_exits_2_naming_the_key(tmp_path: Path, run_cli: RunCli) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(
        '[channels.email]\ntype = "smtp"\nhost = "127.0.0.1"\nsender = "a@example.org"\n'
        'to = ["b@example.org"]\npassword_env = "NEWSWATCH_TEST_UNSET_PASSWORD"\n'
    )
    result = run_cli("--config", str(cfg), "status")
    assert result.returncode == 2
    assert "channels.email.password_env" in result.stderr
    assert "NEWSWATCH_TEST_UNSET_PASSWORD" in result.stderr


def test_secret_is_read_from_the_named_variable() -> None:
    cfg = make_config(
        {"channels": {"hook": {"type": "webhook", "url": "http://127.0.0.1:9/", "secret_env": "HOOK_SECRET"}}},
        env={"HOOK_SECRET": "s3cret"},
    )
    channel = cfg.channels["hook"]
    assert isinstance(channel, WebhookChannelConfig)
    assert channel.secret == "s3cret"
    assert "s3cret" not in repr(channel)


@pytest.mark.parametrize(
    ("data", "key", "words"),
    [
        ({"crawler": {"timeout": "soon"}}, "crawler.timeout", "duration"),
        ({"crawler": {"retries": "3"}}, "crawler.retries", "whole number"),
        ({"crawler": {"obey_robots": 1}}, "crawler.obey_robots", "true or false"),
        ({"outlets": {"enabled": ["nosuch"]}}, "outlets.enabled[0]", "nosuch"),
        ({"outlets": {"enabled": ["mine"], "mine": {"name": "x"}}}, "outlets.mine.base_url", "missing"),
        ({"watches": {"w": {"query": "a", "channels": ["nope"]}}}, "watches.w.channels[0]", "nope"),
        ({"watches": {"w": {"query": "a", "mode": "weekly"}}}, "watches.w.mode", "weekly"),
        ({"channels": {"c": {"type": "pigeon"}}}, "channels.c.type", "pigeon"),
        ({"channels": {"c": {"url": "http://127.0.0.1:9/"}}}, "channels.c.type", "smtp, webhook, apprise"),
        ({"channels": {"c": {"type": "webhook", "url": "u", "timeout": "soon"}}}, "channels.c.timeout", "duration"),
        ({"channels": {"c": {"type": "smtp", "host": "h", "sender": "a@b"}}}, "channels.c.to", "missing"),
        ({"unknown_section": {}}, "unknown_section", "unknown key"),
        ({"cluster": {"stall_timeout": "2s", "heartbeat": "1s"}}, "cluster.stall_timeout", "at least 3 heartbeats"),
        ({"cluster": {"heartbeat": "0s"}}, "cluster.heartbeat", "expected 100ms to 1m, got 0s"),
        ({"cluster": {"stalled_after": "10s"}}, "cluster.stalled_after", "heartbeat, stall_timeout"),
    ],
)
def test_config_errors_name_the_key(data: dict[str, Any], key: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        make_config(data)
    assert info.value.key == key
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("table", "key", "message"),
    [
        ('type = "pigeon"', "channels.alerts.type", "expected one of smtp, webhook, apprise, got 'pigeon'"),
        (
            'type = "webhook"\nurl = "http://127.0.0.1:9/"\nsecrets_env = "X"',
            "channels.alerts.secrets_env",
            "unknown key (expected one of: secret_env, timeout, unsigned, url)",
        ),
    ],
)
def test_channel_mistakes_are_one_line_naming_file_and_key(tmp_path: Path, table: str, key: str, message: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(f"[channels.alerts]\n{table}\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg, env={}, channel_types=CONFIG_TYPES)
    assert str(info.value) == f"{cfg}: {key}: {message}"


def test_user_defined_outlet_and_preset_override() -> None:
    cfg = make_config(
        {
            "outlets": {
                "enabled": ["qdnd", "mine"],
                "qdnd": {"base_url": "http://127.0.0.1:8080"},
                "mine": {
                    "name": "Mine",
                    "base_url": "https://news.example.org",
                    "language": "ms",
                    "timezone": "Asia/Kuala_Lumpur",
                    "feeds": ["/rss.xml"],
                    "article_pattern": r"^/\d+$",
                },
            }
        }
    )
    assert cfg.outlet("qdnd").base_url == "http://127.0.0.1:8080"
    assert cfg.outlet("qdnd").quirks == ("cookie_gate",)  # the rest of the preset is kept
    assert cfg.outlet("mine").feeds == ("/rss.xml",)


def test_database_url_from_environment_wins() -> None:
    cfg = make_config({"storage": {"database_url": "sqlite:///a.db"}}, env={"NEWSWATCH_DATABASE_URL": "sqlite:///b.db"})
    assert cfg.storage.database_url == "sqlite:///b.db"


def test_durations() -> None:
    assert parse_duration("90s") == 90.0
    assert parse_duration("1h30m") == 5400.0
    assert parse_duration("7d") == 7 * 86400.0
    with pytest.raises(ValueError):
        parse_duration("10 minutes")


def outlet_table(**keys: Any) -> dict[str, Any]:
    table = {
        "name": "Mine",
        "base_url": "https://news.example.org",
        "timezone": "Asia/Kuala_Lumpur",
        "feeds": ["/rss.xml"],
        "article_pattern": r"^/\d+$",
    }
    return {"outlets": {"enabled": ["mine"], "mine": {**table, **keys}}}


@pytest.mark.parametrize(
    ("keys", "key", "words"),
    [
        ({"language": "xx"}, "outlets.mine.language", "unknown language 'xx' (expected one of: ar, de, en, "),
        ({"languages": ["en", "bm"]}, "outlets.mine.languages[1]", "unknown language 'bm'"),
        ({"language_by_path": {"/bm/": "malay"}}, "outlets.mine.language_by_path./bm/", "unknown language 'malay'"),
        ({"language_by_path": {"bm/": "ms"}}, "outlets.mine.language_by_path.bm/", "starting with '/'"),
        ({"language": "en", "languages": ["en", "ms"]}, "outlets.mine.languages", "either language"),
        ({"languages": "en ms"}, "outlets.mine.languages[0]", "unknown language 'en ms'"),
        ({"download_delay": "-1s"}, "outlets.mine.download_delay", "not a duration"),
        ({"download_delay": "2h"}, "outlets.mine.download_delay", "expected 0s to 1h, got 2h"),
        ({"concurrency": 0}, "outlets.mine.concurrency", "expected 1 to 32, got 0"),
        ({"concurrency": 2.5}, "outlets.mine.concurrency", "whole number"),
        ({"user_agent": "Bot\r\nX-Evil: 1"}, "outlets.mine.user_agent", "printable text on one line"),
    ],
)
def test_outlet_language_and_politeness_mistakes_name_the_key(keys: dict[str, Any], key: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        make_config(outlet_table(**keys))
    assert info.value.key == key
    assert words in str(info.value)


def test_a_watch_language_we_do_not_read_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        make_config({"watches": {"w": {"query": "navy", "languages": ["en", "vn"]}}})
    assert info.value.key == "watches.w.languages[1]" and "unknown language 'vn'" in str(info.value)


def test_unknown_language_in_the_file_exits_2_with_the_supported_codes(tmp_path: Path, run_cli: RunCli) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(
        '[outlets]\nenabled = ["mine"]\n[outlets.mine]\nname = "Mine"\nbase_url = "https://news.example.org"\n'
        'language = "xx"\ntimezone = "UTC"\nfeeds = ["/rss.xml"]\narticle_pattern = "^/"\n'
    )
    result = run_cli("--config", str(cfg), "status")
    assert result.returncode == 2
    assert f"{cfg}: outlets.mine.language: unknown language 'xx' (expected one of: " in result.stderr
    assert " ms, " in result.stderr and " vi" in result.stderr and "Traceback" not in result.stderr


def test_a_multilingual_outlet_declares_languages_by_path_or_a_set_to_detect_among() -> None:
    cfg = make_config(outlet_table(languages=["en", "ms"], language_by_path={"/bm/": "ms", "/bm/en/": "en"}))
    mine = cfg.outlet("mine")
    assert mine.languages_at("https://news.example.org/bm/berita/1") == ("ms",)
    assert mine.languages_at("https://news.example.org/bm/en/news/1") == ("en",)  # the longest prefix
    assert mine.languages_at("https://news.example.org/world/1") == ("en", "ms")  # detected among these
    assert mine.declared_languages == ("en", "ms")
    undeclared = make_config(outlet_table()).outlet("mine")
    assert undeclared.languages_at("https://news.example.org/1") == ()  # any language we read


def test_your_languages_replace_a_presets_language() -> None:
    cfg = make_config({"outlets": {"enabled": ["bernama-bm"], "bernama-bm": {"languages": ["ms", "en"]}}})
    assert cfg.outlet("bernama-bm").language == ""
    assert cfg.outlet("bernama-bm").languages_at(cfg.outlet("bernama-bm").base_url + "/x") == ("ms", "en")


def test_an_outlets_politeness_defaults_to_the_crawler_settings() -> None:
    cfg = make_config(
        {
            "crawler": {"download_delay": "2s", "concurrency_per_domain": 4, "user_agent": "Global/1"},
            "outlets": {
                **outlet_table(download_delay="0s", user_agent="Mine/1")["outlets"],
                "enabled": ["mine", "qdnd"],
            },
        }
    )
    mine = cfg.crawler.for_outlet(cfg.outlet("mine"))
    assert (mine.download_delay, mine.concurrency_per_domain, mine.user_agent) == (Duration(0), 4, "Mine/1")
    preset = cfg.crawler.for_outlet(cfg.outlet("qdnd"))
    assert (preset.download_delay, preset.concurrency_per_domain, preset.user_agent) == (Duration(2), 4, "Global/1")
