"""One envelope model per catalog event, and the JSON Schema of each event on the wire.

The envelope of the contract carries its payload as a plain JSON object; for the
documents each (event type, schema version) gets its own envelope model whose
``event_type`` and ``schema_version`` are constants and whose ``payload`` is the
event's payload model, so a schema names every field an integrator receives.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, cast

from pydantic import create_model

from shared.contracts import CATALOG, Envelope, EventPayload, json_schemas


def _constant(value: str | int) -> Any:
    """``Literal[value]`` for a value known only at run time."""
    return cast(Any, Literal)[value]


@cache
def event_models() -> dict[tuple[str, int], type[Envelope]]:
    """The envelope model of every catalog event, by (event type, schema version), sorted."""
    models: dict[tuple[str, int], type[Envelope]] = {}
    for (event_type, version), payload in sorted(CATALOG.items()):
        models[(event_type, version)] = _envelope_of(event_type, version, payload)
    return models


def _envelope_of(event_type: str, version: int, payload: type[EventPayload]) -> type[Envelope]:
    summary = (payload.__doc__ or "").strip().splitlines()[0]
    return create_model(
        f"{event_type}V{version}",
        __base__=Envelope,
        __doc__=f"{event_type} v{version} on {payload.topic}: {summary}",
        event_type=(_constant(event_type), ...),
        schema_version=(_constant(version), ...),
        payload=(payload, ...),
    )


def topic_models(topic: str) -> list[type[Envelope]]:
    """The envelope models of the events published on ``topic``, sorted by type and version."""
    return [
        model
        for (event_type, version), model in event_models().items()
        if CATALOG[(event_type, version)].topic == topic
    ]


def event_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each event, envelope and payload, keyed ``"{type}.v{version}"``.

    Each schema also names its topic, producer, event type and version (``x-`` keys,
    as :func:`shared.contracts.json_schemas` gives them for the payloads).
    """
    payload_schemas = json_schemas()
    schemas: dict[str, dict[str, Any]] = {}
    for (event_type, version), model in event_models().items():
        name = f"{event_type}.v{version}"
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = name
        for key, value in payload_schemas[name].items():
            if key.startswith("x-"):
                schema[key] = value
        schema["x-producer"] = CATALOG[(event_type, version)].producer
        schemas[name] = schema
    return schemas
