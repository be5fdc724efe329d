"""Training jobs: each run trains in its own OS process, and a queue lets N of them train at a time.

The app never trains in its own process: it starts `python -m gan_core.train ... --queue` detached
(the trainer survives page reloads, closed tabs and app restarts) and from then on only reads the run
directory. A queued trainer waits, before importing TensorFlow, until fewer than `max_running()` runs
are training and it is the oldest queued run; the check-and-claim happens under a file lock, so two
waiters never both start. The queue lives entirely on disk: no scheduler process to keep alive.
"""

import fcntl
import os
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from gan_core.core.errors import UsageError
from gan_core.core.paths import checkpoints_dir
from gan_core.core.runs import Run, hostname, list_runs, now

PROJECT = Path(__file__).resolve().parents[2]
LOG_NAME = "train.log"
APP_NICENESS = 10  # trainers started from the app yield the CPU to the pages people are looking at


def max_running() -> int:
    """How many runs may train at once on this machine (`GAN_MAX_RUNNING`, default 1 per device)."""
    try:
        return max(1, int(os.environ.get("GAN_MAX_RUNNING", "1")))
    except ValueError:
        return 1


@contextmanager
def queue_lock():
    root = checkpoints_dir()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".queue.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def runs_in(state: str) -> list[Run]:
    """Runs whose (liveness-checked) status is `state`; queued ones in the order they were queued."""
    found = [(r, r.status()) for r in list_runs()]
    found = [(r, s) for r, s in found if s.get("state") == state]
    return [r for r, s in sorted(found, key=lambda rs: (rs[1].get("queued_at") or "", rs[0].name))]


def queue_stamp() -> str:
    return f"{now()} {time.time_ns():020d}"


def enqueue(run: Run, epochs: int, dataset: str | None = None) -> None:
    run.path.mkdir(parents=True, exist_ok=True)
    # the queue is in order of requests: `start` stamps the time it was asked, before the child exists
    queued_at = os.environ.get("GAN_QUEUED_AT") or queue_stamp()
    run.write_status(state="queued", queued_at=queued_at, pid=os.getpid(), host=hostname(), epochs=epochs,
                     error=None, dataset=dataset or run.config().get("dataset"))


def wait_for_turn(run: Run, poll: float = 1.0, log=print) -> bool:
    """Block until this queued run may train (True), or until a stop request cancels it (False)."""
    announced = False
    while True:
        with queue_lock():
            if run.stop_file.exists():
                run.stop_file.unlink(missing_ok=True)
                run.write_status(state="stopped", error=None, finished=now(), pid=None)
                return False
            queue = runs_in("queued")
            if len(runs_in("running")) < max_running() and queue and queue[0].name == run.name:
                run.write_status(state="running", pid=os.getpid(), host=hostname())
                return True
        if not announced:
            names = [r.name for r in runs_in("queued")]
            ahead = names.index(run.name) if run.name in names else 0
            log(f"queued: {ahead} run(s) ahead, {len(runs_in('running'))} training; waiting for a free slot")
            announced = True
        time.sleep(poll)


def start(args: list[str], run_name: str, env: dict | None = None, timeout: float = 30) -> subprocess.Popen:
    """Launch `python -m gan_core.train <args> --queue --nice 10` detached, logging to the run's `train.log`.

    Returns once the trainer has put the run in the queue (so every page sees it at once); if the
    trainer refuses the request instead, its one-line error is raised here.
    """
    run = Run(run_name)
    run.path.mkdir(parents=True, exist_ok=True)
    seen = run.status_file.stat().st_mtime_ns if run.status_file.exists() else 0
    child_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1", "GAN_QUEUED_AT": queue_stamp()}
    child_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with open(run.path / LOG_NAME, "a", encoding="utf-8") as log:
        child = subprocess.Popen([sys.executable, "-m", "gan_core.train", *args, "--queue",
                                  "--nice", str(APP_NICENESS)], cwd=PROJECT,
                                 env=child_env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run.status_file.exists() and run.status_file.stat().st_mtime_ns != seen:
            return child
        if child.poll() is not None:
            errors = [line for line in log_tail(run, 5).splitlines() if line.startswith("error: ")]
            if child.returncode != 0:
                raise UsageError(errors[-1][len("error: "):] if errors else f"the trainer exited ({child.returncode})")
            return child
        time.sleep(0.05)
    return child


def stop(run: Run) -> None:
    """Ask a running or queued run to stop; it saves a checkpoint (or leaves the queue) within seconds."""
    run.request_stop()


def delete(run: Run) -> None:
    """Remove a run that is not training or queued; the folder vanishes at once, then its files go."""
    from gan_core.core import runlock

    state = run.status().get("state")
    if state in ("running", "queued") or runlock.is_held(run.name):
        raise UsageError(f"run {run.name!r} is {state if state in ('running', 'queued') else 'starting'}; "
                         "stop it before deleting it")
    trash = run.path.with_name(f".trash-{run.name}-{uuid.uuid4().hex[:8]}")
    run.path.rename(trash)
    shutil.rmtree(trash, ignore_errors=True)


def log_tail(run: Run, lines: int = 20) -> str:
    try:
        text = (run.path / LOG_NAME).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
