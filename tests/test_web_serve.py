"""`talentmatch serve --processes N`: several waitress processes on one socket, stopped together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from web_support import build_site


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in found.stdout.split()]


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def test_several_processes_serve_one_port_and_stop_together(tmp_path):
    site = build_site(tmp_path, workers=10)
    port = _free_port()
    command = [sys.executable, "-m", "matcher", "--db", str(site.db_path)]
    command += ["--models", str(site.models_dir), "serve", "--port", str(port)]
    command += ["--processes", "2", "--threads", "2"]
    env = {**os.environ, "TALENTMATCH_SECRET_KEY": "test-secret"}
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(f"http://127.0.0.1:{port}/sign-in", server, log)
        children = _children(server.pid)
        assert len(children) == 2
        bearer = {"Authorization": f"Bearer {site.token('recruiter@acme.example')}"}
        for _ in range(6):  # several requests, whichever process accepts them
            url = f"http://127.0.0.1:{port}/api/v1/jobs/ACME-1/shortlist?limit=3"
            with urllib.request.urlopen(urllib.request.Request(url, headers=bearer)) as answer:
                assert answer.status == 200 and b'"job":"ACME-1"' in answer.read()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    assert server.returncode == 0
    assert all(not os.path.exists(f"/proc/{pid}") for pid in children)
