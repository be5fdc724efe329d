"""The trainer: from a `TrainConfig` to a finished (or stopped, or failed) run directory.

It sets up the device, the input pipeline and the run's GAN family (`gan_core.models`), restores the
last full state when resuming, and lets Keras `fit` drive the epochs while the callbacks write the run
directory. Checkpoint order makes `kill -9` harmless: grid, generator weights and epoch row first, then
the full state, and only then does `state/latest.json` (renamed into place) point at it. All of it is
done by one background thread, in that order, from snapshots the training thread takes in milliseconds
(`training/state.py`): a copy of the generator draws the grid and the samples to score. Resuming first
drops any log rows newer than that state, so at most the unfinished epoch is lost (and the one before it,
in the instant its files, row and state are being written).
"""

import json
import os
import platform
import time
import warnings

import numpy as np

from gan_core import __version__, models
from gan_core.core.atomic import read_json, temp_path_for, truncate_torn_line, write_bytes, write_json
from gan_core.core.errors import UsageError
from gan_core.core.media import grid, png_bytes, to_uint8
from gan_core.core.runs import Run, hostname, keeps_generator, now
from gan_core.core.schemas import EpochRow, MetricsRow, StateLatest, check, read_rows, shape_problem
from gan_core.datasets.store import open_dataset
from gan_core.training.config import TrainConfig
from gan_core.training.state import StateWriter, load_state
from gan_core.training.time_box import TimeBox, iso

REFERENCE_SAMPLES = 256  # real images, chosen once per run, that every epoch's samples are scored against


