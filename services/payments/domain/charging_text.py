"""Stripe's codes and messages made fit for the wire contract."""

from __future__ import annotations

import unicodedata

MAX_TEXT = 255


def clean_text(text: str | None, fallback: str) -> str:
    """Stripe's text made fit for the contract: no control characters, at most 255 chars."""
    cleaned = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cs") else c for c in (text or "")
    ).strip()
    return (cleaned or fallback)[:MAX_TEXT]


def clean_code(code: str | None, fallback: str) -> str:
    """Stripe's code made fit for the contract: ``[A-Za-z0-9_.:-]``, at most 64 chars."""
    kept = "".join(c for c in (code or "") if c.isascii() and (c.isalnum() or c in "_.:-"))
    return (kept or fallback)[:64]
