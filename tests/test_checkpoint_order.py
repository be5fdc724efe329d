"""An epoch's pictures and scores are made beside the next epoch, on the writer thread, and still land in
order: grid and generator file, then the epoch's row, then its state; every epoch's row is in the log, the
pictures come from that epoch's weights, and the run's end waits for the last one."""

import io
import threading

import keras

from gan_core.core.progress import Progress
from gan_core.core.runs import Run
from gan_core.metrics.during_training import EpochScorer
from gan_core.training.config import TrainConfig
from gan_core.training.trainer import Trainer


def test_scores_run_on_the_writer_thread_and_the_row_precedes_its_state(tmp_path, monkeypatch):
    from gan_core.datasets.build import build

    monkeypatch.setenv("GAN_DATASETS_DIR", str(tmp_path / "datasets"))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(tmp_path / "checkpoints"))
    monkeypatch.setenv("GAN_XLA_AUTO", "off")
    build("cartoon-faces", count=64, resolution=32, progress=Progress(64, stream=io.StringIO()))
    seen, grids = [], []
    score, sample_grid = EpochScorer.score, Trainer._sample_grid

    def watched(self, samples, *, epoch, step, **kwargs):
        latest = self.run.state_dir / "latest.json"
        seen.append((epoch, threading.current_thread().name, latest.read_text() if latest.exists() else None,
                     [r["epoch"] for r in self.run.epochs()],
                     self.run.sample_file(epoch).exists() and self.run.generator_file(epoch).exists()))
        return score(self, samples, epoch=epoch, step=step, **kwargs)

    def drawing(self, epoch, generator=None):
        grids.append((epoch, threading.current_thread().name))
        return sample_grid(self, epoch, generator)

    monkeypatch.setattr(EpochScorer, "score", watched)
    monkeypatch.setattr(Trainer, "_sample_grid", drawing)
    config = TrainConfig(dataset="cartoon-faces", run="order", resolution=32, width=16, batch_size=32, epochs=3,
                         save_every=1, latent_dim=8)
    Trainer(config, log=lambda message: None).train()
    keras.backend.clear_session()

    assert [epoch for epoch, *_ in seen] == [1, 2, 3]
    assert all(name.startswith("state-writer") for _, name, *_ in seen), seen
    assert [(e, name.startswith("state-writer")) for e, name in grids] == [(0, False), (1, True), (2, True), (3, True)]
    assert all(files for *_, files in seen), "the grid and generator file are written before the epoch's row"
    for epoch, _, latest, rows, _ in seen:
        assert rows == list(range(1, epoch)), "each row is written after the one before, before its own"
        assert (latest is None) == (epoch == 1) and (latest is None or f'"epoch": {epoch - 1}' in latest)
    rows = Run("order").epochs()
    assert [r["epoch"] for r in rows] == [1, 2, 3]  # the run's end waited for the last epoch's row
    assert all(isinstance(r["diversity"], float) and r["score_seconds"] > 0 for r in rows)

    # each grid is drawn from the weights saved for its epoch (the writer's copy, not the network training on)
    from gan_core.core.media import grid
    from gan_core.export.animation import read_png
    from gan_core.models.saved import generate, load_generator

    run = Run("order")
    for epoch in (1, 2, 3):
        generator, _ = load_generator(run, epoch)
        redrawn = grid(generate(generator, run.fixed_noise()), config.grid_side).astype(int)
        assert abs(redrawn - read_png(run.sample_file(epoch)).reshape(redrawn.shape)).max() <= 2, epoch
