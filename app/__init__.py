"""ChangePulse (变革脉搏): the Flask application factory."""

import os

# Every process of the app imports this package first (gunicorn, flask, rq workers, in-process jobs), before
# numpy loads. NumPy marks each large array MADV_HUGEPAGE; where the kernel's THP defrag is `madvise` (the
# Debian and Ubuntu default) a fault on such memory can stall in synchronous compaction (numpy/numpy#31590):
# the vectorise stage of a 100k-comment theme run took 8.0 s with the advice and 4.6 s without it
# (benchmarks/themes_speed.py). NUMPY_MADVISE_HUGEPAGE=1 in the environment turns it back on.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from flask import Flask

from config import CONFIGS, Config


def create_app(config_name_or_object: str | type | object | None = None) -> Flask:
    """Build an app from a config name ('development', 'testing', 'production'), class or object."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(_resolve_config(config_name_or_object))
    _ensure_sqlite_folder(app)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        proxies = int(app.config["PROXY_COUNT"])
        # Flask's documented way to wrap its WSGI app; mypy takes wsgi_app for a method that cannot be replaced
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    from app import access, cli, errors, extensions, i18n, jobs, navigation, routing, security

    routing.init_app(app)  # before any blueprint: their rules are built with the app's converters
    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(_migrations_dir()), render_as_batch=True, compare_type=True
    )
    extensions.csrf.init_app(app)
    extensions.login_manager.init_app(app)
    extensions.limiter.init_app(app)
    i18n.init_app(app)
    navigation.init_app(app)
    security.init_app(app)
    access.init_app(app)
    errors.init_app(app)
    jobs.init_app(app)
    cli.init_app(app)

    from app import sqlite  # noqa: F401  (registers engine event hooks)
    from app.admin.routes import bp as admin_bp
    from app.auth.routes import bp as auth_bp
    from app.campaigns.routes import bp as campaigns_bp
    from app.main.routes import bp as main_bp
    from app.respond.routes import bp as respond_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(campaigns_bp, url_prefix="/campaigns")
    app.register_blueprint(respond_bp)
    from app.api import auth as api_auth  # noqa: F401  (registers the bearer-token loader)
    from app.api.routes import bp as api_bp
    from app.results.routes import bp as results_bp

    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(results_bp, url_prefix="/results")
    from app.themes.routes import bp as themes_bp

    app.register_blueprint(themes_bp, url_prefix="/themes")
    from app.board.routes import bp as board_bp
    from app.committee.routes import bp as committee_bp

    app.register_blueprint(committee_bp, url_prefix="/committee")
    app.register_blueprint(board_bp, url_prefix="/board")
    from app.reports.routes import bp as reports_bp

    app.register_blueprint(reports_bp, url_prefix="/reports")
    from app.instruments.routes import bp as instruments_bp

    app.register_blueprint(instruments_bp, url_prefix="/instruments")

    from app.campaigns import cli as campaigns_cli

    campaigns_cli.init_app(app)
    from app.instruments import cli as instruments_cli

    instruments_cli.init_app(app)
    from app.themes import cli as themes_cli

    themes_cli.init_app(app)
    from app.metrics import cli as metrics_cli

    metrics_cli.init_app(app)
    from app.board import cli as board_cli

    board_cli.init_app(app)
    return app


def _resolve_config(config_name_or_object):
    import os

    if config_name_or_object is None:
        config_name_or_object = os.environ.get("CHANGEPULSE_CONFIG", "development")
    if isinstance(config_name_or_object, str):
        config = CONFIGS[config_name_or_object]
    else:
        config = config_name_or_object
    check = getattr(config, "check", None)
    if callable(check):
        check()
    return config


def _ensure_sqlite_folder(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:///:memory:"):
        from pathlib import Path

        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


__all__ = ["Config", "create_app"]
