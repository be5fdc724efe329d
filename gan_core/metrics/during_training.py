"""The trainer's end-of-epoch scoring: sample scores at every saved epoch, flags at every epoch.

`Trainer.checkpoint()` makes one `EpochScorer` per run; per finished epoch, the run's writer thread draws
the samples from a copy of the epoch's generator (`draw`) and scores them (`score`, numpy only) beside the
next epoch; what `score` returns goes into that epoch's `epochs.jsonl` row. The real reference
images are chosen once per run (the trainer's seeded `Dataset.sample`) and their side of every score is
computed once, here. The generated side uses a fixed z (seeded from the run's seed), so epochs are compared
on the same noise.

Cost on the quick demo (32 px, 256 samples, 2 cores): 3.5 % of an epoch on a busy EPYC (0.95 s, with density,
coverage and KID; before them, 5.3 % on a quiet Xeon); see benchmarks/LOG.md. Epochs whose generator is not
kept (`--save-every`) get `null` scores, since nobody could re-check them, but still get the divergence flag,
which only reads the loss log.
"""

import json
import time
from pathlib import Path

import numpy as np

from gan_core import models
from gan_core.core.schemas import MetricsRow, check
from gan_core.metrics import Reference, epoch_scores
from gan_core.metrics.health import flags_for

SCORE_SAMPLES = 256  # generated images per scored epoch (the reference has as many real ones, if it can)
Z_SEED_OFFSET = 7919  # scoring z = seed + this, so it never equals the sample grid's noise
TAIL_BYTES = 1 << 20  # on resume, read at most the last MB of metrics.jsonl
KEEP_ROWS = 4096  # loss-log rows kept in memory for the divergence check
SCORE_KEYS = ("diversity", "precision", "recall", "density", "coverage", "kid", "ms_ssim", "near_duplicates",
              "mistaken_for_real", "nearer_samples")


class MetricsTail:
    """The newest rows of an append-only JSONL file, read incrementally (never the whole file again)."""

    def __init__(self, path: Path):
        self.path, self.rows, self._offset, self._partial = Path(path), [], None, b""

    def read(self) -> list[dict]:
        try:
            size = self.path.stat().st_size
        except OSError:
            return self.rows
        if self._offset is None or size < self._offset:  # first read, or the file was truncated (resume)
            self._offset, self._partial, self.rows = max(0, size - TAIL_BYTES), b"", []
            skip_first = self._offset > 0
        else:
            skip_first = False
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            data = self._partial + f.read(size - self._offset)
        self._offset = size
        lines = data.split(b"\n")
        self._partial = lines.pop()  # an unfinished last line waits for the next read
        if skip_first and lines:
            lines = lines[1:]  # started mid-line
        for line in lines:
            if line.strip():
                try:
                    row = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if check(row, MetricsRow) is None:  # a row of the wrong shape (a hand edit): skipped
                    self.rows.append(row)
        del self.rows[:-KEEP_ROWS]
        return self.rows


class EpochScorer:
    def __init__(self, run, config, reference_images: np.ndarray, *, samples: int = SCORE_SAMPLES):
        from gan_core.models.saved import sample_z

        self.run, self.config = run, config
        self.reference = Reference(reference_images, seed=config.seed)
        # as many generated as real images: precision and recall compare sets of equal size
        self.z = sample_z(min(samples, len(self.reference)), config.latent_dim, config.seed + Z_SEED_OFFSET)
        self.tail = MetricsTail(run.metrics_file)
        scored = [r for r in run.epochs() if isinstance(r.get("diversity"), int | float)]  # on resume
        self.best_diversity = max((r["diversity"] for r in scored), default=None)  # the run's best so far
        self.collapsed = bool(scored) and "mode_collapse" in (scored[-1].get("flags") or [])

    def should_score(self, epoch: int) -> bool:
        return epoch % self.config.save_every == 0 or epoch >= self.config.epochs

    def draw(self, generator, epoch: int) -> np.ndarray | None:
        """The epoch's samples to score (None if it is not scored), from `generator` (the writer's copy)."""
        from gan_core.core.media import to_uint8

        if not self.should_score(epoch):
            return None
        return np.concatenate([to_uint8(generator.predict_on_batch(self.z[i : i + 256]))
                               for i in range(0, len(self.z), 256)])

    def score(self, images: np.ndarray | None, *, epoch: int, step: int, steps_per_epoch: int | None = None,
              seconds_so_far: float = 0.0) -> dict:
        """Fields for the epoch's row from its drawn samples: the scores (or nulls), `flags` and `score_seconds`
        (drawing included). numpy only, so the trainer runs it beside the next epoch."""
        t0 = time.perf_counter()
        scores = epoch_scores(images, self.reference) if images is not None else None
        rows = [r for r in self.tail.read() if r.get("step", 0) <= step]
        flags = flags_for(scores, rows, epoch=epoch, step=step, steps_per_epoch=steps_per_epoch,
                          best_diversity=self.best_diversity, rule=models.get(self.config.arch).divergence,
                          flagged_before=self.collapsed)
        if scores is not None:
            self.best_diversity = max(self.best_diversity or 0.0, scores["diversity"])
            self.collapsed = "mode_collapse" in flags
        fields = {key: (scores or {}).get(key) for key in SCORE_KEYS}
        seconds = seconds_so_far + time.perf_counter() - t0
        return {**fields, "flags": flags, "score_seconds": round(seconds, 3)}
