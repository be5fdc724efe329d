"""Where runs and datasets live, and the one rule for names that become folder names.

`GAN_CHECKPOINTS_DIR` and `GAN_DATASETS_DIR` move both (tests point them at temporary folders).
"""

import os
import re
from pathlib import Path

from gan_core.core.errors import UsageError

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # whole name: fullmatch (`$` allows a final newline)


def checkpoints_dir() -> Path:
    return Path(os.environ.get("GAN_CHECKPOINTS_DIR", "checkpoints")).resolve()


def datasets_dir() -> Path:
    return Path(os.environ.get("GAN_DATASETS_DIR", "datasets")).resolve()


def check_name(name: str, what: str = "name") -> str:
    """Accept names that are safe as a single folder name: no `/`, no `..`, no hidden files."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
        raise UsageError(
            f"{what} {name!r} is not allowed: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (no '/' or '..')"
        )
    return name
