"""Celery entry point: ``celery -A hub.worker worker`` (or ``hub worker``), and
``celery -A hub.worker beat`` for the periodic jobs of ``hub.extensions.beat_schedule``."""

from hub import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
