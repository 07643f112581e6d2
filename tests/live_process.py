"""The app as a real process (the Procfile's `web` command) on its own migrated SQLite file.

For tests about what a process does with its memory, its peer addresses and its command line:
`uvicorn_process(tmp_path, env={...})` yields a `LiveProcess` (base URL, pid, port).
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.migrate import upgrade
from tests.net import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@dataclass
class LiveProcess:
    url: str
    port: int
    pid: int
    database_url: str

    def peak_rss_kib(self) -> int:
        """VmHWM of the server process: the most resident memory it ever had."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise AssertionError("no VmHWM in /proc status")


def base_env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    return {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path / "media"),
            "PRIVATE_ROOT": str(tmp_path / "private"), "SMTP_URL": "", "SECRET_KEY": "live-test-secret",
            "LOG_LEVEL": "WARNING", "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def procfile() -> dict[str, str]:
    """The Procfile's process types and their commands."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def procfile_web() -> str:
    return procfile()["web"]


@contextmanager
def uvicorn_process(tmp_path: Path, *, env: Mapping[str, str] | None = None,
                    host: str = "127.0.0.1") -> Iterator[LiveProcess]:
    """The Procfile's `web` command itself (one worker, loopback), so what is tested is what is deployed."""
    environ = {**base_env(tmp_path), **(env or {})}
    upgrade(environ["DATABASE_URL"])
    port = free_port()
    command = procfile_web().replace("--host 0.0.0.0", f"--host {host}")
    environ.update({"PORT": str(port), "WEB_CONCURRENCY": "1"})
    proc = subprocess.Popen(["bash", "-c", f"exec {command}"], env=environ, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "uvicorn exited")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.1)
        yield LiveProcess(url=url, port=port, pid=proc.pid, database_url=environ["DATABASE_URL"])
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if proc.stderr:
            proc.stderr.close()


def send_chunked(port: int, path: str, *, headers: Mapping[str, str], prefix: bytes, total: int,
                 chunk_size: int = 1024 * 1024, host: str = "127.0.0.1") -> tuple[int, bytes, int]:
    """POST a chunked body of `total` bytes (`prefix` then filler), stopping as soon as the server answers.

    Returns (status, response body, bytes sent). Reading the answer the moment it is readable keeps a
    server that closes early (413 + Connection: close) from turning it into a connection reset."""
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Transfer-Encoding: chunked", "Connection: close"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    filler = b"a" * chunk_size
    sent = 0
    answer = b""
    with socket.create_connection((host, port), timeout=60) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        pending = memoryview(b"")
        finished = False
        sock.setblocking(False)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if not pending:
                if finished:
                    break
                piece = prefix if sent == 0 and prefix else filler[: min(chunk_size, total - sent)]
                if not piece:
                    pending, finished = memoryview(b"0\r\n\r\n"), True
                    continue
                sent += len(piece)
                pending = memoryview(b"%x\r\n" % len(piece) + piece + b"\r\n")
            readable, writable, _ = select.select([sock], [sock], [], 10)
            if readable:
                break
            if writable:
                try:
                    pending = pending[sock.send(pending):]
                except (BrokenPipeError, ConnectionResetError):
                    break
        sock.setblocking(True)
        sock.settimeout(30)
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
                if b"\r\n\r\n" in answer and _complete(answer):
                    break
        except (ConnectionResetError, TimeoutError):
            pass
    status_line, _, rest = answer.partition(b"\r\n")
    if not status_line:
        raise AssertionError(f"no answer after sending {sent} bytes")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2], sent


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return False