class Trainer:
    def __init__(self, config: TrainConfig, *, resume: bool = False, log=print, time_box: TimeBox | None = None):
        self.config, self.resume, self.log = config, resume, log
        self.time_box = time_box or TimeBox()
        self.run = Run(config.run)
        self.family = models.get(config.arch)
        self.dataset = open_dataset(config.dataset)
        self.images = min(self.dataset.count, config.max_images or self.dataset.count)
        if self.images < config.batch_size:
            raise UsageError(
                f"dataset {config.dataset!r} has {self.images} images, fewer than one batch of "
                f"{config.batch_size}; lower --batch-size or add images"
            )
        self.whole_batches = self.images // config.batch_size
        self.saved = saved_state(self.run) if resume else None
        if self.saved and self.saved["file"] is None:
            self.saved = None

    # -- setup ----------------------------------------------------------------------------------
    def _build(self):
        import keras

        from gan_core.datasets.pipeline import training_dataset
        from gan_core.training import device as devices

        c = self.config
        self.device = devices.setup(c.precision, c.xla)
        devices.decide_xla(self.device, c, self.log)  # may build a throwaway model: before the run's seed is set
        keras.utils.set_random_seed(c.seed)
        with self.device.strategy.scope():
            self.gan = self.family.build_gan(c)
            g_opt, d_opt = self.family.optimizers(c)
            if self.device.precision == "mixed_float16":
                g_opt = keras.optimizers.LossScaleOptimizer(g_opt)
                d_opt = keras.optimizers.LossScaleOptimizer(d_opt)
            # Keras runs whole executions, so an epoch is a multiple of steps_per_execution: the nearest
            # one to a full pass over the data (the stream is endless and reshuffled, so nothing is lost).
            spe = min(self.device.steps_per_execution(c.steps_per_execution), self.whole_batches)
            self.steps_per_epoch = max(1, round(self.whole_batches / spe)) * spe
            self.gan.compile(g_opt, d_opt, jit_compile=self.device.xla, steps_per_execution=spe)
            self.gan(np.zeros((1, c.latent_dim), np.float32))
            self.gan.build_optimizers()
            self.generator = self.family.sampling_generator(self.gan)
        data = training_dataset(self.dataset, resolution=c.resolution, channels=c.channels,
                                batch_size=c.batch_size, seed=c.seed, max_images=c.max_images)
        return data

    def _write_config(self) -> None:
        import keras
        import tensorflow as tf

        c = self.config
        write_json(self.run.config_file, {
            **c.to_dict(),
            "dataset_fingerprint": self.dataset.fingerprint,
            "dataset_count": self.dataset.count,
            "dataset_resolution": self.dataset.resolution,
            "images_per_epoch": self.steps_per_epoch * c.batch_size,
            "steps_per_epoch": self.steps_per_epoch,
            "device": self.device.describe(),
            "device_kind": self.device.kind,
            "precision_used": self.device.precision,
            "xla_used": self.device.xla,
            "replicas": self.device.count,
            "versions": {"gan_core": __version__, "tensorflow": tf.__version__, "keras": keras.__version__,
                         "numpy": np.__version__, "python": platform.python_version()},
            "created": self.run.config().get("created", now()),
        })

    # -- checkpoints ----------------------------------------------------------------------------
    def _sample_grid(self, epoch: int, generator=None) -> None:
        generator = self.generator if generator is None else generator
        samples = to_uint8(generator.predict_on_batch(self.noise))
        write_bytes(self.run.sample_file(epoch), png_bytes(grid(samples, self.config.grid_side)))

    def _save_weights(self, model, path) -> None:
        tmp = temp_path_for(path)
        model.save_weights(tmp)
        os.replace(tmp, path)

    def checkpoint(self, *, epoch: int, step: int, epoch_done: bool, logs: dict | None, seconds) -> None:
        """Write everything for a finished epoch (or a mid-epoch stop), in crash-safe order.

        On the training thread only snapshots are taken (the generator's weights, the state's variables:
        milliseconds); the writer thread then draws the grid from the snapshot, saves the generator file,
        scores the epoch, appends its row and writes the state, in that order, beside the next epoch
        (benchmarks/LOG.md, "The epoch's pictures drawn beside the next epoch").
        """
        from gan_core.metrics.during_training import EpochScorer

        c = self.config
        self.state_writer.wait()  # the previous epoch's files, row and state are on disk: one epoch in flight
        if epoch_done:
            if getattr(self, "_scorer", None) is None:  # made once per run: the real side is scored once
                self._scorer = EpochScorer(self.run, c, self.reference)
            weights = [np.array(w) for w in self.generator.get_weights()]  # copies: training updates in place
            row = {"epoch": epoch, "step": step, **(logs or {}),
                   "seconds": round(seconds, 2) if seconds else None,
                   "images_per_sec": round(self.steps_per_epoch * c.batch_size / seconds, 1) if seconds else None,
                   "time": now()}
            self.state_writer.later(self._write_epoch, row, weights)
        self.state_writer.save(self.gan, epoch=epoch, step=step)
        self.run.write_status(epoch=epoch, step=step, epoch_progress=0.0)
        self.done_epoch, self.done_step = epoch, step
        if epoch_done:
            losses = "  ".join(f"{key} {logs[key]:.3f}" for key in self.family.keys())
            self.log(f"epoch {epoch}/{c.epochs}  step {step}  {losses}"
                     f"  {self.steps_per_epoch * c.batch_size / seconds:.0f} img/s")

    def _write_epoch(self, row: dict, weights: list[np.ndarray]) -> None:
        """On the writer thread: the epoch's grid, generator file, scores and row, from its generator's weights."""
        c, run, epoch = self.config, self.run, row["epoch"]
        if getattr(self, "_drawing_generator", None) is None:  # the real one trains on meanwhile; built as the
            self._drawing_generator = self.family.generator_for(c.to_dict())  # pages build it to load its file
        generator = self._drawing_generator
        generator.set_weights(weights)
        self._sample_grid(epoch, generator)
        run.weights_dir.mkdir(exist_ok=True)
        self._save_weights(generator, run.generator_file(epoch))
        previous = epoch - 1  # keep every save_every-th generator, epoch 0, and the newest
        if not keeps_generator(previous, c.save_every) and previous != self._start_epoch:
            run.generator_file(previous).unlink(missing_ok=True)
        t0 = time.perf_counter()
        samples = self._scorer.draw(generator, epoch)
        scores = self._scorer.score(samples, epoch=epoch, step=row["step"], steps_per_epoch=self.steps_per_epoch,
                                    seconds_so_far=time.perf_counter() - t0)
        run.log_epoch({**row, **scores})

    def _restore(self) -> tuple[int, int]:
        """Load the last full state and drop log rows written after it."""
        saved = self.saved
        if saved:
            try:
                load_state(self.gan, self.run.state_dir / saved["file"])
            except Exception as exc:  # a truncated or foreign file: say so, keep it for a look
                why = (str(exc).strip().splitlines() or [""])[0][:160]
                raise UsageError(f"run {self.run.name!r} cannot be resumed: state/{saved['file']} is damaged "
                                 f"({type(exc).__name__}{': ' + why if why else ''})") from None
        epoch, step = (saved["epoch"], saved["step"]) if saved else (0, 0)
        for path, model, key, limit in ((self.run.metrics_file, MetricsRow, "step", step),
                                        (self.run.epochs_file, EpochRow, "epoch", epoch)):
            truncate_torn_line(path)
            skipped = _drop_rows_after(path, model, key, limit)
            if skipped:  # one line per log: training goes on, the lines stay as they are for a look
                more = f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""
                self.log(f"warning: skipped a damaged line: {skipped[0]}{more}; left in the file as it is")
        return epoch, step

    # -- the run --------------------------------------------------------------------------------
    def train(self) -> dict:
        """Train, and whatever happens, leave `status.json` saying how it ended."""
        try:
            return self._train()
        except (Exception, KeyboardInterrupt) as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.run.write_status(state="failed", error=f"{type(exc).__name__}: {message}", finished=now())
            raise

    def _train(self) -> dict:
        import keras

        from gan_core.training.callbacks import EpochArtifacts, NaNGuard, StepLog, StopRequest, TimeLimit

        c, run = self.config, self.run
        run.path.mkdir(parents=True, exist_ok=True)  # a stop request made while starting up stays valid
        data = self._build()
        self._write_config()
        start_epoch, step = self._restore()
        self.state_writer = StateWriter(run.state_dir)
        self._start_epoch, self.done_epoch, self.done_step = start_epoch, start_epoch, step
        if run.noise_file.exists():
            self.noise = run.fixed_noise()
        else:
            rng = np.random.default_rng(c.seed)
            self.noise = rng.standard_normal((c.grid_side**2, c.latent_dim)).astype(np.float32)
            run.samples_dir.mkdir(parents=True, exist_ok=True)
            tmp = temp_path_for(run.noise_file)
            np.save(tmp, self.noise)
            os.replace(tmp, run.noise_file)
        self.reference = self.dataset.sample(REFERENCE_SAMPLES, seed=c.seed)
        started = run.status().get("started") if self.resume else None
        deadline = self.time_box.deadline()  # counted from here: built and restored, about to train
        run.write_status(state="running", epoch=start_epoch, epochs=c.epochs, step=step, pid=os.getpid(),
                         steps_per_epoch=self.steps_per_epoch, started=started or now(), error=None, host=hostname(),
                         finished=None, device=self.device.describe(), stopped_by=None,
                         deadline=iso(deadline) if deadline is not None else None)
        self.log(f"training {run.name!r} on {self.device.describe()}: {self.images} images of "
                 f"{c.dataset!r}, {self.steps_per_epoch} steps per epoch, epochs {start_epoch + 1}..{c.epochs}"
                 + (f", stopping at the first epoch end after {time.strftime('%H:%M:%S', time.localtime(deadline))}"
                    if deadline is not None else ""))
        if start_epoch == 0 and not self.saved:
            self._sample_grid(0)
            run.weights_dir.mkdir(exist_ok=True)
            self._save_weights(self.generator, run.generator_file(0))

        step_log = StepLog(run, self.family.keys(), step=step, steps_per_epoch=self.steps_per_epoch, epochs=c.epochs,
                           batch_size=c.batch_size, deadline=deadline)
        stop, guard = StopRequest(run), NaNGuard(self.family.keys("loss"))
        time_limit = TimeLimit(deadline) if deadline is not None else None
        callbacks = [step_log, guard, stop, EpochArtifacts(self.checkpoint, step_log, stop, guard),
                     *([time_limit] if time_limit else []),
                     keras.callbacks.TensorBoard(str(run.tensorboard_dir), update_freq="epoch",
                                                 write_graph=False, profile_batch=0)]
        t0 = time.time()
        warnings.filterwarnings("ignore", message=".*shuffle=True.*tf.data.Dataset")
        try:
            self.gan.fit(data, epochs=c.epochs, initial_epoch=start_epoch, steps_per_epoch=self.steps_per_epoch,
                         callbacks=callbacks, verbose=0)
        finally:
            self.state_writer.close()  # the last state is on disk before the run says how it ended
        stopped_by = None
        if guard.error:
            state, error = "failed", guard.error
            self.log(f"error: {error}")
        elif stop.requested:
            state, error = "stopped", None
            self.log(f"stopped at epoch {self.done_epoch}, step {self.done_step}; "
                     f"continue with: python -m gan_core.train --run {run.name} --resume")
        elif time_limit and time_limit.reached:
            state, error, stopped_by = "stopped", None, "time"
            done = self.done_epoch - start_epoch
            self.log(f"time is up after {done} epoch{'s' if done != 1 else ''} (at epoch {self.done_epoch} of "
                     f"{c.epochs}); continue with: python -m gan_core.train --run {run.name} --resume [--minutes N]")
        else:
            state, error = "finished", None
            self.log(f"finished {c.epochs} epochs in {time.time() - t0:.0f}s; samples in {run.samples_dir}")
        run.stop_file.unlink(missing_ok=True)
        return run.write_status(state=state, error=error, finished=now(), epoch=self.done_epoch,
                                step=self.done_step, eta_seconds=0 if state == "finished" else None,
                                stopped_by=stopped_by)


