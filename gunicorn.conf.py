"""gunicorn settings for ChangePulse (`gunicorn -c gunicorn.conf.py "app:create_app()"`).

Workers from the CPU count (override with WORKERS); the access log goes through a logger that
replaces invitation tokens (/s/…, /o/…) and receipt codes (?code=…) with "[redacted]".
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '5000')}")
workers = int(os.environ.get("WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
logger_class = "app.access_log.RedactingLogger"
