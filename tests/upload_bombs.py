"""Hostile spreadsheets built in the test, and a probe that uploads one in a process of its own.

`xlsx_bomb` writes a minimal workbook whose one sheet holds millions of identical rows: a few hundred
kilobytes on disk, hundreds of megabytes of XML once unpacked (issue 13, break 9: 697 KB → 3 million
rows). `run_measured` runs this module in a process of its own and returns its exit status, output,
wall time and peak RSS (reported by the child itself, see `peak_rss_mb`).

    python -m tests.upload_bombs cli people import FILE        # the real `flask` command line

runs a Flask CLI command, and

    python -m tests.upload_bombs page DATABASE_URL /admin/people/import FILE [QUARTER]

uploads FILE as the admin `admin@example.com` through the test client of a fresh app on DATABASE_URL
and prints as JSON the status, the page's error messages, the time the request took and the peak RSS
before it (imports and the login's scrypt included), so the request's own memory is the difference.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEOPLE_HEADER = ("工号", "姓名", "部门", "角色")
PEOPLE_ROW = ("E00001", "员工", "总部/华东区", "一线员工")
METRICS_HEADER = ("部门", "人数", "活跃用户数")
METRICS_ROW = ("总部/华东区", "10", "8")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)


def _shared_strings(values) -> str:
    items = "".join(f"<si><t>{value}</t></si>" for value in values)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>'
    )


def _row_xml(indexes, first: str | None = None) -> str:
    """A row of shared-string cells; `first` replaces the first cell by an inline number-like text."""
    cells = [f'<c t="s"><v>{index}</v></c>' for index in indexes]
    if first is not None:
        cells[0] = f'<c t="inlineStr"><is><t>{first}</t></is></c>'
    return "<row>" + "".join(cells) + "</row>"


def xlsx_bomb(
    path: Path,
    rows: int = 3_000_000,
    header=PEOPLE_HEADER,
    row=PEOPLE_ROW,
    numbered: bool = False,
    dimension: bool = True,
) -> Path:
    """A workbook of `rows` data rows under `header`, streamed into the archive (never all in memory).

    Identical rows compress about 1000:1 — the bomb. `numbered=True` makes every row differ (its first
    cell counts up), which compresses like a real file: a long sheet that is not a bomb. `dimension`
    writes the `<dimension>` element real writers put first; without it openpyxl parses the whole sheet
    once more when it opens the workbook, just to look for one.
    """
    strings = [*header, *row]
    header_cells = range(len(header))
    row_cells = range(len(header), len(strings))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/sharedStrings.xml", _shared_strings(strings))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            if dimension:
                last = chr(ord("A") + len(header) - 1)
                sheet.write(f'<dimension ref="A1:{last}{rows + 1}"/>'.encode())
            sheet.write(b"<sheetData>")
            sheet.write(_row_xml(header_cells).encode())
            same = _row_xml(row_cells).encode()
            chunk = 10_000
            for start in range(0, rows, chunk):
                count = min(chunk, rows - start)
                if numbered:
                    block = "".join(_row_xml(row_cells, f"E{start + i:07d}") for i in range(count)).encode()
                else:
                    block = same * count
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def unpacked_size(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(member.file_size for member in archive.infolist())


@dataclass
class Measured:
    returncode: int
    output: str
    seconds: float
    peak_rss_mb: float


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started its program (VmHWM).

    Not `getrusage`/`wait4`: Linux carries the parent's peak across fork and exec into ru_maxrss, so a
    child of the test run would report the test run's memory.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_measured(args: list[str], env: dict | None = None, kill_after: float = 180.0) -> Measured:
    """Run `python -m tests.upload_bombs ARGS…` from the repository root; the child reports its peak RSS.

    `kill_after` only stops a run that would otherwise hang the suite (the old code took 204 s on the
    bomb); it is not the measure — the caller asserts on memory and prints the time.
    """
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.upload_bombs", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=kill_after,
        )
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return Measured(-9, output, time.perf_counter() - started, float("nan"))
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    peaks = re.findall(r"^peak_rss_mb=([\d.]+)$", output, re.M)
    return Measured(done.returncode, output, seconds, float(peaks[-1]) if peaks else float("nan"))


def probe_env(database_url: str) -> dict:
    return {
        **os.environ,
        "CHANGEPULSE_CONFIG": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "upload-probe",
        "RATELIMIT_ENABLED": "0",
    }


def _upload_through_the_page(database_url: str, endpoint: str, file: str, quarter: str | None) -> dict:
    import io

    from app import create_app
    from config import DevelopmentConfig
    from tests.conftest import PASSWORD, csrf_token_from, login

    config = type("ProbeConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    app = create_app(config)
    client = app.test_client()
    assert login(client, "admin@example.com", PASSWORD).status_code == 302
    token = csrf_token_from(client.get(endpoint).get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(Path(file).read_bytes()), Path(file).name)}
    if quarter:
        data["quarter"] = quarter
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    response = client.post(endpoint, data=data, content_type="multipart/form-data")
    seconds = time.perf_counter() - started
    page = response.get_data(as_text=True)
    errors = re.findall(r"<li>(.*?)</li>", page.split('class="error-list"', 1)[-1]) if "error-list" in page else []
    return {"status": response.status_code, "errors": errors, "seconds": seconds, "rss_before_mb": rss_before}


def _report_peak() -> None:
    print(f"peak_rss_mb={peak_rss_mb():.1f}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    import atexit

    atexit.register(_report_peak)
    if sys.argv[1:2] == ["page"] and len(sys.argv) >= 5:
        outcome = _upload_through_the_page(*sys.argv[2:5], (sys.argv[5:] or [None])[0])
        print(json.dumps(outcome, ensure_ascii=False))
    elif sys.argv[1:2] == ["cli"]:
        from flask.cli import main

        sys.argv = ["flask", *sys.argv[2:]]
        main()
    else:
        sys.exit(__doc__)
