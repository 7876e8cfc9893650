# The payments service. Build from the repository root:
#   docker build -f deploy/payments.Dockerfile -t billing-payments .
# Dependencies are installed from uv.lock as locked (no dev tools); the image holds the
# shared package and this service only, and runs as an unprivileged user.

FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_PROJECT_ENVIRONMENT=/app/.venv UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY shared ./shared
COPY services/__init__.py ./services/__init__.py
COPY services/payments ./services/payments
RUN python -m compileall -q shared services

FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 billing \
    && useradd --system --uid 10001 --gid billing --no-create-home --home-dir /app billing
WORKDIR /app
COPY --from=build /app /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 PAYMENTS_PORT=8002
USER 10001:10001
EXPOSE 8002
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8002/readyz', timeout=4)"]
CMD ["python", "-m", "services.payments"]
