"""Which code is running, recorded with every theme run so a result can be traced to what made it."""

from __future__ import annotations

import os
from importlib import metadata

ENVIRONMENT_VARIABLE = "CHANGEPULSE_CODE_VERSION"
DISTRIBUTION = "changepulse"
MAX_LENGTH = 40  # theme_runs.code_version


def code_version() -> str:
    """`CHANGEPULSE_CODE_VERSION` when set (scripts/run.sh and test.sh put the git revision there once, at
    start), else the installed package's version, else "unknown". Reads no repository and starts no
    process, so it is cheap inside a request or a job."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if not value:
        try:
            value = metadata.version(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            value = "unknown"
    return value[:MAX_LENGTH]
