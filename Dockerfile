# syntax=docker/dockerfile:1
# Finnegans image: the dashboard is built with Node, the wheel (dashboard inside) with Python,
# and the runtime holds only Python and the installed wheel: no Node, no compilers, no sources.
#
#   docker build -t finnegans .
#   docker run --rm -p 8000:8000 -v finnegans-data:/data \
#     -e JWT_SECRET=... -e ENCRYPTION_KEYS=... -e PUBLIC_URL=https://chat.example.com finnegans
#
# Base images are pinned to exact versions; pin them by digest too (image@sha256:...) when your
# registry policy asks for byte-for-byte reproducible builds.

# --- 1. the dashboard ------------------------------------------------------------------------
FROM node:20.19.0-bookworm-slim AS web
WORKDIR /build/web
# The lock file alone first, so dependency layers are cached until it changes.
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
# vite writes to ../src/finnegans/web_dist (see web/vite.config.ts).
RUN npm run build

# --- 2. the wheels ---------------------------------------------------------------------------
FROM python:3.11.11-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY pyproject.toml README.md hatch_build.py ./
COPY src/ src/
COPY --from=web /build/src/finnegans/web_dist/ src/finnegans/web_dist/
# hatch_build.py finds the built dashboard and skips npm; the wheel carries it as an artifact.
# Every dependency is built into /wheels too, so the runtime installs offline from them.
RUN pip wheel --wheel-dir /wheels . \
    && python -c "import glob, sys, zipfile; \
names = zipfile.ZipFile(glob.glob('/wheels/finnegans-*.whl')[0]).namelist(); \
sys.exit(0 if 'finnegans/web_dist/index.html' in names else 'dashboard missing from the wheel')"

# --- 3. the runtime --------------------------------------------------------------------------
FROM python:3.11.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    ENVIRONMENT=production \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8000 \
    LOG_FORMAT=json
# A fixed uid/gid, so a bind-mounted /data can be chown'ed to it on the host (10001:10001).
RUN groupadd --system --gid 10001 finnegans \
    && useradd --system --uid 10001 --gid finnegans --home-dir /app --shell /usr/sbin/nologin finnegans \
    && mkdir -p /app /data \
    && chown finnegans:finnegans /app /data
COPY --from=builder /wheels /tmp/wheels
RUN pip install --no-index --find-links=/tmp/wheels finnegans && rm -rf /tmp/wheels
COPY deploy/docker-entrypoint.sh /usr/local/bin/finnegans-entrypoint
RUN chmod 0755 /usr/local/bin/finnegans-entrypoint
WORKDIR /app
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
# python, not curl (slim has no curl); any non-2xx answer or no answer marks the container
# unhealthy. /api/health answers 503 when the database is unreachable.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/api/health' % os.environ.get('PORT', '8000'), timeout=4)" || exit 1
# `serve` (the default) applies migrations then serves on 0.0.0.0:$PORT; any other argument is
# a finnegans command: `worker`, `migrate`, `backup`, `seed`, ...
ENTRYPOINT ["finnegans-entrypoint"]
CMD ["serve"]
