"""`notion-mcp check` against a good backend (the sandbox), a bad token, no shared pages, an
unreachable host and a Notion-Version Notion refuses: exit code and the one line that says why."""

from __future__ import annotations

import io
import json

import httpx
import pytest

from notion_mcp.commands import Io, run
from notion_mcp.notion.gateway import NotionGateway, build_client
from notion_mcp.notion.health import Where, check_health
from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.notion.retry import RetryPolicy
from notion_mcp.notion.usage import Usage
from notion_mcp.sandbox import Sandbox

TOKEN = "ntn_" + "a" * 40
ENV = {"NOTION_TOKEN": TOKEN, "NOTION_MCP_MAX_RETRIES": "0", "NOTION_MCP_RATE_LIMIT": "0"}


def check(transport: httpx.AsyncBaseTransport, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(["check", *args], Io(out, err, dict(ENV), transport, Sandbox.base_url))
    return code, out.getvalue(), err.getvalue()


def test_a_good_backend_passes_naming_the_integration_what_it_sees_and_the_latency() -> None:
    with Sandbox() as sandbox:
        code, out, err = check(sandbox.transport())
    assert code == 0, err
    assert "integration 'Notion MCP Sandbox' in workspace 'Sandbox'" in out
    assert "Notion-Version 2026-03-11: accepted" in out
    assert "1 database" in out and "pages" in out
    assert "latency:" in out and "over 2 requests" in out
    assert out.rstrip().endswith("OK") and err == ""


def test_a_token_notion_refuses_is_one_line_saying_to_copy_it_again() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        body = {"object": "error", "status": 401, "code": "unauthorized", "message": "API token is invalid."}
        return httpx.Response(401, json=body)

    code, out, err = check(httpx.MockTransport(refuse))
    assert code == 1
    assert err == (
        "notion-mcp check: bad token: Notion refused NOTION_TOKEN (401 unauthorized); copy the "
        "integration's secret again from https://www.notion.so/my-integrations\n"
    )
    assert TOKEN not in err + out


def test_an_unreachable_host_is_a_network_problem() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    code, _, err = check(httpx.MockTransport(unreachable))
    assert code == 1
    assert err == (
        f"notion-mcp check: network: cannot reach {Sandbox.base_url} (Could not reach {Sandbox.base_url}: "
        "[Errno -2] Name or service not known); check the connection, any proxy (HTTPS_PROXY) and "
        "NOTION_BASE_URL\n"
    )


def test_an_empty_workspace_says_no_pages_are_shared_and_how_to_share_them() -> None:
    with Sandbox(seed=False) as sandbox:
        code, out, err = check(sandbox.transport())
    assert code == 1
    assert "token: accepted" in out and "visible: 0 pages, 0 databases" in out
    assert err.startswith("notion-mcp check: no pages shared") and "Connections" in err


def test_a_refused_notion_version_says_which_to_set() -> None:
    with Sandbox() as sandbox:
        code, _, err = check(sandbox.transport(), "--notion-version", "2021-01-01")
    assert code == 1
    assert err.startswith("notion-mcp check: Notion-Version '2021-01-01' is not accepted: Notion-Version ")
    assert err.endswith(  # (Notion's own message before this)
        ". Set NOTION_VERSION (or --notion-version) to a supported version, or leave it unset for the "
        "default\n"
    )


def test_check_runs_on_the_sandbox_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from notion_mcp.__main__ import main

    assert main(["check", "--sandbox"]) == 0
    assert "OK" in capsys.readouterr().out


def notion_answering(
    me: httpx.Response, found: dict[str, object], sent: list[httpx.Request]
) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return me if request.url.path == "/v1/users/me" else httpx.Response(200, json=found)

    return httpx.MockTransport(answer)


def failing(status: int, code: str, message: str) -> httpx.Response:
    body = {"object": "error", "status": status, "code": code, "message": message}
    return httpx.Response(status, json=body)


@pytest.mark.parametrize(
    ("status", "code", "message", "said"),
    [
        (429, "rate_limited", "Slow down.", "rate limited: Notion asks to slow down (another client on this "
         "integration?); try again in a minute"),
        (529, "service_overload", "Busy.", "rate limited: Notion asks to slow down (another client on this "
         "integration?); try again in a minute"),
        (503, "service_unavailable", "Down.", "Notion is failing (503 service_unavailable); try again later "
         "(https://status.notion.so)"),
        (500, "internal_server_error", "Oops.", "Notion is failing (500 internal_server_error); try again "
         "later (https://status.notion.so)"),
        (409, "conflict_error", "Conflict.", "Notion answered 409 conflict_error: Conflict."),
        (400, "validation_error", "Bad body.", "Notion answered 400 validation_error: Bad body."),
    ],
)  # fmt: skip
def test_each_other_refusal_is_one_line_saying_what_to_do(
    status: int, code: str, message: str, said: str
) -> None:
    code_, out, err = check(notion_answering(failing(status, code, message), {}, []))
    assert code_ == 1
    assert err == f"notion-mcp check: {said}\n"
    assert out == ""


def test_what_is_visible_is_counted_from_one_search_page_of_at_most_100() -> None:
    me = httpx.Response(
        200, json={"object": "user", "id": "u", "name": "Bot", "bot": {"workspace_name": "WS"}}
    )
    found = {"results": [{"object": "page"}, {"object": "database"}], "has_more": True}
    sent: list[httpx.Request] = []
    code, out, err = check(notion_answering(me, found, sent))
    assert code == 0, err
    assert "token: accepted — integration 'Bot' in workspace 'WS'\n" in out
    assert "visible: 1+ page, 1+ database\n" in out
    assert "over 2 requests" in out
    assert [r.url.path for r in sent] == ["/v1/users/me", "/v1/search"]
    assert json.loads(sent[1].content) == {"page_size": 100}

    me = httpx.Response(200, json={"object": "user", "id": "u", "name": "Bot", "bot": "?"})
    found = {"results": [{"object": "database"}] * 2 + [{"object": "page"}], "has_more": False}
    code, out, err = check(notion_answering(me, found, []))
    assert "in workspace 'unnamed'" in out and "visible: 1 page, 2 databases\n" in out


@pytest.mark.anyio
async def test_the_latency_line_gives_the_median_and_the_slowest_round_trip() -> None:
    clock = [100.0]
    me = {"object": "user", "id": "u", "name": "Bot", "bot": {}}

    def answer(request: httpx.Request) -> httpx.Response:
        clock[0] += 1.5 if request.url.path == "/v1/users/me" else 0.9  # each round trip's time
        return httpx.Response(200, json=me if request.url.path == "/v1/users/me" else {"results": []})

    client = build_client(
        token=TOKEN,
        notion_version="2026-03-11",
        base_url=Sandbox.base_url,
        transport=httpx.MockTransport(answer),
    )
    gateway = NotionGateway(
        client, TokenBucket(None), RetryPolicy(max_retries=0), usage=Usage(lambda: clock[0])
    )
    health = await check_health(gateway, Where(Sandbox.base_url, "2026-03-11"))
    await gateway.aclose()
    assert health.lines[1:] == [
        "Notion-Version 2026-03-11: accepted",
        "visible: 0 pages, 0 databases",
        "latency: 900 ms median, 1500 ms slowest over 2 requests",
    ]
    assert health.lines[0] == "token: accepted — integration 'Bot' in workspace 'unnamed'"  # (no name in it)
