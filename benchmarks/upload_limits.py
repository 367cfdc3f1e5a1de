"""Spreadsheet uploads against their limits (issue 13, break 9): how real exports compress, and what each
kind of file costs the importer that reads it.

    .venv/bin/python benchmarks/upload_limits.py [--excel-dir DIR] [--rows 130000]

1. Compression of real exports: every .xlsx under `--excel-dir` (files saved by Excel, LibreOffice…:
   Debian's r-cran-readxl and r-cran-openxlsx ship such files in extdata/), and files written here by
   openpyxl (and XlsxWriter, which writes Excel's own layout, when it is importable) — people
   directories of 10,000 and `--rows` rows, varied or all alike. It prints each file's largest
   unpacked ÷ packed ratio among members over 1 MB and its total unpacked size, beside the limits.
2. Cost per file, each read in a fresh process by the real importer (`parse_people_file`,
   `parse_metrics_file`): the 3-million-row bomb, a sheet one row past the row limit (XLSX and CSV),
   the same sheet without the `<dimension>` element (openpyxl then parses it once more on opening), the
   largest real people file under the limits, and a file that passes every size and ratio limit but
   holds 2 million distinct shared strings. Time of the parse, and the process's peak RSS before and after it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.upload_bombs import (
    CONTENT_TYPES,
    METRICS_HEADER,
    METRICS_ROW,
    ROOT_RELS,
    WORKBOOK,
    WORKBOOK_RELS,
    peak_rss_mb,
    unpacked_size,
    xlsx_bomb,
)

HEADER = ["工号", "姓名", "邮箱", "部门", "角色", "批次"]
ROLES = ["一线员工", "中层管理者", "高层"]


def people(count: int, alike: bool = False):
    for i in range(count):
        if alike:
            yield [f"P{i:06d}", "张三", "", "总部/华东区/杭州门店", "一线员工", "第一批"]
        else:
            department = f"总部/区域{i % 7}/门店{i % 97}"
            yield [f"P{i:06d}", f"员工{i}", f"p{i}@corp.local", department, ROLES[i % 3], "第一批"]


def with_openpyxl(rows, write_only: bool) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet() if write_only else workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_xlsxwriter(rows) -> bytes | None:
    try:
        import xlsxwriter
    except ImportError:
        return None
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for number, row in enumerate(rows, 1):
        sheet.write_row(number, 0, row)
    workbook.close()
    return buffer.getvalue()


def compression(content: bytes) -> tuple[float, float, float]:
    """(largest ratio of a member over 1 MB, largest ratio of any member, MB unpacked)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
    ratios = [(m.file_size / max(m.compress_size, 1), m.file_size) for m in members]
    over = [r for r, size in ratios if size > 1024 * 1024]
    return max(over, default=0.0), max(r for r, _ in ratios), sum(m.file_size for m in members) / 2**20


def application(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if "docProps/app.xml" not in archive.namelist():
            return "?"
        app = archive.read("docProps/app.xml").decode("utf-8", "replace")
    name = re.search(r"<Application>(.*?)</Application>", app)
    version = re.search(r"<AppVersion>(.*?)</AppVersion>", app)
    return " ".join(x.group(1).split("$")[0] for x in (name, version) if x) or "?"


def ratio_table(excel_dir: Path | None, rows: int) -> None:
    from app.spreadsheets import TableLimits

    limits = TableLimits(max_rows=0)
    print(
        f"\n1. Compression of real exports (limits: members over {limits.ratio_checked_from // 2**20} MB at most "
        f"{limits.max_ratio:.0f}:1, at most {limits.max_bytes // 2**20} MB unpacked)"
    )
    print(f"   {'file':58} {'written by':28} {'>1MB':>6} {'any':>6} {'MB out':>7}")
    samples: list[tuple[str, str, bytes]] = []
    for path in sorted(excel_dir.rglob("*.xlsx")) if excel_dir else []:
        content = path.read_bytes()
        samples.append((path.name, application(content), content))
    for count in (10_000, rows):
        for alike in (False, True):
            shape = f"people {count:,} rows {'alike' if alike else 'varied'}"
            samples.append((shape, "openpyxl", with_openpyxl(people(count, alike), False)))
            samples.append((shape, "openpyxl write-only", with_openpyxl(people(count, alike), True)))
            content = with_xlsxwriter(people(count, alike))
            if content is not None:
                samples.append((shape, "XlsxWriter (Excel's layout)", content))
    worst = 0.0
    for name, writer, content in samples:
        big, anything, total = compression(content)
        worst = max(worst, big)
        print(f"   {name[:58]:58} {writer[:28]:28} {big:6.1f} {anything:6.1f} {total:7.1f}")
    print(f"   largest ratio of a member over 1 MB in any real export: {worst:.1f}:1 (limit {limits.max_ratio:.0f}:1)")


def shared_strings_file(path: Path, count: int) -> Path:
    """One sheet of one cell, and `count` distinct shared strings: under every size and ratio limit."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w") as strings:
            strings.write(
                b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            for start in range(0, count, 10_000):
                block = "".join(f"<si><t>{i:08x}</t></si>" for i in range(start, min(count, start + 10_000)))
                strings.write(block.encode())
            strings.write(b"</sst>")
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row><c t="s"><v>0</v></c></row></sheetData></worksheet>',
        )
    return path


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def csv_file(path: Path, count: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(people(count))
    return path


def measure_in_a_fresh_process(kind: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--read", kind, str(path)], capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def read_one(kind: str, path: str) -> None:
    """In the fresh process: import the app's importer, then time one parse and report peak RSS."""
    from app.metrics.importer import parse_metrics_file
    from app.people.importer import parse_people_file

    content = Path(path).read_bytes()
    before = peak_rss_mb()
    started = time.perf_counter()
    if kind == "people":
        result = parse_people_file(Path(path).name, content)
        outcome = f"{len(result.rows):,} rows" if result.ok else result.errors[0]
    else:
        result = parse_metrics_file(Path(path).name, content, "2026Q4", set())
        outcome = "ok" if result.ok else result.errors[0]
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "before": before, "after": peak_rss_mb(), "outcome": outcome[:70]}))


