# Presales CRM image: gunicorn (web), Celery worker and Celery beat all run from it.
# Build: docker compose build   (see docs/deployment.md)

# --- build stage: compile wheels (psycopg2 needs gcc and libpq-dev, the image does not) ---
FROM python:3.11-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libpq-dev \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r /tmp/requirements.txt

# --- runtime stage ------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=presales.settings.production

# WeasyPrint needs Pango and HarfBuzz; libharfbuzz-subset0 must be named (without it CJK PDFs
# fall back to a ~16x slower font subsetter). fonts-noto-cjk renders Chinese in PDFs.
# libpq5 is psycopg2's runtime library.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk libpq5 \
 && rm -rf /var/lib/apt/lists/*

COPY --from=build /wheels /wheels
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --no-index --find-links /wheels -r /tmp/requirements.txt \
 && rm -rf /wheels /tmp/requirements.txt

RUN useradd --system --create-home --uid 10001 --user-group app
WORKDIR /app
COPY --chown=app:app . /app
# var/media is the media volume's mount point: created here so that a new named volume
# starts out owned by the app user.
RUN mkdir -p /app/var/media /app/var/staticfiles && chown -R app:app /app/var
USER app

# Static files are collected into the image. Settings refuse to load without SECRET_KEY and
# DATABASE_URL, so this one command gets throwaway values inline: they are not ENV, so no
# running container ever sees them (production reads the real ones from the env file).
RUN SECRET_KEY=build-time-collectstatic-only DATABASE_URL=sqlite:////tmp/build-only.sqlite3 \
    python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000
# Workers, threads and timeouts: gunicorn.conf.py (WEB_CONCURRENCY, GUNICORN_THREADS, …).
CMD ["gunicorn", "presales.wsgi:application", "--config", "gunicorn.conf.py"]
