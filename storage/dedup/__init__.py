"""Deduplication: which existing story (if any) a new article joins.

Ingest (``storage.ingest``) has already refused exact duplicates (canonical URL, normalised
body). This package finds the rest, precision first, because merging two different events
suppresses an alert:

* **Near duplicates** (syndicated wire copy with a new headline, byline, dateline, a local
  paragraph, light edits; mirrors). Candidates come from an in-memory index of sampled
  shingle hashes (``shingles.sample_keys``); each candidate is then *verified* on the stored
  texts: word-shingle containment of at least ``MIN_CONTAINMENT`` (or of
  ``MIN_CONTAINMENT_WITH_FACTS`` when both also give the same date and two names).
* **Rewrites** (an outlet's own lead and wording around reused wire sentences: too little
  shared text for a near duplicate). Candidates share at least ``MIN_SHARED_ANCHORS_REWRITE``
  names and numbers (the anchor index); a merge needs a reused sentence (a run of
  ``MIN_REUSED_RUN`` words found in the other text), ``MIN_SHARED_ENTITIES`` people or places
  in common, a figure, date or weekday in common, and most figures agreeing.
* **Vetoes** keep look-alike reports of different events apart (the same template reused a
  week later): both texts give calendar dates and share none, or weekdays and share none
  (always, however similar the texts); below ``NEAR_IDENTICAL``, also figures that differ in
  the same wording (``with 29 crew`` / ``with 31 crew``) or for the same thing whatever the
  wording (``105 nautical miles`` / ``94 nautical miles``) more often than they agree; and
  (always, in every language) another partner country: each text's most-named foreign country
  is one the other never names (talks with India, talks with Australia).
* **The same event in another language**, by anchors: candidates share translation-proof
  anchors (proper names without diacritics, numbers); a merge needs an explicit common date
  with two specific names and a number, or three numbers (``rules.same_event``), and none of
  the vetoes of ``semantic.veto``, within ``CROSS_LANGUAGE_WINDOW``. Works without the model.
* **The same event written independently** (another outlet's own report, a translation), by
  meaning: title-and-lead embeddings (``embedding``) close enough, then the general guards of
  ``semantic.judge`` (shared specific names or figures; no conflicting dates, weekdays,
  partner country or figures; never two articles of one outlet in one language). In two
  languages, when only the leads' similarity falls short, the shorter text's lead is also
  compared with the longer text from each of its paragraphs on (a partial translation that
  starts at the original's third paragraph: ``embedding.passages``).
* **Dropped exact copies** (``StoryIndex.copy_seen``): the outlet family of a copy refused by
  ingest is added to the stored article it copies, and the copy may bridge stories like a new
  article.

Only articles published within ``dedup.window`` of each other can merge.

The modules, from text to verdict:

* ``shingles``: words and shingles of a text, the sampled index keys (same-language copies);
* ``evidence``: names, numbers, dates, weekdays, partner countries, terms (``Signals``, stored
  as ``articles.signals``), figures by wording and unit; pure functions;
* ``fingerprint``: the binary record stored as ``articles.fingerprint``;
* ``rules``: the thresholds and decisions (copy, rewrite, same event, veto); pure functions;
* ``model``: which embedding model, and whether it can be used here, without loading it;
* ``embedding``: the sentence-embedding model (loaded once per process) and stored vectors;
* ``semantic``: the semantic route's guards (``judge``, ``veto``, what they read of an article:
  ``Side``) and the window's vectors (``SemanticIndex``);
* ``postings``: the index's posting lists (shingle and anchor keys -> the articles holding them);
* ``meaning``: the meaning route (``MeaningRoute``: the closest vectors, each put to ``judge``;
  the passage vectors it keeps);
* ``index``: ``StoryIndex``, the in-memory candidate index, the other routes and the assignment
  ingest calls.

The package itself imports none of them: ``status`` reads ``model`` without numpy or the index.

Reads ``dedup.window``, ``dedup.semantic`` and ``dedup.model`` through what run.py passes to
``StoryIndex`` (the window, the loaded ``Embedder``, which articles are worth embedding).
"""
