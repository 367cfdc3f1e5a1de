"""DingTalk work notifications (工作通知) and address-book reads through a company-internal app (oapi).

`GET /gettoken?appkey=…&appsecret=…` gives an access token, cached until it expires and fetched again
when a call answers errcode 40014, 42001 or 88 (once; the same answer again is an error). Calls are
spaced to at most DINGTALK_RATE_PER_SECOND; a rate-limit answer (90018: an app's calls to one interface
per second, 90006/90005 per minute, 90002 all interfaces, -1 system busy) is retried with exponential
backoff. Any other errcode of a send is that person's failed delivery, with DingTalk's errmsg. No
connection (or an HTTP error) is `DingTalkUnavailable`: the deliveries stay pending and are retried.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from app.delivery.channel import Channel, ChannelError, ChannelUnavailable, Message, Outcome, Send

TOKEN_ERRORS = frozenset({40014, 42001, 88})
RATE_LIMIT_ERRORS = frozenset({90018, 90006, 90005, 90002, -1})
BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0)
TIMEOUT_SECONDS = 10
USER_PAGE_SIZE = 100  # the largest page /topapi/v2/user/list accepts
ROOT_DEPARTMENT = 1


class DingTalkUnavailable(Exception):
    """The API did not answer (no connection, timeout, HTTP error) or kept answering "rate limited"."""


class DingTalkError(Exception):
    """DingTalk answered a call with an errcode; `errmsg` is its text."""

    def __init__(self, errcode: int, errmsg: str):
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


@dataclass(frozen=True)
class DingTalkSettings:
    app_key: str | None
    app_secret: str | None
    agent_id: str | None
    api_base: str
    rate_per_second: float


_tokens: dict[tuple[str, str], tuple[str, float]] = {}  # (api base, app key) → (token, expires at, monotonic)
_tokens_lock = threading.Lock()


class DingTalkClient:
    """The oapi calls ChangePulse makes; one instance may be shared by threads."""

    def __init__(self, settings: DingTalkSettings, sleep: Callable[[float], None] = time.sleep):
        if not settings.app_key or not settings.app_secret:
            raise ChannelError("未配置钉钉应用：请设置 DINGTALK_APP_KEY 和 DINGTALK_APP_SECRET")
        self.settings, self.sleep = settings, sleep
        self.app_key, self.app_secret = settings.app_key, settings.app_secret  # both present (checked above)
        self.base = settings.api_base.rstrip("/")
        self._interval = 1.0 / settings.rate_per_second if settings.rate_per_second > 0 else 0.0
        self._next_call = 0.0
        self._pace_lock = threading.Lock()

    # --- the access token -------------------------------------------------------------------------
    def token(self, refresh: bool = False) -> str:
        key = (self.base, self.app_key)
        with _tokens_lock:
            cached = _tokens.get(key)
            if cached and not refresh and time.monotonic() < cached[1]:
                return cached[0]
            query = urllib.parse.urlencode({"appkey": self.app_key, "appsecret": self.app_secret})
            answer = self._http("GET", f"/gettoken?{query}", None)
            if answer.get("errcode", 0) != 0:
                raise ChannelError(
                    f"钉钉拒绝了应用凭证（errcode {answer.get('errcode')}）：{answer.get('errmsg', '')}"
                    "。请检查 DINGTALK_APP_KEY 和 DINGTALK_APP_SECRET"
                )
            expires_in = float(answer.get("expires_in") or 7200)
            token = answer["access_token"]
            _tokens[key] = (token, time.monotonic() + max(expires_in - 60, expires_in / 2))
            return token

    # --- one call with token refresh and rate-limit backoff ----------------------------------------
    def call(self, path: str, body: dict) -> dict:
        """POST `body` to `path`; returns the answer with errcode 0 or raises DingTalkError."""
        refreshed = False
        backoff = iter(BACKOFF_SECONDS)
        while True:
            self._pace()
            answer = self._http("POST", f"{path}?access_token={urllib.parse.quote(self.token())}", body)
            errcode = int(answer.get("errcode", 0) or 0)
            if errcode == 0:
                return answer
            errmsg = str(answer.get("errmsg", ""))
            if errcode in TOKEN_ERRORS:
                if refreshed:
                    raise ChannelError(f"钉钉拒绝了访问凭证（errcode {errcode}）：{errmsg}")
                self.token(refresh=True)
                refreshed = True
                continue
            if errcode in RATE_LIMIT_ERRORS:
                delay = next(backoff, None)
                if delay is None:
                    raise DingTalkUnavailable(f"钉钉持续限流（errcode {errcode}）：{errmsg}")
                self.sleep(delay)
                continue
            raise DingTalkError(errcode, errmsg)

    def _pace(self) -> None:
        if not self._interval:
            return
        with self._pace_lock:
            now = time.monotonic()
            wait = self._next_call - now
            self._next_call = max(now, self._next_call) + self._interval
        if wait > 0:
            self.sleep(wait)

    def _http(self, method: str, path_and_query: str, body: dict | None) -> dict:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.base + path_and_query,
            data=data,
            method=method,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return json.loads(response.read().decode("utf-8") or "{}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise DingTalkUnavailable(f"无法访问钉钉接口 {self.base}：{exc}") from exc

    # --- work notifications ------------------------------------------------------------------------
    def send_action_card(self, userid: str, title: str, markdown: str, action: str, url: str) -> int | None:
        """One work notification to one person; returns DingTalk's task_id."""
        answer = self.call(
            "/topapi/message/corpconversation/asyncsend_v2",
            {
                "agent_id": self.settings.agent_id,
                "userid_list": userid,
                "msg": {
                    "msgtype": "action_card",
                    "action_card": {"title": title, "markdown": markdown, "single_title": action, "single_url": url},
                },
            },
        )
        return answer.get("task_id")

    # --- the address book ----------------------------------------------------------------------------
    def sub_departments(self, dept_id: int) -> list[dict]:
        """`[{dept_id, name, parent_id, …}]` directly under `dept_id`."""
        answer = self.call("/topapi/v2/department/listsub", {"dept_id": dept_id, "language": "zh_CN"})
        return list(answer.get("result") or [])

    def users(self, dept_id: int) -> Iterator[dict]:
        """Every user of a department (`userid, name, job_number, title, email, dept_id_list, …`), page by page."""
        cursor: int | None = 0
        while True:
            answer = self.call(
                "/topapi/v2/user/list",
                {"dept_id": dept_id, "cursor": cursor, "size": USER_PAGE_SIZE, "language": "zh_CN"},
            )
            result = answer.get("result") or {}
            yield from result.get("list") or []
            if not result.get("has_more"):
                return
            cursor = result.get("next_cursor")


