"""Generated calls to every tool, valid and mutated, through `mcp.Client` against the sandbox:
each ends in a normal result or an error that names a field, an operation or a Notion code —
never a bare "Error executing tool", a bug report of the server's catch-all, a traceback or a
hang (issue 9). Fixed seed: the same calls every run. `python bench/fuzz.py N` runs more."""

from __future__ import annotations

import json
import random
from collections import Counter

import anyio
import pytest
from fuzzing import ACCEPTABLE, HANG, OK, PROPERTY_NAMES, REFUSED, calls, outcome
from sandbox_client import sandbox_client, text_of

pytestmark = pytest.mark.anyio

CALLS = 300
HANG_GUARD = 60.0  # seconds: only a hang reaches it


async def test_generated_calls_end_in_a_result_or_an_error_that_names_what_to_fix() -> None:
    rng = random.Random(20260309)
    counts: Counter[str] = Counter()
    bad: list[str] = []
    async with sandbox_client() as (client, _):
        schemas = {t.name: dict(t.input_schema) for t in (await client.list_tools()).tools}
        fields = {t: set(s.get("properties", {})) | set(PROPERTY_NAMES) for t, s in schemas.items()}
        made = calls(rng, schemas)
        for _ in range(CALLS):
            tool, args = next(made)
            kind, text = HANG, ""
            with anyio.move_on_after(HANG_GUARD):
                result = await client.call_tool(tool, args)
                text = text_of(result)
                kind = outcome(bool(result.is_error), text, fields[tool])
            counts[kind] += 1
            if kind not in ACCEPTABLE:
                bad.append(f"{kind}: {tool} {json.dumps(args, default=str)[:200]} -> {text[:200]}")
    assert not bad, "\n".join(bad)
    assert counts[OK] >= CALLS // 10 and counts[REFUSED] >= CALLS // 10, counts  # both kinds exercised
    assert set(schemas) == {t for t, _ in [next(made) for _ in range(200)]}  # every tool is driven
