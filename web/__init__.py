"""The web console: stories, articles, alerts, outlet health and watches in a browser, Atom
feeds per watch, Prometheus metrics and a health check, read-only, over the same database.

Composition-level, like ``run.py``: it reads the database through ``storage`` (``storage.browse``
and ``storage.search``) and runs watch queries through the watch engine's public API (the
backtest form). ``crawler`` and ``storage`` never import it. ``web.app.create_app`` builds the
ASGI application; ``web.server.Console`` serves it (uvicorn), in the foreground for
``run.py serve`` or in a thread of the daemon for ``run.py run --serve``.

Reads ``[web]`` (bind address, credentials, allowed host names), ``[alerts] timezone`` (times
are shown in the reader's zone), ``[watches]``, ``[lists]`` and ``[outlets]``.
"""
