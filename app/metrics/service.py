"""Storing a quarter's usage metrics (the file replaces the quarter), and reading them back."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, func, select

from app.metrics.importer import MetricsImportResult
from app.models import Department, Person, UsageMetric


@dataclass
class MetricsImportSummary:
    quarter: str
    departments: int
    metrics: int
    replaced: int

    def to_dict(self) -> dict:
        return dict(quarter=self.quarter, departments=self.departments, metrics=self.metrics, replaced=self.replaced)

    def describe(self) -> str:
        text = f"{self.quarter}：{self.departments} 个部门、{self.metrics} 项指标"
        return text + (f"（替换了该季度原有的 {self.replaced} 个数值）" if self.replaced else "")


def known_departments(session) -> set[str]:
    return set(session.execute(select(Department.path)).scalars())


def replace_quarter(session, quarter: str, result: MetricsImportResult) -> MetricsImportSummary:
    """Replace every stored figure of `quarter` with the validated file; the caller commits."""
    replaced = session.execute(select(func.count(UsageMetric.id)).where(UsageMetric.quarter == quarter)).scalar_one()
    session.execute(delete(UsageMetric).where(UsageMetric.quarter == quarter))
    session.add_all(
        [
            UsageMetric(quarter=quarter, department_path=value.department, metric=value.metric, value=value.value)
            for value in result.values
        ]
    )
    session.flush()
    return MetricsImportSummary(quarter, len(result.departments), len(result.metrics), replaced)


def usage_frame(session, quarters: list[str]) -> pd.DataFrame:
    """Stored figures of the given quarters: columns quarter, department, metric, value."""
    rows = session.execute(
        select(UsageMetric.quarter, UsageMetric.department_path, UsageMetric.metric, UsageMetric.value).where(
            UsageMetric.quarter.in_(quarters)
        )
    ).all()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=["quarter", "department", "metric", "value"])


def quarters_imported(session) -> list[tuple[str, int, int]]:
    """(quarter, departments, figures) for every quarter with stored metrics, newest first."""
    rows = session.execute(
        select(UsageMetric.quarter, func.count(func.distinct(UsageMetric.department_path)), func.count(UsageMetric.id))
        .group_by(UsageMetric.quarter)
        .order_by(UsageMetric.quarter.desc())
    ).all()
    return [tuple(row) for row in rows]


def directory_headcount(session) -> dict[str, int]:
    """Active people per department path, counting everyone below a department in it too."""
    counts: dict[str, int] = {}
    rows = session.execute(
        select(Department.path, func.count(Person.id))
        .join(Person.department)
        .where(Person.active.is_(True))
        .group_by(Department.path)
    ).all()
    for path, count in rows:
        parts = path.split("/")
        for level in range(1, len(parts) + 1):
            ancestor = "/".join(parts[:level])
            counts[ancestor] = counts.get(ancestor, 0) + count
    return counts
