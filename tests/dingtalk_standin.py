"""A stand-in for DingTalk's server API (oapi) on loopback: a small real HTTP server, for tests and the benchmark.

It implements the calls ChangePulse makes, with the parameters, JSON shapes and answers DingTalk documents:

- `GET /gettoken?appkey=…&appsecret=…` → `{"errcode": 0, "access_token": …, "expires_in": 7200}`; the same
  token while it is valid; wrong credentials → errcode 40089 "不合法的corpid或corpsecret".
- `POST /topapi/message/corpconversation/asyncsend_v2?access_token=…` with `agent_id`, `userid_list`, `msg`
  → `{"errcode": 0, "task_id": …, "request_id": …}`.
- `POST /topapi/v2/department/listsub` with `dept_id` → `{"errcode": 0, "result": [{"dept_id", "name",
  "parent_id", …}]}`; an unknown department → errcode 60003 "部门不存在".
- `POST /topapi/v2/user/list` with `dept_id`, `cursor`, `size` (≤ 100) → `{"errcode": 0, "result":
  {"has_more", "next_cursor", "list": [{"userid", "name", "job_number", "title", "email", "dept_id_list", …}]}}`.

Every call checks its access token: an expired one answers errcode 42001 "access_token超时", an unknown one
40014 "不合法的access_token". Calls over `qps` per second on one interface answer 90018 (DingTalk's limit
of an app's calls to one interface per second); `rate_limit_next(n)` makes the next n calls answer it too.
`expire_token_after(n)` ends the current token after n more calls (a token that expires mid-run).
A send to a userid the organisation does not have answers errcode 33012 "无效的USERID".
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.servers import free_port

RATE_LIMITED = {"errcode": 90018, "errmsg": "当前企业调用该接口的QPS超过了限制"}


class DingTalkStandIn:
    def __init__(self, app_key: str = "dingstandinkey", app_secret: str = "standin-secret", agent_id: int = 3045678):
        self.app_key, self.app_secret, self.agent_id = app_key, app_secret, agent_id
        self.port = free_port()
        self.lock = threading.Lock()
        self.users: dict[str, dict] = {}
        self.departments: dict[int, dict] = {}
        self.children_override: dict[int, list[dict]] = {}
        self.messages: list[dict] = []
        self.calls: Counter[str] = Counter()
        self.tokens: dict[str, float] = {}  # token → expires at (monotonic)
        self.token_fetches = 0
        self.qps: float | None = None
        self._window: dict[str, tuple[int, int]] = {}
        self._forced_rate_limits = 0
        self._expire_after: int | None = None
        self._task_ids = itertools.count(70000001)
        self.keep_messages = True
        self.sent_count = 0
        self.rate_limited = 0  # answers 90018 given
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- what a test sets up ---------------------------------------------------------------------------
    def add_user(self, userid: str, name: str, dept_ids=(1,), job_number: str = "", title: str = "", email: str = ""):
        self.users[userid] = {
            "userid": userid,
            "unionid": "union" + userid,
            "name": name,
            "job_number": job_number,
            "title": title,
            "email": email,
            "org_email": "",
            "mobile": "",
            "dept_id_list": list(dept_ids),
            "active": True,
            "admin": False,
            "boss": False,
            "leader": False,
        }

    def add_department(self, dept_id: int, name: str, parent_id: int) -> None:
        self.departments[dept_id] = {
            "dept_id": dept_id,
            "name": name,
            "parent_id": parent_id,
            "create_dept_group": False,
            "auto_add_user": False,
        }

    def rate_limit_next(self, count: int) -> None:
        with self.lock:
            self._forced_rate_limits += count

    def expire_token_after(self, calls: int) -> None:
        with self.lock:
            self._expire_after = calls

    def messages_to(self, userid: str) -> list[dict]:
        return [m for m in self.messages if m["userid"] == userid]

    # --- the server -------------------------------------------------------------------------------------
    def start(self) -> DingTalkStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _answer(self, payload: dict) -> None:
                body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path, _q, query = self.path.partition("?")
                params = dict(urllib.parse.parse_qsl(query))
                if path != "/gettoken":
                    return self._answer({"errcode": 404, "errmsg": "请求的URI地址不存在"})
                self._answer(standin._gettoken(params))

            def do_POST(self):
                path, _q, query = self.path.partition("?")
                params = dict(urllib.parse.parse_qsl(query))
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length).decode("utf-8") or "{}")
                except ValueError:
                    return self._answer({"errcode": 43004, "errmsg": "无效的HTTP HEADER Content-Type"})
                self._answer(standin._post(path, params.get("access_token"), body))

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True, name="dingtalk-standin").start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # --- the API ------------------------------------------------------------------------------------------
    def _gettoken(self, params: dict) -> dict:
        with self.lock:
            self.calls["/gettoken"] += 1
            if params.get("appkey") != self.app_key or params.get("appsecret") != self.app_secret:
                return {"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"}
            now = time.monotonic()
            for token, expires in self.tokens.items():
                if expires > now:
                    return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": int(expires - now)}
            token = secrets.token_hex(16)
            self.tokens[token] = now + 7200
            self.token_fetches += 1
            return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def _post(self, path: str, token: str | None, body: dict) -> dict:
        handlers = {
            "/topapi/message/corpconversation/asyncsend_v2": self._asyncsend_v2,
            "/topapi/v2/department/listsub": self._listsub,
            "/topapi/v2/user/list": self._user_list,
        }
        if path not in handlers:
            return {"errcode": 404, "errmsg": "请求的URI地址不存在"}
        with self.lock:
            self.calls[path] += 1
            now = time.monotonic()
            if token not in self.tokens:
                return {"errcode": 40014, "errmsg": "不合法的access_token"}
            if self.tokens[token] <= now:
                return {"errcode": 42001, "errmsg": "access_token超时"}
            if self._expire_after is not None:
                self._expire_after -= 1
                if self._expire_after < 0:
                    self._expire_after = None
                    for issued in self.tokens:
                        self.tokens[issued] = min(self.tokens[issued], now)
                    return {"errcode": 42001, "errmsg": "access_token超时"}
            if self._forced_rate_limits:
                self._forced_rate_limits -= 1
                self.rate_limited += 1
                return dict(RATE_LIMITED)
            if self.qps is not None:
                second = int(now)
                window_second, count = self._window.get(path, (second, 0))
                count = count + 1 if window_second == second else 1
                self._window[path] = (second, count)
                if count > self.qps:
                    self.rate_limited += 1
                    return dict(RATE_LIMITED)
            answer = handlers[path](body)
        answer.setdefault("request_id", secrets.token_hex(6))
        return answer

    def _asyncsend_v2(self, body: dict) -> dict:
        if str(body.get("agent_id")) != str(self.agent_id):
            return {"errcode": 33016, "errmsg": "无效的AgentID"}
        msg = body.get("msg") or {}
        card = msg.get("action_card") or {}
        if msg.get("msgtype") != "action_card" or not all(
            card.get(k) for k in ("title", "markdown", "single_title", "single_url")
        ):
            return {"errcode": 40035, "errmsg": "缺少参数 msg"}
        userids = [u for u in str(body.get("userid_list") or "").split(",") if u]
        if not userids:
            return {"errcode": 40035, "errmsg": "缺少参数 userid_list"}
        unknown = [u for u in userids if u not in self.users]
        if unknown:
            return {"errcode": 33012, "errmsg": "无效的USERID"}
        for userid in userids:
            self.sent_count += 1
            if self.keep_messages:
                self.messages.append({"userid": userid, "msg": msg})
        return {"errcode": 0, "errmsg": "ok", "task_id": next(self._task_ids)}

    def _children(self, dept_id: int) -> list[dict]:
        if dept_id in self.children_override:
            return self.children_override[dept_id]
        return [d for d in self.departments.values() if d["parent_id"] == dept_id]

    def _listsub(self, body: dict) -> dict:
        dept_id = body.get("dept_id")
        if dept_id != 1 and dept_id not in self.departments:
            return {"errcode": 60003, "errmsg": "部门不存在"}
        return {"errcode": 0, "errmsg": "ok", "result": [dict(d) for d in self._children(dept_id)]}

    def _user_list(self, body: dict) -> dict:
        dept_id, cursor, size = body.get("dept_id"), body.get("cursor"), body.get("size")
        if dept_id != 1 and dept_id not in self.departments:
            return {"errcode": 60003, "errmsg": "部门不存在"}
        if not isinstance(cursor, int) or not isinstance(size, int) or not 1 <= size <= 100:
            return {"errcode": 40035, "errmsg": "不合法的参数"}
        members = sorted((u for u in self.users.values() if dept_id in u["dept_id_list"]), key=lambda u: u["userid"])
        page = members[cursor : cursor + size]
        result: dict = {"has_more": cursor + size < len(members), "list": [dict(u) for u in page]}
        if result["has_more"]:
            result["next_cursor"] = cursor + size
        return {"errcode": 0, "errmsg": "ok", "result": result}


def standin_department_tree(standin: DingTalkStandIn, tree: dict[int, tuple[str, int]]) -> None:
    """Add departments from {dept_id: (name, parent_id)}."""
    for dept_id, (name, parent_id) in tree.items():
        standin.add_department(dept_id, name, parent_id)
