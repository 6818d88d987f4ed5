# Oncology Portal — production image. Mirrors the README: install, collectstatic, gunicorn.
# Migrations and data loading are run once per release, not at start-up:
#   docker run --rm -e DATABASE_URL=… -e DJANGO_SECRET_KEY=… -e DJANGO_ALLOWED_HOSTS=… IMAGE \
#       sh -c "python manage.py migrate --noinput && python manage.py load_portal_data"
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8000

WORKDIR /app
RUN useradd --create-home --uid 10001 portal

COPY pyproject.toml README.md ./
COPY oncology_portal ./oncology_portal
COPY departments ./departments
COPY trials ./trials
RUN pip install .

COPY manage.py gunicorn.conf.py ./
COPY templates ./templates
COPY static ./static
COPY fixtures ./fixtures
COPY locale ./locale

# The Chinese message catalogue, compiled in pure Python (polib; no gettext in the image).
RUN python -m oncology_portal.catalogues

# collectstatic needs settings; a throwaway key is used only for this build step.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

USER portal
EXPOSE 8000
# Liveness: the process answers (touches neither database nor cache); load balancers probe
# /health/ready/ (database and cache) instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live/' % os.environ.get('PORT', '8000'), timeout=4)" || exit 1
# gunicorn.conf.py: threaded workers (WEB_CONCURRENCY processes × GUNICORN_THREADS threads),
# timeouts, graceful restarts, access log with the time taken. Behind nginx (README, Deploying).
CMD ["sh", "-c", "exec gunicorn -c gunicorn.conf.py --bind 0.0.0.0:${PORT} oncology_portal.wsgi"]
