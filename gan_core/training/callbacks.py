"""Keras callbacks that turn `fit` into a GAN Explorer run: logs, stop requests, NaN guard, epoch artifacts.

Each runs only when Keras hands control back to Python, which is once per `steps_per_execution`
train steps (and once per epoch for the heavier work), so the train step itself stays pure graph code.
"""

import math
import os
import signal
import sys
import time

import keras

from gan_core.core.progress import duration
from gan_core.core.runs import Run


class StepLog(keras.callbacks.Callback):
    """Appends one `metrics.jsonl` row per execution and keeps `status.json` fresh (at most once a second).

    Keras hands over the epoch's running means; the mean over just the last interval is recovered
    exactly as (k * mean_k - j * mean_j) / (k - j).
    """

    def __init__(self, run: Run, keys: tuple[str, ...], *, step: int, steps_per_epoch: int, epochs: int,
                 batch_size: int, deadline: float | None = None):
        super().__init__()
        self.run, self.keys, self.step, self.spe = run, keys, step, steps_per_epoch
        self.deadline = deadline
        self.epochs, self.batch_size = epochs, batch_size
        self._status_time = 0.0
        self._tty = sys.stdout.isatty()
        self.images_per_sec = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1  # run directories count epochs from 1; epoch 0 is "before training"
        self._prev_k, self._prev_means = 0, dict.fromkeys(self.keys, 0.0)
        self._t = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        k = batch + 1  # steps done in this epoch
        means = {key: float(logs[key]) for key in self.keys}
        n = k - self._prev_k
        row = {key: (k * means[key] - self._prev_k * self._prev_means[key]) / n for key in self.keys}
        now = time.perf_counter()
        self.images_per_sec = n * self.batch_size / max(now - self._t, 1e-9)
        self.step += n
        self._prev_k, self._prev_means, self._t = k, means, now
        row.update(step=self.step, epoch=self.epoch, images_per_sec=round(self.images_per_sec, 1))
        self.run.log_metrics({key: (round(v, 6) if isinstance(v, float) and math.isfinite(v) else v)
                              for key, v in row.items()})
        if now - self._status_time > 1.0:
            self._status_time = now
            remaining = (self.epochs - self.epoch) * self.spe + (self.spe - k)
            eta = remaining * self.batch_size / max(self.images_per_sec, 1e-9)
            if self.deadline is not None:
                eta = min(eta, self._eta_to_deadline(k))
            self.run.write_status(step=self.step, epoch=self.epoch - 1, images_per_sec=round(self.images_per_sec, 1),
                                  epoch_progress=round(k / self.spe, 4), eta_seconds=round(eta))
            if self._tty:
                bar = "#" * int(20 * k / self.spe)
                print(f"\repoch {self.epoch}/{self.epochs} [{bar:<20}] {self.images_per_sec:7.0f} img/s"
                      f"  ETA {duration(eta)}   ", end="", flush=True)


    def _eta_to_deadline(self, k: int) -> float:
        """Seconds until a time-boxed run stops: the epoch in progress when the time is up still finishes."""
        epoch_s = self.spe * self.batch_size / max(self.images_per_sec, 1e-9)
        this_epoch = (self.spe - k) / self.spe * epoch_s
        beyond = self.deadline - time.time() - this_epoch
        return this_epoch + (math.ceil(beyond / epoch_s) * epoch_s if beyond > 0 else 0.0)


class StopRequest(keras.callbacks.Callback):
    """Stops training at the next execution boundary on SIGTERM/SIGINT or when `stop.request` appears.

    Several workers (`training/cluster.py`) agree first: each says whether it was asked, one all-reduce
    adds the answers, and all stop at the same step if any was (a worker that stopped alone would leave
    the others waiting in their next all-reduce for ever).
    """

    def __init__(self, run: Run):
        super().__init__()
        self.run = run
        self.requested = False
        self.mid_epoch = False
        self._agree = None

    def on_train_begin(self, logs=None):
        self._previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        if os.environ.get("TF_CONFIG"):
            self._agree = agreement(self.model.distribute_strategy)

    def on_train_end(self, logs=None):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _on_signal(self, signum, frame):
        self.requested = True

    def on_train_batch_end(self, batch, logs=None):
        asked = self.requested or self.run.stop_file.exists()
        if self._agree is not None:
            asked = self._agree(asked)
        if asked:
            self.requested = True
            self.mid_epoch = batch + 1 < self.params.get("steps", batch + 2)
            self.model.stop_training = True


def agreement(strategy):
    """A function flag -> whether any worker's flag is set, by one all-reduce over every replica."""
    import tensorflow as tf

    def any_worker(flag: bool) -> bool:
        votes = strategy.experimental_distribute_values_from_function(lambda _: tf.constant(int(flag), tf.int32))
        return int(strategy.reduce(tf.distribute.ReduceOp.SUM, votes, axis=None)) > 0

    return any_worker


class TimeLimit(keras.callbacks.Callback):
    """Stops at the end of the epoch in progress when the deadline (`training/time_box.py`) has passed.

    The epoch is never cut: it finishes and is checkpointed like any other, so a time-boxed run ends on an
    epoch boundary, at most one epoch after its time. Several workers agree at every epoch end, as
    `StopRequest` does at every step (their clocks may differ by a little; all stop at the same epoch).
    At the run's last epoch it does nothing: that run has finished, not stopped.
    """

    def __init__(self, deadline: float):
        super().__init__()
        self.deadline = deadline
        self.reached = False
        self._agree = None

    def on_train_begin(self, logs=None):
        if os.environ.get("TF_CONFIG"):
            self._agree = agreement(self.model.distribute_strategy)

    def on_epoch_end(self, epoch, logs=None):
        past = time.time() >= self.deadline
        if self._agree is not None:
            past = self._agree(past)
        if past and epoch + 1 < self.params.get("epochs", epoch + 2):
            self.reached = True
            self.model.stop_training = True


class NaNGuard(keras.callbacks.Callback):
    """Stops at the first non-finite loss, so the last good checkpoint is never overwritten."""

    def __init__(self, loss_keys: tuple[str, ...]):
        super().__init__()
        self.loss_keys = loss_keys
        self.error = None

    def on_train_batch_end(self, batch, logs=None):
        bad = [k for k in self.loss_keys if not math.isfinite(float(logs[k]))]
        if bad:
            self.error = (
                f"training diverged: {' and '.join(bad)} became NaN or infinite in epoch "
                f"{self.epoch}; try a lower learning rate, or resume from the last good checkpoint"
            )
            self.model.stop_training = True

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1


class EpochArtifacts(keras.callbacks.Callback):
    """At the end of every complete, healthy epoch: sample grid, epoch row, generator weights, state.

    `checkpoint(epoch, step, epoch_done)` is the trainer's; this callback decides when to call it.
    """

    def __init__(self, checkpoint, step_log: StepLog, stop: StopRequest, guard: NaNGuard):
        super().__init__()
        self.checkpoint, self.step_log, self.stop, self.guard = checkpoint, step_log, stop, guard

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if self.guard.error:
            return
        if self.stop.requested and self.stop.mid_epoch:
            self.checkpoint(epoch=epoch, step=self.step_log.step, epoch_done=False, logs=None, seconds=None)
            return
        seconds = time.perf_counter() - self._t
        means = {k: round(float(logs[k]), 6) for k in self.step_log.keys}
        self.checkpoint(epoch=epoch + 1, step=self.step_log.step, epoch_done=True, logs=means, seconds=seconds)
