"""Data-source page templates: the listing endpoint and `template` on page create.

No recording holds a template (the one recorded listing is empty: `{"templates": [],
"has_more": false, "next_cursor": null}`); the shapes follow Notion's API reference ("List data
source templates", "Create a page": `template: {type: none | default | template_id}`). A
template is stored under its data source as `{id, name, is_default, properties, icon, children}`
(properties and children in request form). Notion applies a template after the create has
answered; the sandbox applies it at once, inside the create.
"""

from __future__ import annotations

import uuid

from notion_mcp.sandbox import rules
from notion_mcp.sandbox.app import Call, RouteSpec
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.workspace import Workspace

KIND = "template"


def add_template(
    ws: Workspace,
    data_source_id: str,
    name: str,
    *,
    properties: JSON | None = None,
    children: list[JSON] | None = None,
    icon: JSON | None = None,
    is_default: bool = False,
    template_id: str | None = None,
) -> JSON:
    template: JSON = {"id": template_id or str(uuid.uuid4()), "name": name, "is_default": is_default}
    template.update({"properties": properties or {}, "children": children or [], "icon": icon})
    ws.store.insert(KIND, template, data_source_id)
    return template


def list_templates(call: Call) -> JSON:
    ws = call.ws
    ds_id = rules.path_uuid("data_source_id", call.params["id"])
    ws.need(ds_id, "data_source", "data source")
    found = ws.store.children(ds_id, (KIND,))
    wanted = call.query.get("name")
    if wanted:
        found = [t for t in found if wanted.lower() in str(t["name"]).lower()]
    size = rules.page_size(call.query.get("page_size"), "query")
    chunk, next_cursor = Workspace.paginate(
        found, call.query.get("start_cursor"), size, lambda t: str(t["id"])
    )
    templates = [{"id": t["id"], "name": t["name"], "is_default": t["is_default"]} for t in chunk]
    return {"templates": templates, "has_more": next_cursor is not None, "next_cursor": next_cursor}


def chosen(ws: Workspace, body: JSON, ds: JSON | None) -> JSON | None:
    """The template a create body asks for (None: none); a bad request raises Notion's error."""
    if "template" not in body:
        return None
    spec = rules.require_dict("body.template", body["template"])
    kind = spec.get("type")
    if kind == "none":
        return None
    if kind not in ("default", "template_id"):
        raise rules.body_invalid("body.template.type", '`"none"`, `"default"`, or `"template_id"`', kind)
    if ds is None:
        raise rules.validation("body.template can only be used when the parent is a data source.")
    if "children" in body:
        raise rules.validation("body.children cannot be provided together with body.template.")
    templates = ws.store.children(ds["id"], (KIND,))
    if kind == "default":
        default = next((t for t in templates if t.get("is_default")), None)
        if default is None:
            raise rules.validation(f"Data source {ds['id']} has no default template.")
        return default
    wanted = rules.body_uuid("body.template.template_id", spec.get("template_id"))
    match = next((t for t in templates if t["id"] == wanted), None)
    if match is None:
        raise rules.not_found("template", wanted)
    return match


def with_template(body: JSON, template: JSON) -> JSON:
    """The create body with the template's properties (under the body's own), icon and content."""
    out = dict(body)
    out["properties"] = {**template.get("properties", {}), **(body.get("properties") or {})}
    if out.get("icon") is None and template.get("icon") is not None:
        out["icon"] = template["icon"]
    if template.get("children"):
        out["children"] = template["children"]
    return out


def apply_to(ws: Workspace, page: JSON, body: JSON, ds: JSON | None) -> JSON:
    """An update body with `template` (Notion merges a template into an existing page): the
    template's property values under the request's own, its icon when the page has none, and its
    content appended to the page's."""
    template = chosen(ws, {k: v for k, v in body.items() if k != "children"}, ds)
    if template is None:
        return body
    from notion_mcp.sandbox import blocks

    out = {**body, "properties": {**template.get("properties", {}), **(body.get("properties") or {})}}
    if page.get("icon") is None and template.get("icon") is not None and "icon" not in body:
        out["icon"] = template["icon"]
    nodes = blocks.parse_children(template.get("children") or [], "template.children", ws.user)
    if nodes:
        parent = {"type": "page_id", "page_id": page["id"]}
        positions = ws.store.slots(page["id"], len(nodes))
        blocks.insert_tree(ws.store, page["id"], parent, nodes, positions, ws.stamp())
    return out


ROUTES: list[RouteSpec] = [("GET", "/v1/data_sources/{id}/templates", list_templates)]
