"""Crash-safe file writes: a killed process never leaves a half-written file behind.

Whole files go to a temporary name in the same folder and are renamed over the target (atomic on
POSIX); logs are append-only JSON lines, and readers skip a torn last line.
"""

import json
import os
import tempfile
from pathlib import Path


def write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, obj) -> None:
    write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())


def check_writable(folder: Path) -> None:
    """Fail early, in one line, if files cannot be created in `folder` (read-only, /proc, no permission).

    Trying is the only honest test: `os.access` says yes to root, and /proc refuses anyway.
    """
    from gan_core.core.errors import UsageError

    try:
        fd, tmp = tempfile.mkstemp(prefix=".write-test.", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise UsageError(f"cannot write into {str(folder)!r}: {exc.strerror or type(exc).__name__}") from None


def temp_path_for(path: Path) -> Path:
    """A temporary sibling of `path` for libraries that insist on writing files themselves."""
    path = Path(path)
    return path.with_name(f".{path.stem}.tmp{os.getpid()}{''.join(path.suffixes)}")


def append_jsonl(path: Path, rows) -> None:
    """Append rows as JSON lines in one write, so a crash tears at most the last line."""
    if isinstance(rows, dict):
        rows = [rows]
    text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows)
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)
        f.flush()


def read_json(path: Path, default=None, expect: type | None = None):
    """The JSON in `path`, or `default` if it is missing, unreadable, not UTF-8, not JSON, or of the wrong shape.

    The shape is `expect`, or the default's type when the default is a dict or a list: a file holding
    `null` or `[]` where an object belongs is as damaged as a torn one, and callers must never crash on it.
    """
    if expect is None and isinstance(default, (dict, list)):
        expect = type(default)
    try:
        value = json.loads(Path(path).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return default
    if expect is not None and not isinstance(value, expect):
        return default
    return value


def damage(path: Path, expect: type = dict) -> str | None:
    """What is wrong with a JSON file, in a few words (None if it is fine): for pages and CLIs to show."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        return f"{Path(path).name} is missing"
    except OSError as exc:
        return f"{Path(path).name} cannot be read ({exc.strerror})"
    except UnicodeDecodeError:
        return f"{Path(path).name} is not UTF-8 text"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return f"{Path(path).name} is not valid JSON" + (" (empty)" if not text.strip() else "")
    if not isinstance(value, expect):
        return f"{Path(path).name} holds {type(value).__name__}, not {expect.__name__}"
    return None


def read_jsonl(path: Path) -> list[dict]:
    """Every complete JSON object line; a torn final line (killed writer) or a damaged line is skipped."""
    rows = []
    try:
        text = Path(path).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return rows
    for line in text.splitlines():
        if line.strip():
            try:
                row = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if isinstance(row, dict):
                rows.append(row)
    return rows


def truncate_torn_line(path: Path) -> None:
    """Drop a partial last line left by a killed writer, so appends start on a fresh line."""
    path = Path(path)
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        with open(path, "r+b") as f:
            f.truncate(cut)
