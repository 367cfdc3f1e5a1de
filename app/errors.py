"""Error pages in the user's language; JSON errors for the API. A 500 is always a bug, but a polite one."""

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: _l("请求无效。"),
    401: _l("需要登录。"),
    403: _l("你没有权限访问此页面。"),
    404: _l("页面不存在。"),
    405: _l("不支持此请求方式。"),
    413: _l("提交的内容太大。"),
    429: _l("操作过于频繁，请稍后再试。"),
    500: _l("服务器出错了，我们已记录此问题。"),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(code: int, message: str):
    if _wants_json():
        return jsonify(error=code, message=message), code
    return render_template("errors/error.html", code=code, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, _("页面已过期或请求来源无法验证，请返回刷新后重试。"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        body, status = _render(code, str(MESSAGES.get(code, error.description or "")))
        # keep what the exception says beyond its page, such as the Allow header a 405 must carry (RFC 9110)
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("unhandled error")
        return _render(500, str(MESSAGES[500]))
