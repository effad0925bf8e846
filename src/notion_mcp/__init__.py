"""notion-mcp: an MCP server that reads and writes a Notion workspace through six tools."""

__version__ = "0.1.0"
