"""Delivery throughput: invitations by e-mail to a loopback SMTP sink and by DingTalk to the loopback stand-in.

    .venv/bin/python benchmarks/delivery.py [--people 10000] [--dingtalk-rate 100]

Loads N people (with e-mail and DingTalk ids) and an open campaign into a fresh SQLite file, then runs
`send_invitations` — the function behind `flask invitations send` and the page's job, with its claims
and delivery log — once per channel. The SMTP sink (aiosmtpd) and the DingTalk stand-in run in a
process of their own, so they do not share the sender's interpreter. Prints messages/s for each, the
e-mail figure next to a baseline measured in the same run (one new SMTP connection per message, as a
sender without connection reuse does), the DingTalk figure next to the configured rate, the counts the
servers received, and the peak RSS of the sending process.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import smtplib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _servers(people, ready, stop, counts):
    """Child process: the SMTP sink and the DingTalk stand-in until told to stop; reports what they got."""
    from tests.dingtalk_standin import DingTalkStandIn
    from tests.smtp_sink import SmtpSink

    sink = SmtpSink(keep=False).start()
    standin = DingTalkStandIn()
    for i in range(people):
        standin.add_user(f"u{i}", f"员工{i}")
    standin.start()
    standin.keep_messages = False
    ready.put(
        {
            "smtp_port": sink.port,
            "dingtalk": standin.url,
            "key": standin.app_key,
            "secret": standin.app_secret,
            "agent": standin.agent_id,
        }
    )
    stop.wait()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    counts.put(
        {
            "smtp": sink.handler.count,
            "smtp_connections": sink.handler.connections,
            "dingtalk": standin.sent_count,
            "dingtalk_rate_limited": standin.rate_limited,
            "cpu": usage.ru_utime + usage.ru_stime,
        }
    )
    sink.stop()
    standin.stop()


def _load(app, people: int):
    from app.campaigns.service import CampaignSpec, create_campaign, issue_invitations
    from app.extensions import db
    from app.instruments import latest_version
    from app.people.directory import apply_import
    from app.people.importer import PersonRow

    rows = [
        PersonRow(
            i + 2,
            f"B{i:06d}",
            f"员工{i}",
            f"b{i}@example.com",
            f"总部/区域{i % 5}/门店{i % 40}",
            "employee",
            "第一批",
            dingtalk_userid=f"u{i}",
        )
        for i in range(people)
    ]
    apply_import(db.session, rows)
    version = latest_version(db.session, "quarterly-satisfaction")
    campaign, _ = create_campaign(
        db.session, CampaignSpec(instrument_version_id=version.id, quarter="2026Q4", title="基准测试")
    )
    issue_invitations(db.session, campaign)
    db.session.commit()
    return campaign


def _baseline_without_reuse(app, campaign, port: int, messages: int) -> float:
    """messages/s when every message opens its own SMTP connection (the same messages, the same sink)."""
    from sqlalchemy import select

    from app.campaigns.links import invitation_url
    from app.campaigns.service import invitation_token
    from app.delivery.content import compose, estimated_minutes
    from app.delivery.email import build_email
    from app.extensions import db
    from app.models import Invitation, Person

    pairs = db.session.execute(
        select(Person, Invitation).join(Invitation, Invitation.person_id == Person.id).limit(messages)
    ).all()
    minutes = estimated_minutes(campaign)
    started = time.perf_counter()
    for person, invitation in pairs:
        url = invitation_url(app.config["PUBLIC_BASE_URL"], invitation_token(invitation))
        email = build_email(compose(campaign, person, url, False, minutes), "survey@example.com", person.email)
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(email)
    return len(pairs) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--dingtalk-rate", type=float, default=100.0, help="DINGTALK_RATE_PER_SECOND for the run")
    parser.add_argument("--baseline", type=int, default=500, help="messages sent without connection reuse")
    parser.add_argument("--channels", default="email,dingtalk", help="which channels to run")
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    ready, counts, stop = context.Queue(), context.Queue(), context.Event()
    servers = context.Process(target=_servers, args=(args.people, ready, stop, counts), daemon=True)
    servers.start()
    endpoints = ready.get(timeout=30)

    from app import create_app
    from app.delivery.service import send_invitations
    from app.extensions import db
    from tests.conftest import make_config

    folder = tempfile.mkdtemp(prefix="cp-delivery-bench-")
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench.sqlite",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=endpoints["smtp_port"],
            MAIL_FROM="survey@example.com",
            DINGTALK_APP_KEY=endpoints["key"],
            DINGTALK_APP_SECRET=endpoints["secret"],
            DINGTALK_AGENT_ID=str(endpoints["agent"]),
            DINGTALK_API_BASE=endpoints["dingtalk"],
            DINGTALK_RATE_PER_SECOND=args.dingtalk_rate,
        )
    )
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        campaign = _load(app, args.people)
        print(f"loaded {args.people} people and their invitations in {time.perf_counter() - started:.1f} s")

        channels = args.channels.split(",")
        baseline = _baseline_without_reuse(app, campaign, endpoints["smtp_port"], args.baseline)
        results = {}
        for channel in channels:
            started, cpu = time.perf_counter(), time.process_time()
            sent = send_invitations(db.session, campaign, channel)
            results[channel] = (sent, time.perf_counter() - started, time.process_time() - cpu)
        peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        db.session.remove()
        db.engine.dispose()
    stop.set()
    received = counts.get(timeout=30)
    servers.join(timeout=30)

    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at the end (other work shares the cores)")
    ok = True
    if "email" in results:
        email, seconds, cpu = results["email"]
        rate = email.sent / seconds
        print(
            f"e-mail:   {email.sent} sent, {email.failed} failed in {seconds:.1f} s = {rate:.0f} messages/s; "
            f"sender CPU {1000 * cpu / max(email.sent, 1):.2f} ms per message "
            f"(connections reused: the sink saw {received['smtp_connections'] - args.baseline} for the batch)"
        )
        print(
            f"          baseline without reuse: {baseline:.0f} messages/s over {args.baseline} messages; "
            f"reuse / baseline = {rate / baseline:.2f}"
        )
        ok = ok and email.sent == args.people and received["smtp"] == args.people + args.baseline
    if "dingtalk" in results:
        dingtalk, seconds, cpu = results["dingtalk"]
        rate = dingtalk.sent / seconds
        print(
            f"dingtalk: {dingtalk.sent} sent, {dingtalk.failed} failed in {seconds:.1f} s = {rate:.0f} messages/s "
            f"at DINGTALK_RATE_PER_SECOND={args.dingtalk_rate:g} (achieved / configured = "
            f"{rate / args.dingtalk_rate:.2f}; {received['dingtalk_rate_limited']} rate-limit answers); "
            f"sender CPU {1000 * cpu / max(dingtalk.sent, 1):.2f} ms per message"
        )
        ok = ok and dingtalk.sent == args.people and received["dingtalk"] == args.people
    print(f"servers' process CPU: {received['cpu']:.1f} s; peak RSS of the sending process: {peak_rss_mib:.0f} MiB")
    print("check: every message sent once" if ok else "check FAILED: counts differ")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
