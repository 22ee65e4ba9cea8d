# The dbconsole application image used by docker-compose.yml (web, worker, beat, migrate).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DBCONSOLE_HOME=/var/lib/dbconsole \
    DBCONSOLE_STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY pyproject.toml README.md manage.py ./
COPY pgsql pgsql
COPY dbconsole dbconsole
COPY monitoring monitoring
COPY advisor advisor
COPY alerts alerts
COPY api api
COPY templates templates
COPY static static
RUN pip install --no-cache-dir . \
    && useradd --system --create-home --home-dir /var/lib/dbconsole dbconsole \
    && DATABASE_URL=postgresql://build@localhost/build DBCONSOLE_SECRET_KEY=build-only-not-a-secret-0123456789abcdef \
       DBCONSOLE_FERNET_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= python manage.py collectstatic --noinput
USER dbconsole
EXPOSE 8000
CMD ["gunicorn", "dbconsole.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--workers", "3", "--threads", "4", "--no-control-socket"]
