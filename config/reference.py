"""README's configuration table, rendered from the sections' ``setting()`` metadata.

``scripts/config_table.py`` writes it into README; a test fails when README differs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from config.schema import Duration, describe_limit, show_value
from config.sections import (
    AlertsConfig,
    ClusterConfig,
    CrawlerConfig,
    DedupConfig,
    HealthConfig,
    OutletConfig,
    ScheduleConfig,
    StorageConfig,
    WatchConfig,
    WebConfig,
)

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
    ("[cluster]", ClusterConfig),
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
    return f"`{show_value(value, spec)}`" if isinstance(value, (Duration, bool)) else show_value(value, spec)


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
