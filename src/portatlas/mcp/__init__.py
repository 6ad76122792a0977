"""The Model Context Protocol face: ``portatlas mcp`` serves the library's answers as MCP tools over stdio.

``portatlas.mcp.arguments`` declares what each tool takes (JSON Schema and the
grammar's reader, side by side); ``portatlas.mcp.server`` holds the tool table
and the server. Each tool reads its arguments, calls the library and returns
``to_data`` of the answer as structured content, with a one-line text. The SDK
(``pip install 'portatlas[mcp]'``) is imported by ``server`` only.
"""
