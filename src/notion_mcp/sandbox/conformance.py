"""Shape conformance: the sandbox's answers against recorded Notion traffic.

For every recorded interaction whose kind (method + templated path) the sandbox implements,
the sandbox answers an equivalent request (:data:`SCENARIOS`), and the two bodies must have the
same shape: the same keys at every level, the same JSON types, the same list envelope, the same
error ``code``/``status``. Content-dependent differences are allowed only as listed in
:data:`EXCEPTIONS`. Run ``python -m notion_mcp.sandbox.conformance [RECORDINGS_DIR]``.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from notion_mcp.sandbox import ROUTES, Sandbox
from notion_mcp.sandbox.rules import JSON

UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)
PARAM = re.compile(r"\{[a-z_]+\}")
DEFAULT_DIR = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "recordings"

# Keys whose presence depends on content (or on the recorded account), not on the API's shape.
EXCEPTIONS: dict[str, str] = {
    "request_id": "present on top-level answers only; nested copies in recordings vary",
    "additional_data": "Notion adds it to some errors (integration_id); optional in the error body",
    "width_ratio": "a column has it only when its width was set",
    "name": "file blocks carry a name only when one was given",
    "expiry_time": "Notion-hosted files only",
    "icon": "paragraph icon is new in 2026 and absent from older recordings",
    "person": "user objects embedded in values may omit person details",
    "email": "emails are hidden without the user-information capability",
    "email_verified": "only for the account that made the recording",
    "bot": "bot details are empty ({}) when embedded",
    "owner": "bot owner details vary by integration type",
    "workspace_name": "bot owner details vary by integration type",
    "workspace_id": "bot owner details vary by integration type",
    "workspace_limits": "bot owner details vary by integration type",
    "request_status": "only on a query that reached the result cap",
    "link": "text link is null or {url}",
    "href": "null or a URL",
}


def shape_diff(recorded: Any, mine: Any, path: str = "$") -> list[str]:
    """Differences in shape between a recorded body and the sandbox's (empty when alike)."""
    if recorded is None or mine is None:
        return []  # nullable fields: null on one side is content, not shape
    if isinstance(recorded, bool) or isinstance(mine, bool):
        return (
            []
            if type(recorded) is type(mine)
            else [f"{path}: {type(recorded).__name__} vs {type(mine).__name__}"]
        )
    if isinstance(recorded, int | float) and isinstance(mine, int | float):
        return []
    if isinstance(recorded, dict):
        if not isinstance(mine, dict):
            return [f"{path}: object vs {type(mine).__name__}"]
        return _dict_diff(recorded, mine, path)
    if isinstance(recorded, list):
        if not isinstance(mine, list):
            return [f"{path}: array vs {type(mine).__name__}"]
        return _list_diff(recorded, mine, path)
    return (
        []
        if type(recorded) is type(mine)
        else [f"{path}: {type(recorded).__name__} vs {type(mine).__name__}"]
    )


def _discriminator(value: Any) -> tuple[Any, ...]:
    if isinstance(value, dict):
        return (value.get("object"), value.get("type"))
    return (type(value).__name__,)


def _list_diff(recorded: list[Any], mine: list[Any], path: str) -> list[str]:
    problems: list[str] = []
    for i, item in enumerate(recorded):
        twin = next((m for m in mine if _discriminator(m) == _discriminator(item)), None)
        if twin is not None:
            problems += shape_diff(item, twin, f"{path}[{i}]")
    return problems


def _dict_diff(recorded: JSON, mine: JSON, path: str) -> list[str]:
    if path.endswith(".properties") and all(isinstance(v, dict) and "type" in v for v in recorded.values()):
        return _list_diff(list(recorded.values()), list(mine.values()), path + "{}")
    skip: set[str] = set(EXCEPTIONS)
    if recorded.get("type") != mine.get("type") and isinstance(recorded.get("type"), str):
        skip |= {str(recorded["type"]), str(mine.get("type"))}  # a different variant of a union
        if recorded.get("object") == "list":
            skip |= {"results"}
    problems = [f"{path}: key {k!r} missing in sandbox" for k in recorded if k not in mine and k not in skip]
    problems += [f"{path}: extra key {k!r} in sandbox" for k in mine if k not in recorded and k not in skip]
    for key in recorded.keys() & mine.keys() - skip:
        problems += shape_diff(recorded[key], mine[key], f"{path}.{key}")
    return problems


@dataclass
class Recorded:
    file: str
    kind: str
    version: str
    status: int
    body: Any


