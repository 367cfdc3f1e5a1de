"""Status-change notifications to a DingTalk custom robot style webhook, with signing and retries.

Signing follows DingTalk's documented scheme: sign = urlencode(base64(HMAC-SHA256(key=secret,
msg=f"{timestamp}\\n{secret}"))), sent as `&timestamp=…&sign=…` on the webhook URL. Delivery runs as a
background job, one attempt per run: a failed attempt is retried after NOTIFY_RETRY_SECONDS by the job
runner's scheduling (RQ's Retry, or the in-process scheduler), never by sleeping inside the job. Every attempt
is logged in webhook_deliveries and a failure never touches the suggestion's transition, which is already
committed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.extensions import db
from app.jobs import RetryLater
from app.models import WebhookDelivery
from app.models.types import utcnow


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str | None, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms or int(time.time() * 1000)
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(timestamp_ms, secret)}"


def markdown_message(suggestion, from_status, to_status, note) -> dict:
    """The robot's message, in the organisation's language (the default locale), whoever made the change."""
    from app.committee.workflow import STATUS_LABELS

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        before, after = str(STATUS_LABELS.get(from_status, from_status or "")), str(STATUS_LABELS[to_status])
        text = f"### {_('改进建议状态更新')}\n\n**{suggestion.title}**\n\n{before} → **{after}**"
        title = _("建议状态：%(status)s", status=after)
    if note:
        text += f"\n\n> {note}"
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def queue_notification(suggestion, from_status, to_status, note) -> WebhookDelivery | None:
    """Record a delivery and start the job, if a webhook is configured."""
    if not current_app.config.get("NOTIFY_WEBHOOK_URL"):
        return None
    delivery = WebhookDelivery(
        event="suggestion.status",
        suggestion_id=suggestion.id,
        payload=markdown_message(suggestion, from_status, to_status, note),
    )
    db.session.add(delivery)
    db.session.commit()
    from app.jobs import enqueue

    enqueue(
        "webhook",
        delivery.id,
        target=("suggestion", suggestion.id),
        retry_delays=current_app.config["NOTIFY_RETRY_SECONDS"],
    )
    return delivery


def deliver(delivery_id: int) -> None:
    """One attempt to post the delivery's message. A failed one is logged and raises RetryLater: the job is
    tried again after its next retry delay, and when none is left `fail_delivery` marks the delivery failed."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status == "delivered":
        return
    url = current_app.config["NOTIFY_WEBHOOK_URL"]
    secret = current_app.config.get("NOTIFY_WEBHOOK_SECRET")
    delivery.attempts += 1
    try:
        _post(signed_url(url, secret), json.dumps(delivery.payload, ensure_ascii=False).encode("utf-8"))
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
        delivery.status, delivery.last_error = "retrying", str(exc)[:500]
        db.session.commit()
        raise RetryLater(f"通知发送失败：{delivery.last_error}") from exc
    delivery.status, delivery.delivered_at, delivery.last_error = "delivered", utcnow(), None
    db.session.commit()


def _post(url: str, body: bytes) -> None:
    """POST JSON to the robot; its answer must be errcode 0."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        answer = json.loads(response.read().decode("utf-8") or "{}")
    if answer.get("errcode", 0) != 0:
        raise ValueError(f"errcode {answer.get('errcode')}: {answer.get('errmsg')}")


def fail_delivery(message: str, delivery_id: int) -> None:
    """The delivery's job died, failed unexpectedly or used up its attempts: the log says so, with why."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is not None and delivery.status != "delivered":
        delivery.status, delivery.last_error = "failed", message[:500]


def deliveries_for(session, suggestion_id: int) -> list[WebhookDelivery]:
    """The suggestion's notifications, newest first, after marking those whose job died as failed."""
    from sqlalchemy import select

    from app.jobs import check_all

    check_all(session, "suggestion", suggestion_id)
    return list(
        session.execute(
            select(WebhookDelivery)
            .where(WebhookDelivery.suggestion_id == suggestion_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(20)
        ).scalars()
    )
