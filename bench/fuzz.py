"""Generated tool calls against the in-memory sandbox; prints how many ended how.

Run: python bench/fuzz.py [N] [--seed S] [--timeout SECONDS]   (default N=2000, seed 0)

Every call goes through `mcp.Client` to the server and its seeded sandbox; arguments come
from tests/fuzzing.py (valid and mutated). Only "ok" and "refused" are acceptable outcomes; the
first examples of any other are printed. Never part of the test pass/fail (tests/test_fuzz.py
runs a short, fixed-seed version).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from collections import Counter
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from fuzzing import ACCEPTABLE, HANG, PROPERTY_NAMES, calls, outcome
from sandbox_client import sandbox_client, text_of


async def run(n: int, seed: int, timeout: float) -> int:
    logging.disable(logging.CRITICAL)  # the outcome is read from each result, not from the logs
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    started = time.perf_counter()
    async with sandbox_client() as (client, _):
        listed = await client.list_tools()
        schemas = {t.name: dict(t.input_schema) for t in listed.tools}
        fields = {t: set(s.get("properties", {})) | set(PROPERTY_NAMES) for t, s in schemas.items()}
        for i, (tool, args) in enumerate(calls(rng, schemas)):
            if i >= n:
                break
            kind = HANG
            with anyio.move_on_after(timeout):
                result = await client.call_tool(tool, args)
                kind = outcome(bool(result.is_error), text_of(result), fields[tool])
            counts[kind] += 1
            if kind not in ACCEPTABLE and len(examples.setdefault(kind, [])) < 5:
                shown = json.dumps(args, ensure_ascii=False, default=str)[:300]
                text = "" if kind == HANG else text_of(result)[:300]
                examples[kind].append(f"{tool} {shown}\n      -> {text}")
            if (i + 1) % 1000 == 0:
                print(f"  {i + 1} calls, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(f"{n} calls (seed {seed}) in {elapsed:.1f} s")
    for kind, count in counts.most_common():
        print(f"  {kind:24} {count:7}")
    for kind, shown in examples.items():
        print(f"\nfirst {kind}:")
        for line in shown:
            print(f"  {line}")
    return 0 if set(counts) <= ACCEPTABLE else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=2000, help="calls to make")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a call counts as a hang")
    args = parser.parse_args()
    sys.exit(anyio.run(run, args.n, args.seed, args.timeout))


if __name__ == "__main__":
    main()