def _drop_rows_after(path, model, key: str, limit: int) -> list[str]:
    """Drop the log rows whose `key` is past `limit` (newer than the saved state); returns the damaged lines, named.

    A line of the wrong shape (`gan_core.core.schemas`) is kept as written: it is not the trainer's to judge, and
    every reader skips it and names it.
    """
    rows = read_rows(path, model)
    if all(r[key] <= limit for r in rows):
        return rows.skipped
    kept = []
    for line in path.read_bytes().splitlines(keepends=True):
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):
            row = None
        if check(row, model) is not None or row[key] <= limit:
            kept.append(line)
    write_bytes(path, b"".join(kept))
    return rows.skipped


def saved_state(run: Run) -> dict:
    """`state/latest.json`, checked: a resume from a damaged one would silently restart at epoch 0.

    No file at all means the run never finished a checkpoint: it restarts at epoch 0 (and `_restore`
    drops any log rows, so the logs never mix two histories).
    """
    path = run.state_dir / "latest.json"
    if not path.exists():
        imported = read_json(run.status_file, {}).get("imported")
        if isinstance(imported, dict) and imported.get("with_state") is False:
            raise UsageError(f"run {run.name!r} was moved here without its training state (export-run --no-state): "
                             "it can be viewed and generated from, not resumed")
        return {"epoch": 0, "step": 0, "file": None}
    wrong = shape_problem(path, StateLatest)
    latest = read_json(path, {})
    if not wrong and not (run.state_dir / latest["file"]).is_file():
        wrong = f"latest.json: file: state/{latest['file']} is missing"
    if wrong:
        raise UsageError(f"run {run.name!r} cannot be resumed: {path.relative_to(run.path)} is damaged or names "
                         f"a missing state file ({wrong}); its samples and weights can still be viewed and "
                         "generated from")
    return latest


