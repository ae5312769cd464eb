"""Celery tasks: primitive ids in, one service call, idempotent (warehouse tasks)."""
