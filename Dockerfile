# monitor: the scheduler, web UI and API in one container.
#
#   docker build -t monitor .
#   docker run -d -p 8000:8000 -v monitor-data:/data \
#       -e MONITOR_WEB_TOKEN="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')" monitor
#
# The server listens on 0.0.0.0 inside the container, so it refuses to start
# without MONITOR_WEB_TOKEN. Settings: mount a monitor.toml at /app/config/ or
# pass MONITOR_<SECTION>_<KEY> variables.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MONITOR_DB=/data/monitor.db \
    MONITOR_WEB_PORT=8000

WORKDIR /app

# Dependencies first (from pyproject.toml alone), so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir monitor \
    && touch monitor/__init__.py \
    && pip install --no-cache-dir . \
    && pip uninstall --yes monitor \
    && rm -r monitor

COPY monitor ./monitor
COPY config ./config
RUN pip install --no-cache-dir --no-deps . \
    && groupadd --system --gid 10001 monitor \
    && useradd --system --uid 10001 --gid monitor --home-dir /app --shell /usr/sbin/nologin monitor \
    && mkdir -p /data \
    && chown 10001:10001 /data

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('MONITOR_WEB_PORT', '8000'), timeout=4)"]

CMD ["monitor", "serve", "--host", "0.0.0.0"]
