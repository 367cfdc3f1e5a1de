"""Where the evaluation data is: `shared/data/` beside the repository (CI, the main checkout), or beside one
of its parent folders (a worktree under `/work/wt/`); `CHANGEPULSE_DATA` overrides both."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    if os.environ.get("CHANGEPULSE_DATA"):
        return Path(os.environ["CHANGEPULSE_DATA"])
    for parent in ROOT.parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    raise FileNotFoundError("no shared/data/ beside the repository or its parents; set CHANGEPULSE_DATA")


def data_file(name: str) -> Path:
    return data_dir() / name
