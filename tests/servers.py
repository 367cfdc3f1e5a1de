"""Real servers for integration tests and benchmarks: a fresh PostgreSQL database, Redis, gunicorn,
and a phone-like HTTP client that follows invitation links.

Nothing here skips: a missing server binary is an error (scripts/test.sh installs them).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, seconds: float, what: str, interval: float = 0.05):
    """Poll `check()` until it returns a truthy value; raise with `what` when the time is up."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what}")


def run_in_threads(function, argument_lists) -> None:
    """Call `function(*arguments)` for each list of arguments, each in a thread of its own; wait for all."""
    threads = [threading.Thread(target=function, args=tuple(arguments)) for arguments in argument_lists]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@contextmanager
def postgres_database(admin_url: str):
    """A new, empty database on the server of `admin_url`; dropped (connections and all) afterwards."""
    from sqlalchemy import create_engine, text

    name = "cp_" + uuid.uuid4().hex[:12]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class RedisServer:
    """redis-server on a free loopback port, without persistence; can be stopped and started again."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("redis-server not installed: run the suite with ./scripts/test.sh")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> RedisServer:
        import redis

        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def answers():
            try:
                return client.ping()
            except redis.exceptions.ConnectionError:
                return False

        wait_until(answers, 10, "redis-server")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def redis_server():
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


class Gunicorn:
    """The app under gunicorn (gunicorn.conf.py: workers, redacting access log) on a free loopback port."""

    def __init__(self, env: dict, workers: int = 4, app_spec: str = "app:create_app()", log_path: Path | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", app_spec],
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
            env={
                **os.environ,
                "WORKERS": str(workers),
                "BIND": f"127.0.0.1:{self.port}",
                "ACCESS_LOG": "/dev/null",
                "PYTHONPATH": str(ROOT),
                **env,
            },
        )
        try:
            self.wait_ready()
        except Exception:
            self.stop()
            raise

    def wait_ready(self, seconds: float = 60) -> None:
        """Until /healthz answers and every worker is up (after start, or after workers were killed)."""

        def ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).read()
            except OSError:
                return False
            return len(self.worker_pids()) == self.workers

        wait_until(ready, seconds, "gunicorn workers", interval=0.1)

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []

    def kill_worker(self, pid: int) -> bool:
        try:
            os.kill(pid, signal.SIGKILL)
            return True
        except ProcessLookupError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not subprocess.DEVNULL:
            self.log.close()


@contextmanager
def gunicorn(env: dict, workers: int = 4, app_spec: str = "app:create_app()", log_path: Path | None = None):
    server = Gunicorn(env, workers, app_spec, log_path)
    try:
        yield server
    finally:
        server.stop()


class WebhookRobot:
    """A DingTalk custom robot on loopback: records each POST (path, JSON body, time) and answers 500 to the
    first `failures` of them, then `{"errcode": 0}`."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.received: list[tuple[str, dict, float]] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                robot.received.append((self.path, body, time.time()))
                if robot.failures > 0:
                    robot.failures -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode":0,"errmsg":"ok"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/robot/send?access_token=t"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookRobot:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class Phone:
    """One employee's browser: a keep-alive connection with its own cookie jar."""

    def __init__(self, base: str, timeout: float = 60):
        parts = urlsplit(base)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        self.cookie = ""

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None) -> tuple[int, str]:
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, text

    def open_invitation(self, token: str) -> tuple[int, str | None]:
        """Follow /s/<token> to the form; returns (status, CSRF token of the form or None)."""
        self.cookie = ""
        status, _ = self.request("GET", f"/s/{token}")
        if status != 303:
            return status, None
        status, html = self.request("GET", "/respond")
        match = CSRF.search(html)
        return status, match.group(1) if match else None

    def post_answers(self, answers: dict, csrf: str) -> int:
        body = urlencode({**answers, "csrf_token": csrf}, doseq=True)
        status, _ = self.request("POST", "/respond", body)
        return status

    def answer(self, token: str, answers: dict) -> int:
        """The whole flow of one invitation; the POST's status (303 = stored), or the link's status."""
        status, csrf = self.open_invitation(token)
        if csrf is None:
            return status
        return self.post_answers(answers, csrf)
