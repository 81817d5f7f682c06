"""Hand-written sandbox articles, placed relative to the sandbox's ``now`` (``hours_ago``).

Written for this project, not copied: realistic in shape and language for each outlet. They
hold on-topic Vietnam–Malaysia defence and maritime stories, the same stories syndicated
across outlets (Bernama -> theSun, Bernama EN <-> BM, VNA on vietnamnews and vietnamplus,
qdnd <-> en.qdnd.vn), hard negatives the default watch must not fire on (football, trade,
tourism, a third country's defence ties with Malaysia only listed, Indonesia's seizures),
ordinary news, and a few articles older than four days. ``on_topic`` is the label that
``tests/sandbox`` checks against the shipped default watch.
"""

from __future__ import annotations

from sandbox.model import Story
from sandbox.stories import bernama_bm, bernama_en, qdnd, qdnd_en, thesun, vietnamnews, vietnamplus

STORIES: list[Story] = [
    *qdnd.STORIES,
    *qdnd_en.STORIES,
    *vietnamnews.STORIES,
    *bernama_en.STORIES,
    *bernama_bm.STORIES,
    *thesun.STORIES,
    *vietnamplus.STORIES,
]
