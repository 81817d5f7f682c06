"""The development duplicate groups (real texts) through the real ingest path, and the
``stories`` command as a user runs it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from storage import db
from storage.dedup.index import StoryIndex
from storage.ingest import Ingestor
from storage.records import ArticleRecord
from tests.helpers import RunCli, shared_path
from tests.storage.dedup_cases import COPY, NEXT_WEEK, T0, VIETNAMESE, WIRE

SAME_LANGUAGE = {"syndicated_near_identical", "mirror_different_host", "same_story_partial_wire_reuse"}


def test_devset_copies_merge_and_look_alikes_stay_apart(sqlite_url: str) -> None:
    groups = [json.loads(p.read_text()) for p in sorted(shared_path("devsets", "duplicates").glob("*.json"))]
    db.upgrade(sqlite_url)
    ingestor = Ingestor(db.session_factory(db.make_engine(sqlite_url)), index=StoryIndex())
    when = datetime(2024, 1, 10, tzinfo=UTC)  # one day for all: only the texts tell them apart
    stories: dict[str, list[int | None]] = {}
    for group in groups:
        for i, m in enumerate(group["members"]):
            host = urlsplit(m["source"]).hostname or "example.org"
            result = ingestor.ingest(
                ArticleRecord(
                    url=f"https://{host}/{group['group_id']}/{i}",
                    title=m.get("title") or "",
                    text=m["text"],
                    outlet=host,
                    language=m["lang"],
                    published_at=when,
                )
            )
            assert result.status == "stored"
            stories.setdefault(group["group_id"], []).append(result.story_id)
    kinds = {g["group_id"]: g["dup_type"] for g in groups}
    for gid, ids in stories.items():
        if kinds[gid] in SAME_LANGUAGE:
            assert len(set(ids)) == 1, f"{gid} ({kinds[gid]}) was split: {ids}"
        if kinds[gid] == "hard_negative_not_duplicate":
            assert len(set(ids)) == len(ids), f"{gid}: different events were merged"
    # No story holds articles of two different groups.
    owner: dict[int | None, str] = {}
    for gid, ids in stories.items():
        for sid in ids:
            assert owner.setdefault(sid, gid) == gid, f"story {sid} mixes {owner[sid]} and {gid}"


def write_jsonl(path: Path, items: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items))
    return path


def test_stories_command_lists_each_story_with_its_outlets(tmp_path: Path, run_cli: RunCli) -> None:
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}"}

    def item(url: str, text: str, outlet: str, lang: str, hours: float) -> dict[str, str]:
        at = (T0 + timedelta(hours=hours)).isoformat()
        return {
            "url": url,
            "title": text.split("\n")[0][:60],
            "text": text,
            "outlet": outlet,
            "language": lang,
            "published_at": at,
        }

    first = write_jsonl(tmp_path / "a.jsonl", [item("https://www.bernama.com/en/1", WIRE, "bernama-en", "en", 0)])
    later = write_jsonl(
        tmp_path / "b.jsonl",
        [
            item("https://thesun.my/local/1", COPY, "thesun", "en", 3),
            item("https://vietnamplus.vn/1", VIETNAMESE, "vietnamplus", "vi", 6),
            item("https://www.bernama.com/en/2", NEXT_WEEK, "bernama-en", "en", 24 * 7),
        ],
    )
    # Two separate runs: the second process loads the index from the database.
    assert run_cli("import", str(first), env=env).returncode == 0
    result = run_cli("import", str(later), env=env)
    assert result.returncode == 0, result.stderr

    listed = run_cli("stories", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    stories = [json.loads(line) for line in listed.stdout.splitlines()]
    by_size = sorted(stories, key=lambda s: len(s["articles"]))
    assert [len(s["articles"]) for s in by_size] == [1, 3]
    assert by_size[0]["articles"][0]["url"] == "https://www.bernama.com/en/2"
    merged = by_size[1]["articles"]
    assert [(a["outlet"], a["language"]) for a in merged] == [
        ("bernama-en", "en"),
        ("thesun", "en"),
        ("vietnamplus", "vi"),
    ]
    keys = {"id", "url", "outlet", "language", "title", "published_at", "joined_by"}
    assert all(set(a) == keys for a in merged)
    assert merged[0]["joined_by"] is None and merged[1]["joined_by"]["route"]  # why each later one joined

    text = run_cli("stories", env=env)
    assert text.returncode == 0 and "bernama-en, thesun, vietnamplus" in text.stdout
    assert run_cli("stories", "--since", "1h", env=env).stdout.count("story ") == 2  # both updated just now
