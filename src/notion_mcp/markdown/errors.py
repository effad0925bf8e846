"""The one error this package raises: markdown that cannot become Notion blocks."""

from __future__ import annotations


class MarkdownError(ValueError):
    """Markdown that cannot be converted; the message names the line and what to do."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line is not None else message)
