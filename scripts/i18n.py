"""Keep the English catalogue in step with the Chinese source strings.

    python scripts/i18n.py update [TRANSLATIONS.py]   # extract, merge into en, fill from a dict file, compile

Chinese strings are the msgids (the product is Chinese first); English is the one translation.
"""

import runpy
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MAPPING = ROOT / "babel.cfg"  # which files are extracted: the app, its templates and the pure packages
KEYWORDS = ("_l", "lazy_gettext")  # marking functions beside Babel's defaults (_, gettext, ngettext, N_…)


def pybabel(*args: str) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), *args],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def update(extra: dict[str, str]) -> list[str]:
    pybabel(
        "extract",
        "-F",
        str(MAPPING),
        *(option for keyword in KEYWORDS for option in ("-k", keyword)),
        "--no-location",
        "--sort-output",
        "-o",
        str(TRANSLATIONS / "messages.pot"),
        ".",
    )
    pybabel(
        "update",
        "-i",
        str(TRANSLATIONS / "messages.pot"),
        "-d",
        str(TRANSLATIONS),
        "-l",
        "en",
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if message.id in extra:
            message.string = extra[message.id]
        if not message.string:
            missing.append(message.id)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)
    pybabel("compile", "-d", str(TRANSLATIONS), "-l", "en")
    return missing


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "update":
        sys.exit(__doc__)
    extra = runpy.run_path(sys.argv[2])["T"] if len(sys.argv) > 2 else {}
    missing = update(extra)
    for msgid in missing:
        print("untranslated:", msgid)
    sys.exit(1 if missing else 0)
