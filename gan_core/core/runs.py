"""Reading and writing one run directory, `checkpoints/<run>/` (the contract in the design guide).

The trainer and the app share nothing but these files. Everything is written atomically or appended,
so readers may look at any moment; a trainer that died without saying so is reported as failed.
"""

import os
import re
import socket
import time
from pathlib import Path

import numpy as np

from gan_core.core import schemas
from gan_core.core.atomic import append_jsonl, read_json, write_json
from gan_core.core.errors import UsageError
from gan_core.core.paths import check_name, checkpoints_dir
from gan_core.core.schemas import EpochRow, MetricsRow, Rows, RunConfig, RunStatus, read_checked, read_rows

_EPOCH_FILE = re.compile(r"epoch_(\d{4,})")
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b.*:")


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def hostname() -> str:
    return socket.gethostname()


def pid_alive(pid) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (exited, not yet reaped by its parent) is not alive
    try:
        stat = Path(f"/proc/{int(pid)}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


class Run:
    def __init__(self, name: str):
        self.name = check_name(name, "run name")
        self.path = checkpoints_dir() / name

    # -- paths --------------------------------------------------------------------------------
    config_file = property(lambda self: self.path / "config.json")
    status_file = property(lambda self: self.path / "status.json")
    metrics_file = property(lambda self: self.path / "metrics.jsonl")
    epochs_file = property(lambda self: self.path / "epochs.jsonl")
    samples_dir = property(lambda self: self.path / "samples")
    weights_dir = property(lambda self: self.path / "weights")
    state_dir = property(lambda self: self.path / "state")
    stop_file = property(lambda self: self.path / "stop.request")
    noise_file = property(lambda self: self.path / "samples" / "noise.npy")
    tensorboard_dir = property(lambda self: self.path / "tensorboard")

    def exists(self) -> bool:
        """A run exists once it is queued (status.json) or has started (config.json)."""
        return self.config_file.is_file() or self.status_file.is_file()

    def problem(self) -> str | None:
        """What is damaged in this run's own files, in a few words; None if its config and status read fine.

        Each is named with its field (`config.json: epochs: ...`, see `gan_core.core.schemas`). A damaged run is
        left out of lists and refused by commands; its other files stay as they are.
        """
        wrong = [w for f, model in ((self.config_file, RunConfig), (self.status_file, RunStatus))
                 if f.exists() and (w := schemas.shape_problem(f, model))]
        return "; ".join(wrong) or None

    def require(self) -> "Run":
        if not self.exists():
            known = ", ".join(r.name for r in list_runs()) or "none yet"
            raise UsageError(f"no run named {self.name!r} in {checkpoints_dir()} (known: {known})")
        if problem := self.problem():
            raise UsageError(f"run {self.name!r} is damaged: {problem}")
        return self

    # -- files ---------------------------------------------------------------------------------
    def config(self) -> dict:
        """`config.json` as written if it has the shape of `RunConfig`; {} if it is missing or damaged."""
        return read_checked(self.config_file, RunConfig, {})

    def status(self) -> dict:
        """The status as written, except that a 'running' trainer whose process is gone is 'failed'.

        {} if `status.json` is missing or not of the shape of `RunStatus`."""
        status = read_checked(self.status_file, RunStatus, {})
        here = status.get("host", hostname()) == hostname()  # a trainer on another host can't be checked
        state = status.get("state")
        if state in ("running", "queued") and here and not pid_alive(status.get("pid")):
            died = "the trainer process died" if state == "running" else "the queued trainer process died"
            last = self.last_logged_error()
            status = {**status, "state": "failed",
                      "error": status.get("error") or (f"{died}: {last}" if last else died)}
        return status

    def last_logged_error(self) -> str | None:
        """The last error line a trainer started by the app printed to its `train.log`, if any."""
        try:
            with open(self.path / "train.log", "rb") as f:
                f.seek(max(0, f.seek(0, 2) - 16384))
                lines = f.read().decode("utf-8", errors="replace").splitlines()
        except OSError:
            return None
        for line in reversed(lines):
            line = line.strip()
            if line.startswith("error: "):
                return line[len("error: "):]
            if _EXCEPTION_LINE.match(line):
                return line
        return None

    def write_status(self, **fields) -> dict:
        status = {**read_json(self.status_file, {}), **fields, "updated": now()}
        write_json(self.status_file, status)
        return status

    def metrics(self) -> Rows:
        """`metrics.jsonl`'s rows of the right shape; `.skipped` names the others (`file:line: why`)."""
        return read_rows(self.metrics_file, MetricsRow)

    def epochs(self) -> Rows:
        """`epochs.jsonl`'s rows of the right shape; `.skipped` names the others (`file:line: why`)."""
        return read_rows(self.epochs_file, EpochRow)

    def log_metrics(self, rows) -> None:
        append_jsonl(self.metrics_file, rows)

    def log_epoch(self, row: dict) -> None:
        append_jsonl(self.epochs_file, row)

    def request_stop(self) -> None:
        """Ask a running trainer to stop cleanly (it checks this file every few steps)."""
        self.stop_file.write_text(now())

    # -- epochs ---------------------------------------------------------------------------------
    def sample_file(self, epoch: int) -> Path:
        return self.samples_dir / f"epoch_{epoch:04d}.png"

    def generator_file(self, epoch: int) -> Path:
        return self.weights_dir / f"generator_epoch_{epoch:04d}.weights.h5"

    def sample_epochs(self) -> list[int]:
        return _epochs_in(self.samples_dir, "epoch_*.png")

    def weight_epochs(self) -> list[int]:
        return _epochs_in(self.weights_dir, "generator_epoch_*.weights.h5")

    def kept_weight_epochs(self) -> list[int]:
        """Saved generators the trainer will not delete: epoch 0 and every `save_every`-th. While a run trains,
        its newest generator lives only until the next epoch ends (unless it is one of these)."""
        every = self.config().get("save_every") or 1
        return [e for e in self.weight_epochs() if keeps_generator(e, every)]

    def fixed_noise(self) -> np.ndarray:
        return np.load(self.noise_file)


def keeps_generator(epoch: int, save_every: int) -> bool:
    """The trainer's rule: epoch 0 and every `save_every`-th generator stay; others live until the next epoch."""
    return epoch % save_every == 0


def _epochs_in(folder: Path, pattern: str) -> list[int]:
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.glob(pattern) if (m := _EPOCH_FILE.search(p.name)))


def list_runs(damaged: bool = False) -> list[Run]:
    """Runs by name; damaged ones (see `Run.problem`) are left out, or only they with `damaged=True`."""
    root = checkpoints_dir()
    if not root.is_dir():
        return []
    runs = []
    for p in sorted(root.iterdir()):
        if (p / "config.json").is_file() or (p / "status.json").is_file():
            try:
                run = Run(p.name)
            except UsageError:
                continue  # a folder someone made by hand, not a run name
            if (run.problem() is not None) == damaged:
                runs.append(run)
    return runs
