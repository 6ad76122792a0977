"""The answer model: everything a face shows, built once by the library as typed values.

Faces (the command line, the web site and API, the static export, the MCP
server) only render these. ``port_answer`` is the whole answer for a port;
``portatlas.answers.schema`` gives their JSON Schema.
"""
