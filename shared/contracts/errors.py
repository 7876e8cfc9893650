"""The error raised when a message does not honour the wire contract."""

from __future__ import annotations

from typing import Literal

from pydantic import ValidationError

ContractErrorReason = Literal[
    "not_json",
    "invalid_envelope",
    "unknown_event_type",
    "unknown_schema_version",
    "producer_mismatch",
    "invalid_payload",
]


class ContractError(ValueError):
    """A message that breaks the contract.

    ``reason`` is a short machine-readable code (what a dead-letter record carries);
    ``detail`` says what is wrong in words.
    """

    def __init__(self, reason: ContractErrorReason, detail: str) -> None:
        super().__init__(reason, detail)
        self.reason: ContractErrorReason = reason
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"


MAX_DETAIL_CHARS = 500


def condense(error: ValidationError) -> str:
    """Summarise a pydantic error as ``"field.path: message; ..."`` without the input values."""
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "(root)"
        parts.append(f"{where}: {item['msg']}")
    text = "; ".join(parts)
    if len(text) > MAX_DETAIL_CHARS:
        return text[: MAX_DETAIL_CHARS - 3] + "..."
    return text
