"""The ``worker`` role: a procrastinate worker on the ``crawl`` queue.

Run N of them, on any machines. Each takes one crawl job at a time (a crawl already runs its
outlet's pages concurrently in its own child process, with its own extraction pool).
"""

from __future__ import annotations

from cluster.queue import queue_app, run_queue_worker
from cluster.roles import RoleContext

CRAWL_QUEUE = "crawl"


def run(ctx: RoleContext) -> None:
    app = queue_app(ctx.app.config.storage.database_url)
    run_queue_worker(app, ctx.stop, queues=[CRAWL_QUEUE], name=f"worker {ctx.name}", concurrency=1)
