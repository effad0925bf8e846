"""The listening socket of a local HTTP server (`sandbox serve`, `serve --http`), bound before
anything says where it is, so `--port 0` can print the real port and a port in use is one line."""

from __future__ import annotations

import socket


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (0: any free port), or ValueError in one line."""
    if not 0 <= port <= 65535:
        raise ValueError(f"--port {port} is not a port: expected 0 (any free one) to 65535")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ValueError(
            f"cannot listen on {host} port {port}: {exc.strerror or exc} "
            "(choose another --port, or --port 0 for any free one)"
        ) from None
    return sock
