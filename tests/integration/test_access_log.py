"""The real gunicorn access log never shows an invitation token or a receipt code."""

import contextlib
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from app.access_log import redact
from tests.servers import gunicorn

ROOT = Path(__file__).resolve().parents[2]


def test_redact_paths_and_queries():
    assert redact("/s/AbC-123_xyz", "") == ("/s/[redacted]", "")
    assert redact("/o/tok", "a=1") == ("/o/[redacted]", "a=1")
    assert redact("/board/receipt", "code=ABCD-EFGH&x=1") == ("/board/receipt", "code=[redacted]&x=1")
    assert redact("/respond", "") == ("/respond", "")


def test_gunicorn_access_log_has_no_tokens(tmp_path):
    log = tmp_path / "access.log"
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite'}", "SECRET_KEY": "x", "ACCESS_LOG": str(log)}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    with gunicorn(env, workers=1) as server:
        for path in ("/s/SECRETTOKEN123", "/o/OPENSECRET456", "/board/receipt?code=RCPT-CODE-7890"):
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(server.base + path, timeout=5)
    text = log.read_text()
    assert "/s/[redacted]" in text and "code=[redacted]" in text
    for secret in ("SECRETTOKEN123", "OPENSECRET456", "RCPT-CODE-7890"):
        assert secret not in text
