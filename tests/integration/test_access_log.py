"""The real gunicorn access log never shows an invitation token or a receipt code."""
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from app.access_log import redact

ROOT = Path(__file__).resolve().parents[2]


def test_redact_paths_and_queries():
    assert redact("/s/AbC-123_xyz", "") == ("/s/[redacted]", "")
    assert redact("/o/tok", "a=1") == ("/o/[redacted]", "a=1")
    assert redact("/board/receipt", "code=ABCD-EFGH&x=1") == ("/board/receipt", "code=[redacted]&x=1")
    assert redact("/respond", "") == ("/respond", "")


def test_gunicorn_access_log_has_no_tokens(tmp_path):
    from benchmarks._server import free_port
    port = free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite'}", "SECRET_KEY": "x", "WORKERS": "1",
           "PORT": str(port), "ACCESS_LOG": str(log)}
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "app:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        for path in ("/s/SECRETTOKEN123", "/o/OPENSECRET456", "/board/receipt?code=RCPT-CODE-7890"):
            try:
                urllib.request.urlopen(base + path, timeout=5)
            except urllib.error.HTTPError:
                pass
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = log.read_text()
    assert "/s/[redacted]" in text and "code=[redacted]" in text
    for secret in ("SECRETTOKEN123", "OPENSECRET456", "RCPT-CODE-7890"):
        assert secret not in text
