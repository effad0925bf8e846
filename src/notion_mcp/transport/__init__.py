"""Ways to serve the MCP server besides stdio (which `MCPServer.run()` does by itself)."""
