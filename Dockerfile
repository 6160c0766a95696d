# Hearth in a container: `hearth run` as an unprivileged user, the SQLite database in the /data
# volume, /healthz and /metrics on port 9464, the web pages on 8470.
#   docker build -t hearth .
#   docker run -d --name hearth --restart unless-stopped --stop-timeout 45 \
#     --env-file .env -v hearth-data:/data -p 127.0.0.1:8470:8470 hearth
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Only what the package needs (.dockerignore keeps out tests, docs, .env and databases).
COPY pyproject.toml README.md /tmp/hearth/
COPY bot /tmp/hearth/bot
COPY adapters /tmp/hearth/adapters
COPY storage /tmp/hearth/storage
COPY prompts /tmp/hearth/prompts
RUN pip install /tmp/hearth && rm -rf /tmp/hearth

RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /data hearth \
    && mkdir /data && chown hearth:hearth /data
VOLUME /data
WORKDIR /data

# Inside the container Hearth listens on every interface; `docker run -p` decides who reaches
# it (publish 8470 on 127.0.0.1 and put a reverse proxy with TLS in front, as without Docker).
ENV HEARTH_DATABASE=/data/hearth.db \
    HEARTH_HTTP_LISTEN=0.0.0.0:9464 \
    HEARTH_WEB_ADDRESS=0.0.0.0:8470
EXPOSE 9464 8470

USER hearth

# /healthz answers 200 while the database answers and every platform is connected, 503 if not.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ['HEARTH_HTTP_LISTEN'].rpartition(':')[2]; urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"]

# `docker stop` sends SIGTERM: Hearth finishes what it is doing and exits cleanly.
STOPSIGNAL SIGTERM
ENTRYPOINT ["hearth"]
CMD ["run"]
