"""Cross-cutting records: the audit log, background jobs, reports."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.types import utcnow


class AuditLog(Model):
    """Who did what to which object; staff actions only (employees stay anonymous)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(50), index=True)
    target_type: Mapped[str | None] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class BackgroundJob(Model):
    """A job run by RQ or in-process; its status is what the page that started it shows.

    `target_type`/`target_id` name the object the job works for (a theme run, a campaign, a webhook
    delivery), so that object's page can list its jobs. A running job writes `heartbeat_at` every few
    seconds; one whose heartbeat stops is marked failed by `app.jobs.check_liveness`. `run_at` is when a
    scheduled job, or a job's next attempt, is due (`app.scheduler`); `retry_delays` are the seconds before
    each further attempt of one that may fail for a while (a webhook), `attempts` how many have started.
    """

    __tablename__ = "background_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name="status_known"),
        Index("ix_background_jobs_target", "target_type", "target_id"),
        Index("ix_background_jobs_due", "status", "run_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    args: Mapped[list] = mapped_column(JSON, default=list)
    backend: Mapped[str] = mapped_column(String(10), default="thread")
    target_type: Mapped[str | None] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    stage: Mapped[str] = mapped_column(String(50), default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    run_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_delays: Mapped[list | None] = mapped_column(JSON)


class JobOutput(Model):
    """A file a job produced (an export), kept in the database so any host can serve the download."""

    __tablename__ = "job_outputs"

    job_id: Mapped[str] = mapped_column(ForeignKey("background_jobs.id", ondelete="CASCADE"), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class UsageMetric(Model):
    """An imported usage figure (active users, DAU/MAU, …) for a department and quarter."""

    __tablename__ = "usage_metrics"
    __table_args__ = (UniqueConstraint("quarter", "department_path", "metric"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(6), index=True)
    department_path: Mapped[str] = mapped_column(String(500))
    metric: Mapped[str] = mapped_column(String(100))
    value: Mapped[float] = mapped_column(Float)


class QuarterReport(Model):
    """The PMO's quarterly health report: editable commentary, then a frozen published snapshot."""

    __tablename__ = "quarter_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(6), unique=True)
    commentary: Mapped[dict] = mapped_column(JSON, default=dict)
    department_level: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
