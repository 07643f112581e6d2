"""Peak server memory of a large media upload, against a 1 MB baseline measured in the same run.

    .venv/bin/python -m bench.upload_memory              # 1 GB (1024 MB)
    .venv/bin/python -m bench.upload_memory --size-mb 200
    .venv/bin/python -m bench.upload_memory --via admin   # the back-office ByteSize form instead

Starts the real ASGI app under uvicorn on a loopback port (subprocess, fresh SQLite + media dir),
uploads a generated video-like stream (an MP4 `ftyp` header followed by zero/random chunks made on
the fly, never held in memory) to POST /api/uploads/media (or, with `--via admin`, through the
back-office ByteSize create form: SQLAdmin spools the file to a temp file and our view streams it
from there into storage), and reads the server's peak RSS
(VmHWM from /proc/<pid>/status). The ratio big/baseline should stay close to 1.
"""

from __future__ import annotations

import argparse
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

CHUNK = 1024 * 1024
BOUNDARY = "s7benchboundary"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def _field(name: str, value: str) -> bytes:
    return f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode()


def _video_stream(size: int, field: str = "file", before: bytes = b"", after: bytes = b"") -> Iterator[bytes]:
    head = before + (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"big.mp4\"\r\n"
                     "Content-Type: video/mp4\r\n\r\n").encode()
    ftyp = struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 512) + b"isomavc1"
    mdat = struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", size - len(ftyp))
    yield head + ftyp + mdat
    sent = len(ftyp) + len(mdat)
    random_chunk = os.urandom(CHUNK)
    zero_chunk = bytes(CHUNK)
    i = 0
    while sent < size:
        piece = (random_chunk if i % 2 else zero_chunk)[: size - sent]
        sent += len(piece)
        i += 1
        yield piece
    yield b"\r\n" + after + f"--{BOUNDARY}--\r\n".encode()


def _upload(base: str, token: str, size: int) -> dict:
    started = time.monotonic()
    answer = httpx.post(f"{base}/api/uploads/media", content=_video_stream(size), timeout=600,
                        headers={"Authorization": f"Bearer {token}",
                                 "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    answer.raise_for_status()
    body = answer.json()
    assert body["size"] == size, body
    body["seconds"] = time.monotonic() - started
    return body


def _upload_admin(base: str, size: int) -> dict:
    """The same stream through the back-office: log in, then the ByteSize create form."""
    import re

    client = httpx.Client(base_url=base, headers={"Origin": base}, timeout=600)
    client.post("/admin/login", data={"username": "bench@s7.kz", "password": "bench-password-1"})
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/admin/").text)
    assert found, "no csrf-token on /admin/"
    token = found.group(1)
    title = f"bench {size}"
    before = _field("csrf_token", token) + _field("title", title) + _field("video_url", "")
    started = time.monotonic()
    answer = client.post("/admin/byte-size-item/create", follow_redirects=False,
                         content=_video_stream(size, "upload", before, _field("save", "Save")),
                         headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert answer.status_code == 302, answer.text[-2000:]
    return {"seconds": time.monotonic() - started}


def _prepare(tmp: Path) -> tuple[dict[str, str], str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "MEDIA_ROOT": str(tmp / "media"),
           "PRIVATE_ROOT": str(tmp / "private"), "SECRET_KEY": "bench-secret", "MEDIA_BACKEND": "local",
           "MEDIA_MAX_BYTES": str(4 * 1024**3), "LOG_LEVEL": "WARNING"}
    code = (
        "from core.migrate import upgrade; from core.db import Database; from core.clock import utcnow;"
        "from core.services import auth; from core.settings import Settings; s=Settings(); upgrade(s.database_url);"
        "db=Database.from_url(s.database_url)\n"
        "with db.transaction() as session:\n"
        " u,_=auth.ensure_admin(session,email='bench@s7.kz',password='bench-password-1',full_name='B',now=utcnow())\n"
        " print(auth.TokenSigner(s.secret_key, 3600).issue(u))"
    )
    token = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    return env, token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--via", choices=("api", "admin"), default="api")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="s7-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env, token = _prepare(tmp)
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "s7.app:asgi", "--host",
                                   "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            send = (lambda size: _upload_admin(base, size)) if args.via == "admin" else \
                (lambda size: _upload(base, token, size))
            small = send(1024 * 1024)
            baseline = _peak_rss_kb(server.pid)
            big = send(args.size_mb * 1024 * 1024)
            peak = _peak_rss_kb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    mb = args.size_mb
    print(f"via {args.via}")
    print(f"baseline (1 MB upload): peak RSS {baseline / 1024:.1f} MB, {small['seconds']:.2f} s")
    print(f"large ({mb} MB upload): peak RSS {peak / 1024:.1f} MB, {big['seconds']:.2f} s "
          f"({mb / big['seconds']:.0f} MB/s)")
    print(f"ratio peak/baseline: {peak / baseline:.3f}  (growth {(peak - baseline) / 1024:.1f} MB for {mb} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
