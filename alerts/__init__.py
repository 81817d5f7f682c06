"""Alerts: watch queries and matching, the outbox, channels and dispatch."""
