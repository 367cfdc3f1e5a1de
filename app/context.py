"""The app behind Flask's `current_app` proxy, for code that hands it to another thread or scheduler."""

from typing import cast

from flask import Flask, current_app
from werkzeug.local import LocalProxy


def current_app_object() -> Flask:
    """The application object itself, not the proxy (which is only valid inside this context).

    Flask types `current_app` as `Flask`, hiding that it is a `LocalProxy`; the cast says what it is."""
    return cast("LocalProxy[Flask]", current_app)._get_current_object()
