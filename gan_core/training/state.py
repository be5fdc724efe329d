"""The full training state for resume, written off the training thread.

At every checkpoint the trainer takes a snapshot of every variable (networks, EMA copy, optimizers) as
numpy arrays, which takes milliseconds, and trains on while one writer thread saves the snapshot and
only then points `state/latest.json` at it. Keras' `save_weights` did the same work on the training
thread: 70 ms per epoch at 32 px, 160 ms at 64 px (docs/benchmarks.md, "where its end-of-epoch time goes").

Crash safety is unchanged in kind: a state file is renamed into place complete, `latest.json` is
renamed into place after it, and resuming drops log rows newer than the state it finds. A `kill -9`
loses the unfinished epoch, and if it lands while the writer is busy (a tenth of a second or so after
an epoch ends: it also draws the epoch's grid and scores it, see the trainer) that epoch as well; the
resume trains it again.

The file is an uncompressed `.npz` of the variables in the order Keras lists them, which is fixed by
how the family builds its networks; loading checks the count and every shape, so a state from other
settings is refused instead of half-loaded. Runs saved before this (Keras `.weights.h5`) still resume.

A state saved under mixed float16 (a GPU's default) holds, for each optimizer, the `LossScaleOptimizer`'s
own variables (iteration, learning rate, step counter, loss scale: Keras 3 lists them ahead of the inner
optimizer's) that a float32 build lacks, and the other way round: a run moved from a GPU to a laptop (or back,
`gan_core.transfer`) resumes with the networks and the Adam slots as they were; only the loss scale is dropped
or starts afresh. Every other mismatch is still refused.
"""

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from gan_core.core.atomic import temp_path_for, write_json

STATE_GLOB = "state_step_*"


def state_variables(gan) -> list:
    """Every variable a resume needs, in a fixed order: the networks', then G's and D's optimizers'.

    Not Keras' own `model.optimizer`: the GAN never trains with it, and under a distribution strategy
    `fit` builds it (slots for every weight) only once training starts, so its variables come and go.
    """
    return [*gan.weights, *gan.g_optimizer.variables, *gan.d_optimizer.variables]


def state_file_name(step: int) -> str:
    return f"state_step_{step:09d}.npz"


def load_state(gan, path: Path) -> None:
    """Restore a state saved by `StateWriter` (or, for older runs, by Keras); raises on any mismatch."""
    path = Path(path)
    if path.name.endswith(".weights.h5"):
        gan.load_weights(path)
        return
    variables = state_variables(gan)
    with np.load(path, allow_pickle=False) as saved:
        values = [saved[f"v{i}"] for i in range(len(saved.files))]
    if len(values) != len(variables):
        values = across_loss_scaling(gan, values)
    for i, (variable, value) in enumerate(zip(variables, values, strict=True)):
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(f"variable {i} ({variable.path}) has shape {tuple(variable.shape)}, "
                             f"the saved one {tuple(value.shape)}")
    for variable, value in zip(variables, values, strict=True):
        variable.assign(value)


LOSS_SCALE_OWN = 4  # a LossScaleOptimizer's own variables (Keras 3): iteration, learning_rate, step_counter, scale


def _optimizer_parts(optimizer) -> tuple[list, list]:
    """(the loss-scale wrapper's own variables, the inner optimizer's); ([], all) for a plain optimizer."""
    variables = list(optimizer.variables)
    inner = getattr(optimizer, "inner_optimizer", None)
    if inner is None:
        return [], variables
    n = len(variables) - len(inner.variables)
    return variables[:n], variables[n:]


def across_loss_scaling(gan, values: list[np.ndarray]) -> list[np.ndarray]:
    """The saved values rearranged for this build when one side trained with loss scaling and the other without.

    Saved with it, loaded without: each optimizer's `LOSS_SCALE_OWN` leading scalars are dropped. Saved without,
    loaded with: the wrapper keeps its fresh values (the inner optimizer's step count is the one that matters).
    Anything else raises `ValueError` with both counts.
    """
    weights = len(gan.weights)
    parts = [_optimizer_parts(gan.g_optimizer), _optimizer_parts(gan.d_optimizer)]
    inner = sum(len(i) for _, i in parts)
    wrapped = all(own for own, _ in parts)
    expected = len(gan.weights) + len(gan.g_optimizer.variables) + len(gan.d_optimizer.variables)
    out, at = list(values[:weights]), weights
    if not any(own for own, _ in parts) and len(values) == weights + inner + 2 * LOSS_SCALE_OWN:
        for _, inner_vars in parts:  # saved under mixed float16, loaded without loss scaling
            if any(np.shape(v) != () for v in values[at:at + LOSS_SCALE_OWN]):
                break
            at += LOSS_SCALE_OWN
            out += values[at:at + len(inner_vars)]
            at += len(inner_vars)
        else:
            return out
    elif wrapped and len(values) == weights + inner:
        for own, inner_vars in parts:  # saved without loss scaling, loaded under mixed float16
            out += [np.array(v.numpy()) for v in own]
            out += values[at:at + len(inner_vars)]
            at += len(inner_vars)
        return out
    raise ValueError(f"{len(values)} arrays saved, the model has {expected} variables")


class StateWriter:
    """The run's writer thread: runs what it is given in order (epoch rows, then state snapshots).

    `wait()` before anything reads what it writes; the trainer also waits at each checkpoint, so at most one
    epoch's work is ever in flight.
    """

    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="state-writer")
        self._pending: list[Future] = []  # only the training thread changes and reads it
        self._failed: str | None = None  # only the writer thread changes and reads it

    def later(self, job, *args) -> None:
        """Run `job(*args)` on the writer thread, after everything given before it."""
        self._pending.append(self._pool.submit(self._in_order, job, args))

    def _in_order(self, job, args: tuple) -> None:
        """After a failure nothing more is written: no state may follow an epoch row that is missing."""
        if self._failed is not None:
            raise RuntimeError(f"not written: an earlier write failed ({self._failed})")
        try:
            job(*args)
        except BaseException as exc:
            self._failed = f"{type(exc).__name__}: {exc}"
            raise

    def save(self, gan, *, epoch: int, step: int) -> None:
        """Snapshot now (the caller may change the variables right after) and write after what is queued."""
        snapshot = [np.array(v.numpy()) for v in state_variables(gan)]  # copies: training may update in place
        self.later(self._write, snapshot, epoch, step)

    def _write(self, snapshot: list[np.ndarray], epoch: int, step: int) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        path = self.state_dir / state_file_name(step)
        tmp = temp_path_for(path)
        with open(tmp, "wb") as f:
            np.savez(f, **{f"v{i}": value for i, value in enumerate(snapshot)})
            f.flush()
            os.fsync(f.fileno())  # off the training thread, so durable against power loss too
        tmp.replace(path)
        write_json(self.state_dir / "latest.json", {"epoch": epoch, "step": step, "file": path.name})
        for old in self.state_dir.glob(STATE_GLOB):
            if old != path:  # the writer's own temporary files start with a dot: not matched
                old.unlink(missing_ok=True)

    def wait(self) -> None:
        """Block until everything given so far is done; re-raise the first thing that went wrong."""
        pending, self._pending = self._pending, []
        errors = [error for future in pending if (error := future.exception()) is not None]
        if errors:
            raise errors[0]

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)
