"""The names the roles share in PostgreSQL: the task queues and the ingest lane's advisory lock.

A leaf of ``cluster`` (no imports), so ``status`` can read the cluster's state without importing
the roles (the task queue, the ingest lane and what they import cost about 0.7 s at start-up)."""

CRAWL_QUEUE = "crawl"  # the crawl jobs (worker role)
CONTROL_QUEUE = "control"  # ticks, recovery, health, digests and cleanup (control role)
QUEUES = (CRAWL_QUEUE, CONTROL_QUEUE)  # every queue the roles use: status shows each, idle or not
INGEST_KEY = 0x4E774967  # "NwIg": the advisory lock held by the active ingest process
