"""Configuration classes. Every setting can be overridden by an environment variable of the same name."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_ints(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """Comma-separated whole numbers, such as `30,300`."""
    value = os.environ.get(name)
    return tuple(int(part) for part in value.split(",") if part.strip()) if value not in (None, "") else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _env_bool(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


class Config:
    """Settings shared by every environment; safe defaults for a developer's machine."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", "sqlite:///" + str(BASE_DIR / "instance" / "changepulse.sqlite")
    )
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    ANONYMITY_MIN_GROUP = _env_int("ANONYMITY_MIN_GROUP", 5)
    ANONYMITY_MIN_GROUP_TEXT = _env_int("ANONYMITY_MIN_GROUP_TEXT", 10)
    REDIS_URL = os.environ.get("REDIS_URL") or None
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    # Reverse proxies (nginx) in front of gunicorn whose X-Forwarded-For/-Proto are trusted. Behind one
    # proxy set 1: otherwise every request seems to come from the proxy and per-address limits are global.
    PROXY_COUNT = _env_int("PROXY_COUNT", 0)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    RATELIMIT_SWALLOW_ERRORS = True  # a rate-limit store that is down must not turn pages into errors
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    JOB_HEARTBEAT_SECONDS = _env_int("JOB_HEARTBEAT_SECONDS", 10)
    JOB_STALE_SECONDS = _env_int("JOB_STALE_SECONDS", 120)  # no heartbeat this long: the job's process died
    # the in-process scheduler (no Redis) looks this often for due jobs other processes recorded
    SCHEDULER_POLL_SECONDS = _env_int("SCHEDULER_POLL_SECONDS", 30)
    SCHEDULER_PERIODIC = os.environ.get("SCHEDULER_PERIODIC", "1") != "0"  # periodic tasks (automatic reminders)
    NOTIFY_WEBHOOK_URL = os.environ.get("NOTIFY_WEBHOOK_URL") or None
    NOTIFY_WEBHOOK_SECRET = os.environ.get("NOTIFY_WEBHOOK_SECRET") or None
    # seconds before each further attempt of a status notification that failed (no attempt after the last)
    NOTIFY_RETRY_SECONDS = _env_ints("NOTIFY_RETRY_SECONDS", (30, 300))
    ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "示例集团")

    # Invitations and reminders by e-mail (SMTP) and DingTalk work notification (a company-internal app).
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")  # STARTTLS after connecting
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")  # TLS from the start (port 465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM") or None
    DINGTALK_APP_KEY = os.environ.get("DINGTALK_APP_KEY") or None
    DINGTALK_APP_SECRET = os.environ.get("DINGTALK_APP_SECRET") or None
    DINGTALK_AGENT_ID = os.environ.get("DINGTALK_AGENT_ID") or None
    DINGTALK_API_BASE = os.environ.get("DINGTALK_API_BASE", "https://oapi.dingtalk.com")
    DINGTALK_RATE_PER_SECOND = _env_float("DINGTALK_RATE_PER_SECOND", 20)  # DingTalk allows 40 calls/s per API
    QUIET_HOURS = os.environ.get("QUIET_HOURS", "21:00-08:00")  # in BABEL_DEFAULT_TIMEZONE; empty: none
    REMINDER_MIN_HOURS = _env_float("REMINDER_MIN_HOURS", 12)  # a reminder never follows a message sooner
    DELIVERY_RETRY_MINUTES = _env_float("DELIVERY_RETRY_MINUTES", 5)  # first retry of an unreachable server
    DELIVERY_CLAIM_SECONDS = _env_int("DELIVERY_CLAIM_SECONDS", 300)  # a send claimed longer ago was interrupted
    DELIVERY_CONCURRENCY = _env_int("DELIVERY_CONCURRENCY", 4)  # messages on their way at once (SMTP connections)
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 5 * 1024 * 1024)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = _env_int("WTF_CSRF_TIME_LIMIT", 3600 * 8)

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ("zh", "en")

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = os.environ.get("SECRET_KEY", "testing-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False
    SCHEDULER_PERIODIC = False  # a test that wants periodic tasks turns them on


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        """Refuse to start a production server without its required settings."""
        missing = [name for name in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError("Production requires environment variables: " + ", ".join(missing))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
