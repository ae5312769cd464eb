"""Celery entry point: ``celery -A hub.worker worker`` (or ``hub worker``)."""

from hub import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
