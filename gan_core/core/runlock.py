"""One trainer per run: an OS-level lock that a trainer holds for its whole life, queued or training.

Two trainers on one run interleave their logs and overwrite each other's checkpoints, so the trainer
takes this lock before it reads or writes anything of the run and keeps it until the process ends.
It is an `fcntl.flock` on `checkpoints/.locks/<run>.lock`: the kernel frees it when the process dies,
even by `kill -9`, so a stale lock can never keep a run closed. The lock file lives outside the run
folder so that taking it writes nothing into the run (a refused trainer leaves no trace) and deleting
a run never deletes a held lock. The holder writes its pid into the file for the refusal message.
"""

import fcntl
import os
import time
from pathlib import Path

from gan_core.core.errors import UsageError
from gan_core.core.paths import check_name, checkpoints_dir

_held: dict[str, int] = {}  # run name -> open file descriptor, kept until the process exits


def lock_file(name: str) -> Path:
    return checkpoints_dir() / ".locks" / f"{check_name(name, 'run name')}.lock"


def _open(name: str) -> int:
    path = lock_file(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def holder(name: str) -> int | None:
    """The pid written by whoever holds the lock, if it is held (by another process); else None."""
    if name in _held:
        return None
    path = lock_file(name)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode(errors="replace").split("\n")[0].strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def is_held(name: str) -> bool:
    return name in _held or holder(name) is not None


def acquire(name: str, wait: float = 1.0) -> int | None:
    """Take the run's lock for the rest of this process's life; None if another process holds it.

    Readers (`holder`) take a shared lock for an instant, so a refusal is retried for `wait` seconds
    before it counts; on success returns this process's pid, on refusal the holder's pid is in
    `holder(name)`.
    """
    if name in _held:
        return os.getpid()
    fd = _open(name)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                return None
            time.sleep(0.02)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _held[name] = fd
    return os.getpid()


def note_dataset(name: str, dataset: str) -> None:
    """Write the dataset this process trains on into its held lock file (second line), so a dataset
    delete can see a trainer that has not written anything into its run yet."""
    fd = _held[name]
    os.pwrite(fd, f"{os.getpid()}\n{dataset}\n".encode(), 0)


def held_datasets() -> dict[str, str]:
    """Run name -> dataset, for every run whose lock another process holds and has noted a dataset."""
    found = {}
    folder = checkpoints_dir() / ".locks"
    for path in sorted(folder.glob("*.lock")) if folder.is_dir() else []:
        name = path.name[: -len(".lock")]
        try:
            if holder(name) is None:
                continue
            lines = path.read_text(errors="replace").split("\n")
        except (OSError, ValueError, UsageError):  # a file someone put there by hand
            continue
        if len(lines) > 1 and lines[1].strip():
            found[name] = lines[1].strip()
    return found


def release(name: str) -> None:
    """Give the lock back early (tests, and callers that only needed it for a moment)."""
    fd = _held.pop(name, None)
    if fd is not None:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
