"""The one door to Notion: a method per Notion call, every call through the same policies.

Each call: validate IDs and cursors (before any I/O) → wait for the shared limiter →
send through notion-client (built with retry=False: retrying is ours) → translate any failure
into our error tree (`translate`) → retry per `RetryPolicy` → remember any cursor Notion issued.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
from notion_client import AsyncClient
from notion_client.errors import HTTPResponseError, RequestTimeoutError

from notion_mcp.errors import InputError, NotionAPIError, RateLimitedError, TransientError, redact
from notion_mcp.notion.ids import compact, normalize_id
from notion_mcp.notion.limiter import Limiter
from notion_mcp.notion.pagination import CursorRegistry, check_page_size
from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.notion.retry import RetryPolicy
from notion_mcp.notion.schema_cache import SchemaCache
from notion_mcp.notion.usage import Usage
from notion_mcp.notion.window import Ticket

Json = dict[str, Any]
log = logging.getLogger("notion_mcp.gateway")

RATE_LIMIT_STATUSES = frozenset({429, 529})
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
_EDGE_CODES = {
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
    500: "internal_server_error",
}


def _retry_after(headers: httpx.Headers | None) -> float | None:
    raw = (headers or httpx.Headers()).get("retry-after")
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None


def _body_of(exc: HTTPResponseError) -> Json:
    try:
        parsed = json.loads(exc.body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _from_response_error(exc: HTTPResponseError) -> NotionAPIError:
    body = _body_of(exc)
    status = exc.status
    code = str(body.get("code") or _EDGE_CODES.get(status, "response_error"))
    message = str(body.get("message") or "")
    if not body:
        message = f"Notion's edge answered HTTP {status} with no Notion error body."
    kwargs: dict[str, Any] = {
        "request_id": body.get("request_id") or exc.request_id,
        "retry_after": _retry_after(exc.headers),
        "additional_data": body.get("additional_data") or exc.additional_data,
    }
    if status in RATE_LIMIT_STATUSES:
        if kwargs["retry_after"] is None:
            kwargs["retry_after"] = 1.0
        return RateLimitedError(status, code, message, **kwargs)
    if status in TRANSIENT_STATUSES:
        return TransientError(status, code, message, **kwargs)  # sent (the default): it was answered
    return NotionAPIError(status, code, message, **kwargs)


def translate(exc: BaseException, base_url: str) -> NotionAPIError | None:
    """Our error for a lower-layer failure, or None when it is not one we anticipate. A failure
    with no answer (status 0) says which base URL could not be reached."""
    if isinstance(exc, HTTPResponseError):
        return _from_response_error(exc)
    if isinstance(exc, RequestTimeoutError):  # sent (the default): it may have taken effect
        return TransientError(0, "request_timeout", "The request to Notion timed out.")
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return TransientError(
            0, "connection_error", f"Could not reach {base_url}: {redact(str(exc))}", sent=False
        )
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):  # a 200 whose body is not JSON
        return TransientError(200, "invalid_response", "Notion answered 200 but the body is not JSON.")
    if isinstance(exc, httpx.TransportError):
        return TransientError(
            0,
            "connection_error",
            f"The connection to {base_url} dropped: {redact(str(exc)) or type(exc).__name__}",
        )
    return None


_ANSWER_TYPES: dict[str, type] = {"id": str, "results": list, "markdown": str}


def _shaped(result: Json, answer: str | None) -> bool:
    return answer is None or isinstance(result.get(answer), _ANSWER_TYPES[answer])


def build_client(
    *,
    token: str,
    notion_version: str,
    base_url: str,
    timeout_ms: int = 60_000,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncClient:
    return AsyncClient(
        client=httpx.AsyncClient(transport=transport),
        auth=token,
        notion_version=notion_version,
        base_url=base_url,
        timeout_ms=timeout_ms,
        retry=False,
        logger=logging.getLogger("notion_mcp.http"),
        log_level=logging.CRITICAL,  # failures are logged once, translated, by the gateway
    )


PAGING = frozenset({"start_cursor", "page_size"})


def listing_of(method: str, path: str, body: Json | None, query: Json | None) -> str:
    """What a cursor continues: the request without its paging fields, as compact text."""
    rest = {k: v for k, v in {**(query or {}), **(body or {})}.items() if k not in PAGING}
    return f"{method} {path}" + (
        f" {json.dumps(rest, sort_keys=True, separators=(',', ':'))}" if rest else ""
    )


class NotionGateway:
    """A method per Notion endpoint; rate limit, retry, error mapping and validation for all."""

    def __init__(
        self,
        client: AsyncClient,
        limiter: Limiter | TokenBucket,
        retry_policy: RetryPolicy,
        cursors: CursorRegistry | None = None,
        usage: Usage | None = None,
    ) -> None:
        self.client = client
        self.limiter = limiter if isinstance(limiter, Limiter) else Limiter(pacing=limiter)
        self.retry_policy = retry_policy
        self.cursors = cursors or CursorRegistry()
        self.usage = usage or Usage()
        self.requests_sent = 0
        self.markdown_endpoint: bool | None = None  # False once Notion said it has no such endpoint
        self.schemas = SchemaCache()
        self.not_pages: set[str] = set()  # IDs the markdown endpoint said are blocks, not pages
        self.markdown_create: bool | None = None  # False once Notion refused a page create's markdown
        self.base_url = str(client.options.base_url)

    async def aclose(self) -> None:
        try:
            await self.client.aclose()
        finally:
            await self.limiter.aclose()

    # -- the one path every request takes -------------------------------------------------
    async def _once(
        self,
        method: str,
        path: str,
        body: Json | None,
        query: Json | None,
        talking: list[float],
        answer: str | None = None,
        form: Json | None = None,
    ) -> Json:
        ticket = await self.limiter.acquire()
        try:
            return await self._send(ticket, method, path, body, query, talking, answer, form)
        finally:
            self.limiter.release(ticket)

    async def _send(
        self,
        ticket: Ticket | None,
        method: str,
        path: str,
        body: Json | None,
        query: Json | None,
        talking: list[float],
        answer: str | None,
        form: Json | None,
    ) -> Json:
        self.requests_sent += 1
        clock = self.usage.clock
        started = clock()

        def record(status: int) -> None:
            talking.append(clock() - started)
            self.usage.sent(method, path, status, talking[-1], retry=len(talking) > 1)

        try:
            result = await self.client.request(
                path=path, method=method, body=body, query=query, form_data=form
            )
        except Exception as exc:
            mapped = translate(exc, self.base_url)
            record(mapped.status if mapped is not None else 0)
            if mapped is None:
                raise
            if isinstance(mapped, RateLimitedError):
                reason = mapped.additional_data.get("rate_limit_reason")
                await self.limiter.refused(ticket, mapped.retry_after or 0.0, str(reason or "") or None)
            elif mapped.status and not isinstance(mapped, TransientError):
                await self.limiter.answered(ticket)  # a 4xx is an answer: Notion counted it
            log.info("%s %s -> %s %s", method, path, mapped.status, mapped.code)
            raise mapped from exc
        record(200)
        await self.limiter.answered(ticket)
        if not isinstance(result, dict) or not _shaped(result, answer):  # spoiled on the way
            what = f"an object with {answer!r}" if answer else "an object"
            raise TransientError(200, "invalid_response", f"Notion's answer is not {what}.")
        self.cursors.remember(result.get("next_cursor"), listing_of(method, path, body, query))
        return result

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Json | None = None,
        query: Json | None = None,
        form: Json | None = None,
        safe_to_repeat: bool,
        answer: str | None = None,
    ) -> Json:
        """One Notion call through every policy. `answer` is the field its answer must hold (an
        object's "id", a listing's "results"); an answer without it is treated as lost."""
        cursor = (body or {}).get("start_cursor") or (query or {}).get("start_cursor")
        if cursor:
            self.cursors.check_listing(str(cursor), listing_of(method, path, body, query))

        talking: list[float] = []  # each attempt's round trip; the rest of the call was waiting
        began = self.usage.clock()

        async def attempt() -> Json:
            return await self._once(method, path, body, query, talking, answer, form)

        try:
            return await self.retry_policy.run(attempt, safe_to_repeat=safe_to_repeat)
        except TransientError as exc:
            exc.ambiguous = exc.sent and not safe_to_repeat
            raise
        finally:
            self.usage.wait(self.usage.clock() - began - sum(talking))

    def _paging(self, start_cursor: object, page_size: object) -> Json:
        query: Json = {}
        if (cursor := self.cursors.check(start_cursor)) is not None:
            query["start_cursor"] = cursor
        if (size := check_page_size(page_size)) is not None:
            query["page_size"] = size
        return query

    # -- pages ------------------------------------------------------------------------------
    def _learned(self, obj: Json) -> Json:
        """`obj` (a page, data source or database), after the schema cache has taken note of it."""
        self.schemas.learn_page(obj)
        self.schemas.learn_source(obj)
        self.schemas.learn_database(obj)
        return obj

    async def create_page(self, body: Json) -> Json:
        return self._learned(await self.call("POST", "pages", body=body, safe_to_repeat=False, answer="id"))

    async def retrieve_page(self, page_id: str) -> Json:
        path = f"pages/{normalize_id(page_id, 'page_id')}"
        return self._learned(await self.call("GET", path, safe_to_repeat=True, answer="id"))

    async def update_page(self, page_id: str, body: Json) -> Json:
        path = f"pages/{normalize_id(page_id, 'page_id')}"
        return self._learned(await self.call("PATCH", path, body=body, safe_to_repeat=True, answer="id"))

    async def retrieve_page_markdown(self, page_id: str) -> Json:
        path = f"pages/{normalize_id(page_id, 'page_id')}/markdown"
        return await self.call("GET", path, safe_to_repeat=True, answer="markdown")

    async def update_page_markdown(self, page_id: str, body: Json) -> Json:
        """Not safe to repeat: an insert repeated is content doubled."""
        path = f"pages/{normalize_id(page_id, 'page_id')}/markdown"
        return await self.call("PATCH", path, body=body, safe_to_repeat=False, answer="markdown")

    async def move_page(self, page_id: str, parent: Json) -> Json:
        path = f"pages/{normalize_id(page_id, 'page_id')}/move"
        return await self.call("POST", path, body={"parent": parent}, safe_to_repeat=True, answer="id")

    async def retrieve_page_property(
        self, page_id: str, property_id: str, start_cursor: object = None, page_size: object = None
    ) -> Json:
        path = (
            f"pages/{normalize_id(page_id, 'page_id')}/properties/{httpx.URL(property_id).raw_path.decode()}"
        )
        return await self.call("GET", path, query=self._paging(start_cursor, page_size), safe_to_repeat=True)

    # -- blocks -----------------------------------------------------------------------------
    async def retrieve_block(self, block_id: str) -> Json:
        return await self.call(
            "GET", f"blocks/{normalize_id(block_id, 'block_id')}", safe_to_repeat=True, answer="id"
        )

    async def list_children(
        self, block_id: str, start_cursor: object = None, page_size: object = None
    ) -> Json:
        path = f"blocks/{normalize_id(block_id, 'block_id')}/children"
        return await self.call(
            "GET", path, query=self._paging(start_cursor, page_size), safe_to_repeat=True, answer="results"
        )

    async def append_children(
        self, block_id: str, children: list[Json], position: Json | None = None
    ) -> Json:
        body: Json = {"children": children}
        if position is not None:
            body["position"] = position
        path = f"blocks/{normalize_id(block_id, 'parent_block_id')}/children"
        return await self.call("PATCH", path, body=body, safe_to_repeat=False, answer="results")

    async def update_block(self, block_id: str, body: Json) -> Json:
        path = f"blocks/{normalize_id(block_id, 'block_id')}"
        return await self.call("PATCH", path, body=body, safe_to_repeat=True, answer="id")

    async def delete_block(self, block_id: str) -> Json:
        path = f"blocks/{normalize_id(block_id, 'block_id')}"
        return await self.call("DELETE", path, safe_to_repeat=True, answer="id")

    # -- databases and data sources ---------------------------------------------------------
    async def create_database(self, body: Json) -> Json:
        return self._learned(
            await self.call("POST", "databases", body=body, safe_to_repeat=False, answer="id")
        )

    async def retrieve_database(self, database_id: str) -> Json:
        path = f"databases/{normalize_id(database_id, 'database_id')}"
        return self._learned(await self.call("GET", path, safe_to_repeat=True, answer="id"))

    async def update_database(self, database_id: str, body: Json) -> Json:
        path = f"databases/{normalize_id(database_id, 'database_id')}"
        return self._learned(await self.call("PATCH", path, body=body, safe_to_repeat=True, answer="id"))

    async def create_data_source(self, body: Json) -> Json:
        """Another data source in an existing database (`parent.database_id`)."""
        return self._learned(
            await self.call("POST", "data_sources", body=body, safe_to_repeat=False, answer="id")
        )

    async def retrieve_data_source(self, data_source_id: str) -> Json:
        path = f"data_sources/{normalize_id(data_source_id, 'data_source_id')}"
        return self._learned(await self.call("GET", path, safe_to_repeat=True, answer="id"))

    async def update_data_source(self, data_source_id: str, body: Json) -> Json:
        ident = normalize_id(data_source_id, "data_source_id")
        self.schemas.forget(ident)  # even when the answer is lost, the schema may have changed
        return self._learned(
            await self.call("PATCH", f"data_sources/{ident}", body=body, safe_to_repeat=True, answer="id")
        )

    async def schema(self, data_source_id: str) -> Json:
        """A data source's `properties`: kept (`SchemaCache`) or read."""
        ident = normalize_id(data_source_id, "data_source_id")
        kept = self.schemas.schema(ident)
        if kept is not None:
            return kept
        return dict((await self.retrieve_data_source(ident)).get("properties") or {})

    async def query_data_source(
        self, data_source_id: str, body: Json, start_cursor: object = None, page_size: object = None
    ) -> Json:
        path = f"data_sources/{normalize_id(data_source_id, 'data_source_id')}/query"
        answer = await self.call(
            "POST",
            path,
            body={**body, **self._paging(start_cursor, page_size)},
            safe_to_repeat=True,
            answer="results",
        )
        for row in answer.get("results") or []:
            if isinstance(row, dict):
                self.schemas.learn_page(row)
        return answer

    async def list_templates(
        self, data_source_id: str, start_cursor: object = None, page_size: object = None
    ) -> Json:
        """A data source's page templates ({templates: [{id, name, is_default}], …}; 2025-09 API on)."""
        path = f"data_sources/{normalize_id(data_source_id, 'data_source_id')}/templates"
        return await self.call("GET", path, query=self._paging(start_cursor, page_size), safe_to_repeat=True)

    # -- views (2026 API) -------------------------------------------------------------------
    async def list_views(
        self, database_id: str, start_cursor: object = None, page_size: object = None
    ) -> Json:
        """A database's views, as {object: "view", id} stubs."""
        query = {
            "database_id": normalize_id(database_id, "database_id"),
            **self._paging(start_cursor, page_size),
        }
        return await self.call("GET", "views", query=query, safe_to_repeat=True)

    async def retrieve_view(self, view_id: str) -> Json:
        return await self.call("GET", f"views/{normalize_id(view_id, 'view')}", safe_to_repeat=True)

    async def data_sources_of(self, database_id: str) -> tuple[Json, list[Json]]:
        """The database and its data sources ({id, name})."""
        database = await self.retrieve_database(database_id)
        return database, list(database.get("data_sources") or [])

    async def _sources(self, database_id: str) -> list[Json]:
        """A database's data sources: kept (`SchemaCache`) or read."""
        ident = normalize_id(database_id, "database_id")
        kept = self.schemas.sources_of(ident)
        if kept is not None:
            return kept
        return (await self.data_sources_of(ident))[1]

    async def resolve_data_source(self, database_id: str) -> str:
        """The one data source of a database; several → an InputError listing them. An ID that is
        not a database but a data source (search lists those) is taken as that data source."""
        try:
            sources = await self._sources(database_id)
        except NotionAPIError as exc:
            if exc.status != 404:
                raise
            try:
                return str((await self.retrieve_data_source(database_id))["id"])
            except NotionAPIError:
                raise exc from None
        if len(sources) == 1:
            return str(sources[0]["id"])
        if not sources:
            raise InputError(f"Database {compact(database_id)} has no data source to query or add rows to.")
        listed = "; ".join(
            f"{s.get('name') or 'Untitled'} (data_source_id {compact(s['id'])})" for s in sources
        )
        raise InputError(
            f"Database {compact(database_id)} has {len(sources)} data sources: {listed}. "
            "Call again with data_source_id set to one of them."
        )

    # -- search, users, comments ------------------------------------------------------------
    async def search(self, body: Json, start_cursor: object = None, page_size: object = None) -> Json:
        full = {**body, **self._paging(start_cursor, page_size)}
        return await self.call("POST", "search", body=full, safe_to_repeat=True, answer="results")

    async def list_users(self, start_cursor: object = None, page_size: object = None) -> Json:
        return await self.call(
            "GET", "users", query=self._paging(start_cursor, page_size), safe_to_repeat=True, answer="results"
        )

    async def retrieve_user(self, user_id: str) -> Json:
        return await self.call(
            "GET", f"users/{normalize_id(user_id, 'user_id')}", safe_to_repeat=True, answer="id"
        )

    async def retrieve_bot(self) -> Json:
        return await self.call("GET", "users/me", safe_to_repeat=True, answer="id")

    async def create_comment(self, body: Json) -> Json:
        return await self.call("POST", "comments", body=body, safe_to_repeat=False, answer="id")

    async def update_comment(self, comment_id: str, body: Json) -> Json:
        path = f"comments/{normalize_id(comment_id, 'comment_id')}"
        return await self.call("PATCH", path, body=body, safe_to_repeat=True, answer="id")

    async def delete_comment(self, comment_id: str) -> Json:
        path = f"comments/{normalize_id(comment_id, 'comment_id')}"
        return await self.call("DELETE", path, safe_to_repeat=False, answer="id")  # a repeat would meet a 404

    # -- file uploads -----------------------------------------------------------------------
    async def create_file_upload(self, body: Json) -> Json:
        return await self.call("POST", "file_uploads", body=body, safe_to_repeat=False, answer="id")

    async def send_file_upload(
        self, upload_id: str, filename: str, data: bytes, content_type: str, part: int | None = None
    ) -> Json:
        """One part (or the whole file) as multipart/form-data; sending a part again replaces it."""
        form: Json = {"file": (filename, data, content_type)}
        if part is not None:
            form["part_number"] = str(part)
        path = f"file_uploads/{normalize_id(upload_id, 'file_upload_id')}/send"
        return await self.call("POST", path, form=form, safe_to_repeat=part is not None, answer="id")

    async def complete_file_upload(self, upload_id: str) -> Json:
        path = f"file_uploads/{normalize_id(upload_id, 'file_upload_id')}/complete"
        return await self.call("POST", path, safe_to_repeat=False, answer="id")

    async def retrieve_file_upload(self, upload_id: str) -> Json:
        path = f"file_uploads/{normalize_id(upload_id, 'file_upload_id')}"
        return await self.call("GET", path, safe_to_repeat=True, answer="id")

    async def list_comments(
        self, block_id: str, start_cursor: object = None, page_size: object = None
    ) -> Json:
        query = {"block_id": normalize_id(block_id, "block_id"), **self._paging(start_cursor, page_size)}
        return await self.call("GET", "comments", query=query, safe_to_repeat=True, answer="results")
