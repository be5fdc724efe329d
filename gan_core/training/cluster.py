"""Which worker of a multi-host run this process is (from `TF_CONFIG`), and where a non-chief writes.

With `MultiWorkerMirroredStrategy` every worker runs the same program, step for step: the collectives
(gradient all-reduce, and the sample-grid and score predictions) only work if each worker makes the same
calls in the same order. So a non-chief worker runs exactly the chief's code, but with its checkpoints
folder moved to a private scratch folder (a copy of the run when resuming) that is deleted when it ends:
the run directory is written by the chief alone, as TensorFlow's multi-worker guide recommends.
Stopping is agreed on, not seen: each worker says whether it was asked to stop, and all stop at the same
step when any one was (`callbacks.StopRequest`), so a stop request to the chief's run stops them all.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

from gan_core.core.errors import UsageError


def task() -> tuple[str, int] | None:
    """(type, index) of this process in TF_CONFIG, or None when it is not part of a cluster."""
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return None
    try:
        config = json.loads(raw)
        kind, index = config["task"]["type"], int(config["task"]["index"])
        workers = config["cluster"]
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"TF_CONFIG is not a valid cluster description ({exc}); see docs/distributed.md") from exc
    if kind not in workers or not 0 <= index < len(workers[kind]):
        raise UsageError(f"TF_CONFIG's task {kind} {index} is not in its cluster {sorted(workers)}")
    return kind, index


def is_chief() -> bool:
    """The chief writes the run: the "chief" task, or worker 0 when the cluster names no chief."""
    me = task()
    if me is None:
        return True
    has_chief = "chief" in json.loads(os.environ["TF_CONFIG"])["cluster"]
    return me[0] == "chief" or (not has_chief and me == ("worker", 0))


def workers() -> int:
    cluster = json.loads(os.environ["TF_CONFIG"])["cluster"] if os.environ.get("TF_CONFIG") else {}
    return sum(len(cluster.get(kind, [])) for kind in ("chief", "worker")) or 1


def use_scratch(run_name: str, resume: bool) -> Path:
    """Point this (non-chief) process's checkpoints folder at a fresh scratch folder and return it.

    When resuming, the run's files are copied there first, so the worker restores the same state as the
    chief. `GAN_SCRATCH_DIR` chooses where scratch folders go (default: the system's temporary folder).
    """
    from gan_core.core.paths import checkpoints_dir

    real = checkpoints_dir() / run_name
    scratch = Path(tempfile.mkdtemp(prefix=f"gan-worker-{run_name}-", dir=os.environ.get("GAN_SCRATCH_DIR")))
    if resume and real.is_dir():
        shutil.copytree(real, scratch / run_name, ignore=shutil.ignore_patterns("*.lock", "stop.request",
                                                                                 "train.log"))
    os.environ["GAN_CHECKPOINTS_DIR"] = str(scratch)
    return scratch
