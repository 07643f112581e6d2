"""Composition root: builds the ASGI app (API + back-office) and the `s7` CLI."""
