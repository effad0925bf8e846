"""Loopback names and addresses, and the Host header check that keeps a local HTTP server from
being reached through DNS rebinding (a page on another site whose name now resolves to 127.0.0.1:
its requests carry that site's name in Host). Shared by `sandbox serve` and `serve --http`."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def split_host(value: str) -> tuple[str, int | None]:
    """`name[:port]` or `[v6][:port]` -> (lowercase name without brackets, port); ("", None) if
    it is not a host."""
    try:
        parts = urlsplit("//" + value.strip())
        return (parts.hostname or "").lower(), parts.port
    except ValueError:
        return "", None


def is_loopback(name: str) -> bool:
    """`localhost`, or an address in 127.0.0.0/8 or ::1 (brackets allowed)."""
    bare = name.strip("[]").lower()
    if bare == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def loopback_host(header: str | None) -> bool:
    """Whether a Host header names this machine by a loopback name (any port)."""
    name, _ = split_host(header or "")
    return bool(name) and is_loopback(name)
