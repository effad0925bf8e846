"""Every JSON response body in the recordings, and the block and page objects inside them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RECORDINGS = Path(__file__).parents[1] / "fixtures" / "recordings"


@cache
def bodies() -> tuple[Any, ...]:
    out = []
    for path in sorted(RECORDINGS.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        for interaction in data.get("interactions") or []:
            response = interaction.get("response") or {}
            raw = (
                response.get("content")
                if "content" in response
                else (response.get("body") or {}).get("string")
            )
            if isinstance(raw, bytes):
                raw = raw.decode()
            try:
                out.append(json.loads(raw))
            except (TypeError, ValueError):
                continue
    return tuple(out)


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def objects(kind: str) -> list[dict[str, Any]]:
    return [o for body in bodies() for o in _walk(body) if o.get("object") == kind]


def block_lists() -> list[list[dict[str, Any]]]:
    """Each recorded list of blocks (children responses) and each single block response."""
    lists = []
    for body in bodies():
        if isinstance(body, dict) and body.get("object") == "list":
            blocks = [
                r for r in body.get("results") or [] if isinstance(r, dict) and r.get("object") == "block"
            ]
            if blocks:
                lists.append(blocks)
        elif isinstance(body, dict) and body.get("object") == "block":
            lists.append([body])
    return lists
