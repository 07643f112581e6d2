"""The bench's bare Starlette baseline: the same bytes from memory at the same paths, and Starlette's own
FileResponse for media (Range included). Started by `bench/api.py` as its own uvicorn process:

    BENCH_BODIES=bodies.json BENCH_MEDIA_ROOT=dir uvicorn bench.baseline:app
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

BODIES: dict[str, bytes] = {path: base64.b64decode(body) for path, body in
                            json.loads(Path(os.environ.get("BENCH_BODIES", "/dev/null")).read_text() or "{}").items()}
MEDIA_ROOT = Path(os.environ.get("BENCH_MEDIA_ROOT", "."))


async def media(request: Request) -> Response:
    return FileResponse(MEDIA_ROOT / request.path_params["key"], media_type="video/mp4")


async def memory(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body = BODIES.get(target)
    if body is None:
        return Response(status_code=404)
    return Response(body, media_type="application/json")


async def healthz(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[Route("/healthz", healthz), Route("/api/media/{key}", media),
                        Route("/{rest:path}", memory)])
