"""Links in emails follow the address the service was started on, unless
TALENTMATCH_BASE_URL says otherwise: the web server, and the separate sending processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from notification_fixtures import FaultySmtpHandler, free_port, start_smtp
from test_web_serve import _wait_until_serving
from web_support import ACME_EMAIL, build_site

from matcher.config import Settings, load_settings, url_for_address

KEY = "test-secret"


@pytest.fixture
def smtp():
    handler = FaultySmtpHandler()
    controller = start_smtp(handler)
    yield handler, controller.port
    controller.stop()


def wait_for_mail(handler, count: int, seconds: float = 30.0) -> list:
    deadline = time.monotonic() + seconds
    while len(handler.received) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(handler.received) >= count, f"{len(handler.received)} emails, wanted {count}"
    return handler.received


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def environment(site, smtp_port: int, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENTMATCH_")}
    return env | {
        "TALENTMATCH_DB": str(site.db_path),
        "TALENTMATCH_MODELS": str(site.models_dir),
        "TALENTMATCH_SECRET_KEY": KEY,
        "TALENTMATCH_SMTP_PORT": str(smtp_port),
        **extra,
    }


def contact_by_api(base: str, token: str, worker: str) -> None:
    body = {"job": "ACME-1", "worker": worker, "stage": "contacted", "message": "Hello"}
    request = urllib.request.Request(
        f"{base}/api/v1/outcomes",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 201


def test_the_served_port_is_in_the_links_the_server_mails(tmp_path, smtp):
    handler, smtp_port = smtp
    site = build_site(tmp_path, workers=6)
    port = free_port()
    command = [sys.executable, "-m", "matcher", "serve", "--port", str(port)]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            command, env=environment(site, smtp_port), stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(f"{base}/sign-in", server, log)
        contact_by_api(base, site.token(ACME_EMAIL), "W2")
        [message] = wait_for_mail(handler, 1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    text = text_of(message)
    assert f"{base}/me/jobs/ACME-1" in text and f"{base}/email/contact-requests/" in text
    assert f"links in emails start with {base}" in log.read_text()


def test_a_sending_process_uses_the_port_it_is_told_and_the_base_url_wins(tmp_path, smtp):
    handler, smtp_port = smtp
    site = build_site(tmp_path, workers=6)
    client = site.client()
    headers = {"Authorization": f"Bearer {site.token(ACME_EMAIL)}"}
    for worker in ("W2", "W3"):
        body = {"job": "ACME-1", "worker": worker, "stage": "contacted"}
        assert client.post("/api/v1/outcomes", json=body, headers=headers).status_code == 201
    send = [sys.executable, "-m", "matcher", "send-emails"]
    db = site.db()
    db.execute("UPDATE email_outbox SET status = 'failed' WHERE dedupe_key = 'contact_request:2'")
    env = environment(site, smtp_port, TALENTMATCH_PORT="8101")  # as `make run PORT=8101`
    subprocess.run(send, env=env, check=True, capture_output=True)
    assert "http://127.0.0.1:8101/email/contact-requests/" in text_of(wait_for_mail(handler, 1)[0])

    db.execute("UPDATE email_outbox SET status = 'pending' WHERE dedupe_key = 'contact_request:2'")
    env["TALENTMATCH_BASE_URL"] = "https://jobs.example/"
    subprocess.run(send, env=env, check=True, capture_output=True)
    text = text_of(wait_for_mail(handler, 2)[1])
    assert "https://jobs.example/email/contact-requests/" in text and ":8101" not in text
    db.close()


def test_base_url_follows_host_and_port_unless_set():
    assert Settings().base_url == "http://127.0.0.1:8000"
    assert load_settings({"TALENTMATCH_PORT": "8101"}).base_url == "http://127.0.0.1:8101"
    told = load_settings({"TALENTMATCH_PORT": "8101", "TALENTMATCH_BASE_URL": "https://a.example"})
    assert told.base_url == "https://a.example"
    assert told.served_at("127.0.0.1", 9000).base_url == "https://a.example"
    assert load_settings({}).served_at("0.0.0.0", 9000).base_url == "http://127.0.0.1:9000"
    assert url_for_address("::1", 8101) == "http://[::1]:8101"


def test_make_run_passes_the_port_to_every_process():
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8101"], capture_output=True, text=True, check=True
    ).stdout
    assert "export TALENTMATCH_HOST='127.0.0.1' TALENTMATCH_PORT='8101'" in dry_run
    assert "talentmatch scheduler" in dry_run.split("TALENTMATCH_PORT='8101'")[1]
