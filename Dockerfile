# exitbot's service image: `exitbot serve` on port 3978, as a non-root user.
#
#   docker build -t exitbot .
#   docker build -t exitbot --build-arg EXITBOT_CONFIG=config/contoso .   # HR's YAML
#
# HR's configuration is baked in at /etc/exitbot/config and validated while building, so an
# image with a mistake in HR's YAML is never produced (docs/operations.md).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# The locked dependencies first (exact versions, every file's hash checked; README
# "Dependencies"), in a layer of their own that a change to the code leaves cached.
COPY requirements/service.txt ./requirements/service.txt
RUN python -m venv /opt/exitbot \
    && /opt/exitbot/bin/pip install --no-compile --require-hashes --no-deps \
       -r requirements/service.txt
COPY pyproject.toml README.md ./
# The product's packages; testkit/ (tests and benchmarks only) stays out of the image.
COPY bot ./bot
COPY cards ./cards
COPY cli ./cli
COPY config ./config
COPY dialogs ./dialogs
COPY hr_api ./hr_api
COPY jobs ./jobs
COPY journey ./journey
COPY outbox ./outbox
COPY people ./people
COPY storage ./storage
# The package itself, without resolving anything: its dependencies are the lock's, and its build
# backend (setuptools) is the one pinned there.
# Bytecode is compiled here, once: the runtime sets PYTHONDONTWRITEBYTECODE (a read-only
# install), so without .pyc files every start would compile every module it imports (8-10 s
# of CPU here). unchecked-hash: the image never changes, so no source is stat'ed or hashed at import.
RUN /opt/exitbot/bin/pip install --no-compile --no-deps --no-build-isolation . \
    && rm -rf /opt/exitbot/lib/python*/site-packages/pip \
    && /opt/exitbot/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash \
       /opt/exitbot/lib
ARG EXITBOT_CONFIG=config/default
COPY ${EXITBOT_CONFIG} /etc/exitbot/config
RUN /opt/exitbot/bin/exitbot check-config /etc/exitbot/config

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/exitbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    EXITBOT_HOST=0.0.0.0 \
    EXITBOT_PORT=3978 \
    EXITBOT_CONFIG_DIR=/etc/exitbot/config \
    EXITBOT_PEOPLE_FILE=/etc/exitbot/demo/people.yaml
RUN groupadd --system --gid 10001 exitbot \
    && useradd --system --uid 10001 --gid exitbot --home-dir /var/lib/exitbot --create-home \
       --shell /usr/sbin/nologin exitbot
COPY --from=build /opt/exitbot /opt/exitbot
COPY --from=build /etc/exitbot/config /etc/exitbot/config
# The demo directory, only read with EXITBOT_DIRECTORY=local (a trial run in local mode).
COPY config/demo/people.yaml /etc/exitbot/demo/people.yaml
# SQLite (a single instance without PostgreSQL) writes var/exitbot.sqlite3 here; mount a volume.
WORKDIR /var/lib/exitbot
USER 10001:10001
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/healthz/ready' % os.environ.get('EXITBOT_PORT', '3978'), timeout=4)"]
CMD ["exitbot", "serve"]
