"""Background jobs: on RQ when REDIS_URL is set, otherwise in a thread of the app process.

Job functions take plain arguments (ids) and open their own app context, so the same function runs
under an RQ worker on any host or in-process; it is never run inside the request that started it.
"""
from __future__ import annotations

import importlib
import threading

from flask import Flask, current_app

QUEUE = "changepulse"


def enqueue(function_path: str, *args) -> str:
    """Start `module:function(*args)`; returns "rq:<id>" or "thread"."""
    app = current_app._get_current_object()
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        from redis import Redis
        from redis.exceptions import RedisError
        from rq import Queue
        try:
            job = Queue(QUEUE, connection=Redis.from_url(redis_url, socket_connect_timeout=2)).enqueue(
                "app.jobs.run_job", function_path, *args, job_timeout=3600)
            return f"rq:{job.id}"
        except RedisError as exc:  # Redis down: the work is not lost, it runs here instead
            app.logger.warning("Redis unavailable (%s); running %s in-process", exc, function_path)
    thread = threading.Thread(target=_run_in_app, args=(app, function_path, args), daemon=True)
    thread.start()
    return "thread"


def _resolve(function_path: str):
    module, name = function_path.split(":")
    return getattr(importlib.import_module(module), name)


def _run_in_app(app: Flask, function_path: str, args) -> None:
    with app.app_context():
        _resolve(function_path)(*args)


def run_job(function_path: str, *args) -> None:
    """Entry point for RQ workers: runs the job in the current app, or in one built from the environment."""
    from flask import has_app_context
    if has_app_context():
        _resolve(function_path)(*args)
        return
    from app import create_app
    _run_in_app(create_app(), function_path, args)
