"""The files under ``docs/``: rendered in memory, written, and compared with what is there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from ops.docs.asyncapi import asyncapi_document
from ops.docs.events import event_schemas
from ops.docs.index import index_page
from ops.docs.openapi import openapi_documents

MANAGED_FOLDERS = ("openapi", "asyncapi", "events")
"""Folders of ``docs/`` that hold generated files only (a file not generated is stale)."""


def render_json(document: Any) -> str:
    """Stable JSON: sorted keys, two-space indent, UTF-8 text, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_yaml(document: Any) -> str:
    """Stable YAML: sorted keys, block style, no line folding."""
    text: str = yaml.safe_dump(
        document, sort_keys=True, allow_unicode=True, default_flow_style=False, width=10_000
    )
    return text


def documents() -> dict[str, str]:
    """Every generated file's text, by its path relative to ``docs/``."""
    files: dict[str, str] = {}
    for service, document in openapi_documents().items():
        files[f"openapi/{service}.json"] = render_json(document)
    asyncapi = asyncapi_document()
    files["asyncapi/asyncapi.json"] = render_json(asyncapi)
    files["asyncapi/asyncapi.yaml"] = render_yaml(asyncapi)
    for name, schema in event_schemas().items():
        files[f"events/{name}.json"] = render_json(schema)
    files["README.md"] = index_page()
    return dict(sorted(files.items()))


def _stale(root: Path, expected: dict[str, str]) -> list[str]:
    found = [
        path.relative_to(root).as_posix()
        for folder in MANAGED_FOLDERS
        if (root / folder).is_dir()
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    ]
    return [name for name in found if name not in expected]


def differences(root: Path, expected: dict[str, str] | None = None) -> list[str]:
    """What differs between ``root`` (a ``docs/`` folder) and the generated files."""
    expected = documents() if expected is None else expected
    problems: list[str] = []
    for name, text in expected.items():
        path = root / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{name}: differs from the code")
    problems += [f"{name}: not generated any more" for name in _stale(root, expected)]
    return problems


def write_documents(root: Path) -> list[str]:
    """Write every generated file under ``root``, remove stale ones; return what changed."""
    expected = documents()
    changed = differences(root, expected)
    for name, text in expected.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    for name in _stale(root, expected):
        (root / name).unlink()
    return changed
