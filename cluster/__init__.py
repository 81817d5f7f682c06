"""Cluster mode: Newswatch's jobs on a PostgreSQL task queue (procrastinate), shared by
processes on many machines. Its schema comes from our migrations (0007), never from
procrastinate's own ``schema --apply``. Part of the composition root: it may wire any package."""
