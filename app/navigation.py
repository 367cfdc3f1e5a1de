"""The menu and where each role lands: each menu entry names its endpoint and roles; entries whose endpoint
does not exist are hidden."""

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object
    roles: tuple[str, ...]


MENU = (
    NavEntry("campaigns.index", _l("问卷活动"), ("manager", "admin")),
    NavEntry("instruments.index", _l("问卷设计"), ("manager", "admin")),
    NavEntry("themes.index", _l("意见主题"), ("manager",)),
    NavEntry("committee.index", _l("改进建议"), ("committee", "manager")),
    NavEntry("reports.index", _l("季度报告"), ("manager", "committee")),
    NavEntry("board.index", _l("公示栏"), ("admin", "manager", "committee")),
    NavEntry("admin.people", _l("人员"), ("admin",)),
    NavEntry("admin.people_import", _l("导入人员"), ("admin",)),
    NavEntry("admin.metrics_import", _l("使用数据"), ("admin", "manager")),
    NavEntry("admin.users", _l("账号"), ("admin",)),
    NavEntry("admin.dictionary", _l("分词词典"), ("admin", "manager")),
    NavEntry("auth.change_password", _l("修改密码"), ("admin", "manager", "committee")),
)


def home_for(user) -> str:
    """Where a signed-in staff user lands (after login, and on `/`): the password change when an admin
    reset their password, otherwise `/`, which shows each role the work waiting for it."""
    if user.must_change_password:
        return url_for("auth.change_password")
    return url_for("main.index")


def nav_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for entry in MENU:
        if current_user.role in entry.roles and entry.endpoint in current_app.view_functions:
            items.append(
                {"url": url_for(entry.endpoint), "label": entry.label, "active": request.endpoint == entry.endpoint}
            )
    return items


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def init_app(app) -> None:
    app.jinja_env.globals.update(nav_items=nav_items, has_endpoint=has_endpoint)