def prepare(config_args: dict, *, resume: bool) -> TrainConfig:
    """Validate a new run's or a resumed run's settings before any TensorFlow work starts."""
    run = Run(config_args["run"])
    if resume:
        run.require()
        status = run.status()
        if status.get("state") == "running":
            raise UsageError(f"run {run.name!r} is already training (pid {status.get('pid')})")
        saved = {**run.config()}
        if not saved:
            raise UsageError(f"run {run.name!r} cannot be resumed: its config.json is missing or damaged "
                             "(it never started, or the file was changed); train it anew under another name")
        try:
            config = TrainConfig.from_dict(saved)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"run {run.name!r} cannot be resumed: its config.json is damaged ({exc})") from None
        done = saved_state(run)["epoch"]
        epochs = config_args.get("epochs") or config.epochs
        if epochs <= done:
            raise UsageError(f"run {run.name!r} has already trained {done} epochs; "
                             f"pass --epochs with more than {done} to continue")
        return TrainConfig.from_dict({**saved, "epochs": epochs})
    if run.path.exists() and not run.path.is_dir():
        raise UsageError(f"{run.path} is a file, not a run; choose another --run name")
    if run.exists():
        raise UsageError(f"run {run.name!r} already exists; choose another --run name, or continue it "
                         f"with --resume")
    dataset = open_dataset(config_args["dataset"])
    args = {k: v for k, v in config_args.items() if v is not None}
    args.setdefault("resolution", dataset.resolution if dataset.resolution in (32, 64, 128, 256) else 64)
    args.setdefault("channels", dataset.channels)
    return TrainConfig(**args)