def settings_from(config) -> DingTalkSettings:
    return DingTalkSettings(
        app_key=config.get("DINGTALK_APP_KEY"),
        app_secret=config.get("DINGTALK_APP_SECRET"),
        agent_id=config.get("DINGTALK_AGENT_ID"),
        api_base=config.get("DINGTALK_API_BASE") or "https://oapi.dingtalk.com",
        rate_per_second=float(config.get("DINGTALK_RATE_PER_SECOND") or 0),
    )


def markdown_of(message: Message) -> str:
    """The action card's body: DingTalk markdown, with the directory's and the title's text escaped."""
    parts = [f"### {escape_markdown(message.subject)}", escape_markdown(message.greeting)]
    parts += [escape_markdown(line) for line in message.lines]
    parts.append(f"**{escape_markdown(message.notice_title)}**")
    parts += [f"- {escape_markdown(line)}" for line in message.notice]
    return "\n\n".join(parts)


def escape_markdown(text: str) -> str:
    """Text shown as itself in DingTalk markdown: its markup characters escaped, its whitespace one space."""
    return "".join("\\" + ch if ch in "\\`*_[]()#>!|" else ch for ch in " ".join(text.split()))


class DingTalkChannel(Channel):
    name = "dingtalk"
    missing_address = "没有钉钉 ID"

    def __init__(self, settings: DingTalkSettings):
        self.settings = settings

    @classmethod
    def from_config(cls, config) -> DingTalkChannel:
        return cls(settings_from(config))

    def address(self, person) -> str | None:
        return person.dingtalk_userid or None

    @contextmanager
    def batch(self) -> Iterator[Send]:
        if not self.settings.agent_id:
            raise ChannelError("未配置钉钉应用：请设置 DINGTALK_AGENT_ID")
        client = DingTalkClient(self.settings)
        try:
            client.token()
        except DingTalkUnavailable as exc:
            raise ChannelUnavailable(str(exc)) from exc

        def send(userid: str, message: Message) -> Outcome:
            try:
                client.send_action_card(userid, message.subject, markdown_of(message), message.action, message.url)
            except DingTalkError as exc:
                return Outcome.failed(f"钉钉 errcode {exc.errcode}：{exc.errmsg}")
            except DingTalkUnavailable as exc:
                return Outcome.retry_later(str(exc), channel_down=True)
            return Outcome.sent()

        yield send
