"""dbconsole: a web dashboard for PostgreSQL health and optimization."""

from dbconsole.celery import app as celery_app

__all__ = ["celery_app"]
