"""Storage: the database schema, the ingest path, deduplication and repository functions.

The database is the seam between crawling and alerting: ``crawler`` and ``alerts`` import
this package, and this package imports neither.
"""
