# One image for the three services; SERVICE picks which one a container runs.
FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
WORKDIR /app
ENV UV_PROJECT_ENVIRONMENT=/app/.venv UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY shared ./shared
COPY services ./services
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home /app billing
WORKDIR /app
COPY --from=build --chown=billing /app /app
USER billing
ENV PATH=/app/.venv/bin:$PATH HOST=0.0.0.0 PYTHONUNBUFFERED=1
ARG SERVICE=credits
ENV SERVICE=${SERVICE}
CMD ["sh", "-c", "exec python -m services.${SERVICE}"]