def kind_of(method: str, uri: str) -> str:
    return f"{method} {UUID.sub('{id}', urlparse(uri).path)}"


def load(directory: Path = DEFAULT_DIR) -> list[Recorded]:
    import yaml

    out = []
    for file in sorted(directory.rglob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for it in data.get("interactions", []):
            req, resp = it["request"], it["response"]
            status = resp["status"]["code"] if "status" in resp else resp.get("status_code")
            raw = resp["body"]["string"] if "body" in resp else resp.get("content")
            try:
                body = json.loads(raw)
            except (TypeError, ValueError):
                continue
            versions = {k.lower(): v for k, v in (req.get("headers") or {}).items()}.get(
                "notion-version", ["2025-09-03"]
            )
            version = versions[0] if isinstance(versions, list) else str(versions)
            out.append(
                Recorded(
                    str(file.relative_to(directory)),
                    kind_of(req["method"], req["uri"]),
                    version,
                    status,
                    body,
                )
            )
    return out


# Endpoints newer than the recordings, built from Notion's API reference (docs/sandbox.md says
# where): nothing recorded to compare them with.
FROM_REFERENCE = frozenset(
    {
        "POST /v1/pages/{id}/move",
        "PATCH /v1/comments/{id}",
        "DELETE /v1/comments/{id}",
        "POST /v1/file_uploads",
        "GET /v1/file_uploads/{id}",
        "POST /v1/file_uploads/{id}/send",
        "POST /v1/file_uploads/{id}/complete",
        "GET /v1/pages/{id}/markdown",
        "PATCH /v1/pages/{id}/markdown",
    }
)


def implemented_kinds() -> set[str]:
    """Kinds the sandbox answers that recordings can check (not those built from the reference)."""
    return {f"{m} {PARAM.sub('{id}', p)}" for m, p, _ in ROUTES} - FROM_REFERENCE


def recorded_kind_matches(kind: str, implemented: set[str]) -> str | None:
    """The implemented kind a recorded one falls under (``properties/title`` → ``{id}``)."""
    if kind in implemented:
        return kind
    generic = re.sub(r"/properties/[^/]+$", "/properties/{id}", kind)
    return generic if generic in implemented else None


Scenario = Callable[[httpx.AsyncClient, str], Awaitable[list[httpx.Response]]]


@dataclass
class Report:
    checked: int = 0
    skipped: int = 0
    kinds_all: set[str] = field(default_factory=set)
    kinds_implemented: set[str] = field(default_factory=set)
    kinds_checked: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"conformance: {self.checked} recorded interactions checked ({self.skipped} skipped: no sandbox "
            f"answer with that status); kinds checked {len(self.kinds_checked)} / implemented "
            f"{len(self.kinds_implemented)} / recorded {len(self.kinds_all)}; {len(self.problems)} problems"
        )


async def sandbox_answers(version: str) -> dict[tuple[str, int], list[Any]]:
    """The sandbox's answers to the scenario requests, by (kind, status)."""
    from notion_mcp.sandbox.conformance_scenarios import run_scenarios

    sandbox = Sandbox()
    answers: dict[tuple[str, int], list[Any]] = {}
    headers = {"Authorization": "Bearer ntn_test", "Notion-Version": version}
    async with httpx.AsyncClient(
        transport=sandbox.transport(), base_url=Sandbox.base_url, headers=headers
    ) as c:
        for response in await run_scenarios(c):
            kind = kind_of(response.request.method, str(response.request.url))
            kind = recorded_kind_matches(kind, implemented_kinds()) or kind
            answers.setdefault((kind, response.status_code), []).append(response.json())
    sandbox.close()
    return answers


def check(recordings: list[Recorded]) -> Report:
    report = Report(kinds_implemented=implemented_kinds())
    by_version = {v: asyncio.run(sandbox_answers(v)) for v in ("2025-09-03", "2026-03-11")}
    for rec in recordings:
        report.kinds_all.add(rec.kind)
        kind = recorded_kind_matches(rec.kind, report.kinds_implemented)
        if kind is None:
            continue
        answers = by_version.get(rec.version, by_version["2026-03-11"]).get((kind, rec.status))
        if not answers:
            report.skipped += 1
            continue
        best = min((shape_diff(rec.body, a) for a in answers), key=len)
        report.checked += 1
        report.kinds_checked.add(kind)
        report.problems += [f"{rec.file} {rec.kind} {rec.status}: {p}" for p in best]
    return report


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    report = check(load(Path(args[0]) if args else DEFAULT_DIR))
    for problem in report.problems[:200]:
        print(problem)
    print(report.summary())
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
