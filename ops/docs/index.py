"""``docs/README.md``: what each generated document is, and the event catalog as a table."""

from __future__ import annotations

from shared.contracts import CATALOG, EventPayload

_HEADER = """\
# Generated documents

Generated from the code by `make docs` (`python -m ops.docs`); do not edit them by
hand. `tests/unit/docs` regenerates them and fails when these files differ.

- `openapi/<service>.json` ([credits](openapi/credits.json),
  [payments](openapi/payments.json), [invoicing](openapi/invoicing.json)): each
  service's HTTP API (OpenAPI 3.1; a running service also serves it at `/openapi.json`).
- [`asyncapi/asyncapi.yaml`](asyncapi/asyncapi.yaml) (and [`.json`](asyncapi/asyncapi.json)):
  every topic (AsyncAPI 3.0): who publishes, which consumer groups read, the
  dead-letter topics, and each message's schema.
- `events/<EventType>.v<version>.json`: the JSON Schema (2020-12) of one event, the
  envelope with that event's payload; one per row of the catalog below.

## Event catalog

Payload fields; `?` marks an optional one. Amounts are integer minor units of `currency`.

| topic | event_type | schema_version | payload fields | schema |
|---|---|---|---|---|
"""


def _fields(model: type[EventPayload]) -> str:
    names = [
        f"`{name}`" if field.is_required() else f"`{name}?`"
        for name, field in model.model_fields.items()
    ]
    return ", ".join(names) or "(none)"


def catalog_rows() -> list[str]:
    """One Markdown table row per catalog event, by topic, then type and version."""
    rows = []
    for (event_type, version), model in sorted(
        CATALOG.items(), key=lambda item: (item[1].topic, item[0])
    ):
        name = f"{event_type}.v{version}"
        rows.append(
            f"| `{model.topic}` | `{event_type}` | {version} | {_fields(model)} "
            f"| [{name}.json](events/{name}.json) |"
        )
    return rows


def index_page() -> str:
    """The text of ``docs/README.md``."""
    return _HEADER + "\n".join(catalog_rows()) + "\n"
