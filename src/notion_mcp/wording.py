"""Counts in the words people read: "1 block", "6 blocks" (used by every layer that writes prose)."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun, singular for exactly one: counted(1, "block") == "1 block"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