def cost_table(rows: int) -> None:
    from app.metrics.importer import METRICS_LIMITS
    from app.people.importer import PEOPLE_LIMITS

    print("\n2. Cost per file (fresh process per file; the parse alone is timed; RSS before → peak)")
    print(f"   {'file':52} {'packed':>8} {'unpacked':>9} {'parse':>8} {'RSS MB':>13}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        limit = PEOPLE_LIMITS.max_rows
        legit = base / "legit.xlsx"
        legit.write_bytes(with_openpyxl(people(rows), False))
        excel_layout = with_xlsxwriter(people(rows))
        cases = [
            ("people", "bomb: 3,000,000 alike rows (XLSX)", xlsx_bomb(base / "bomb.xlsx", 3_000_000)),
            (
                "metrics",
                "bomb: 3,000,000 alike rows (XLSX)",
                xlsx_bomb(base / "mbomb.xlsx", 3_000_000, header=METRICS_HEADER, row=METRICS_ROW),
            ),
            ("people", f"{limit + 1:,} rows (XLSX, varied)", xlsx_bomb(base / "long.xlsx", limit + 1, numbered=True)),
            (
                "people",
                f"{limit + 1:,} rows (XLSX, no <dimension>)",
                xlsx_bomb(base / "nodim.xlsx", limit + 1, numbered=True, dimension=False),
            ),
            ("people", f"{limit + 1:,} rows (CSV)", csv_file(base / "long.csv", limit + 1)),
            (
                "metrics",
                f"{METRICS_LIMITS.max_rows + 1:,} rows (XLSX, varied)",
                xlsx_bomb(
                    base / "mlong.xlsx",
                    METRICS_LIMITS.max_rows + 1,
                    header=METRICS_HEADER,
                    row=METRICS_ROW,
                    numbered=True,
                ),
            ),
            ("people", f"real: {rows:,} people written by openpyxl", legit),
            *(
                [("people", f"real: {rows:,} people by XlsxWriter", _write(base / "excel.xlsx", excel_layout))]
                if excel_layout
                else []
            ),
            ("people", f"real: {rows:,} people as CSV", csv_file(base / "legit.csv", rows)),
            ("people", "2,000,000 distinct shared strings", shared_strings_file(base / "strings.xlsx", 2_000_000)),
        ]
        for kind, name, path in cases:
            size = path.stat().st_size / 2**20
            unpacked = unpacked_size(path) / 2**20 if path.suffix == ".xlsx" else size
            figures = measure_in_a_fresh_process(kind, path)
            print(
                f"   {kind + ' ' + name:52} {size:6.2f}MB {unpacked:7.1f}MB {figures['seconds']:7.3f}s "
                f"{figures['before']:5.0f} → {figures['after']:4.0f}  {figures['outcome']}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--excel-dir", type=Path, help="a folder of .xlsx files saved by spreadsheet applications")
    parser.add_argument("--rows", type=int, default=130_000, help="rows of the largest real people file")
    parser.add_argument("--read", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read_one(*args.read)
        return
    ratio_table(args.excel_dir, args.rows)
    cost_table(args.rows)


if __name__ == "__main__":
    main()
