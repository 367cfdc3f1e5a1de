"""`flask metrics import FILE --quarter 2026Q4`: a quarter's usage metrics, all or nothing."""

import json
import os
import sys

import click
from flask.cli import AppGroup

from analysis.quarters import Quarter, QuarterError
from app.audit import record
from app.extensions import db
from app.metrics.importer import METRICS_LIMITS, parse_metrics_file
from app.metrics.service import known_departments, replace_quarter
from app.spreadsheets import read_upload

metrics_cli = AppGroup("metrics", help="使用数据 / Usage metrics.")


@metrics_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--quarter", required=True, help="季度，如 2026Q4")
@click.option("--json", "as_json", is_flag=True)
def metrics_import(file: str, quarter: str, as_json: bool):
    """Import a quarter's usage metrics from CSV or XLSX; replaces that quarter, all or nothing."""
    try:
        quarter = str(Quarter.parse(quarter))
    except QuarterError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    content = read_upload(file, METRICS_LIMITS)
    result = parse_metrics_file(os.path.basename(file), content, quarter, known_departments(db.session))
    if not result.ok:
        click.echo(f"导入失败，文件有 {len(result.errors)} 处问题，未写入任何数据：", err=True)
        for message in result.errors:
            click.echo("  " + message, err=True)
        sys.exit(1)
    summary = replace_quarter(db.session, quarter, result)
    record("metrics.import", target_type="usage_metrics", target_id=quarter, detail=summary.to_dict())
    db.session.commit()
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    else:
        click.echo("导入成功：" + summary.describe())


def init_app(app) -> None:
    app.cli.add_command(metrics_cli)
