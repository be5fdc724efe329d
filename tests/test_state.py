"""The resume state, written off the training thread (gan_core/training/state.py), on real tiny models."""

import json

import keras
import numpy as np
import pytest

from gan_core import models
from gan_core.training.config import TrainConfig
from gan_core.training.state import StateWriter, load_state, state_variables


def built_gan(arch: str = "dcgan", seed: int = 0, width: int = 16):
    keras.utils.set_random_seed(seed)
    config = TrainConfig(dataset="x", run="x", arch=arch, resolution=32, width=width, latent_dim=8)
    family = models.get(config.arch)
    gan = family.build_gan(config)
    gan.compile(*family.optimizers(config))
    gan(np.zeros((1, config.latent_dim), np.float32))
    gan.build_optimizers()
    return gan


def values(gan) -> list[np.ndarray]:
    return [np.array(v.numpy()) for v in state_variables(gan)]


@pytest.mark.parametrize("arch", ["dcgan", "sngan-da"])
def test_a_state_round_trips_exactly_into_a_fresh_model(tmp_path, arch):
    gan = built_gan(arch, seed=1)
    for v in gan.g_optimizer.variables:  # optimizer slots that are not all zero, as after training
        v.assign(np.random.default_rng(0).normal(size=v.shape).astype(v.dtype))
    writer = StateWriter(tmp_path)
    writer.save(gan, epoch=3, step=12)
    writer.close()
    latest = json.loads((tmp_path / "latest.json").read_text())
    assert latest == {"epoch": 3, "step": 12, "file": "state_step_000000012.npz"}
    other = built_gan(arch, seed=2)
    assert not all(np.array_equal(a, b) for a, b in zip(values(gan), values(other), strict=True))
    load_state(other, tmp_path / latest["file"])
    assert all(np.array_equal(a, b) for a, b in zip(values(gan), values(other), strict=True))


def test_the_snapshot_is_taken_when_save_returns_and_old_states_go(tmp_path):
    gan = built_gan()
    before = values(gan)
    writer = StateWriter(tmp_path)
    writer.save(gan, epoch=1, step=4)
    for v in state_variables(gan):  # training goes on while the writer writes
        v.assign(np.zeros(v.shape, v.dtype))
    writer.save(gan, epoch=2, step=8)
    writer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "state_step_000000008.npz"]
    with np.load(tmp_path / "state_step_000000008.npz") as saved:
        assert all(not saved[f"v{i}"].any() for i in range(len(saved.files)))
    first = StateWriter(tmp_path / "again")
    gan2 = built_gan()
    for v, value in zip(state_variables(gan2), before, strict=True):
        v.assign(value)
    first.save(gan2, epoch=1, step=4)
    first.close()
    fresh = built_gan(seed=5)
    load_state(fresh, tmp_path / "again" / "state_step_000000004.npz")
    assert all(np.array_equal(a, b) for a, b in zip(before, values(fresh), strict=True))


def test_a_state_from_other_settings_is_refused_not_half_loaded(tmp_path):
    writer = StateWriter(tmp_path)
    writer.save(built_gan(width=16), epoch=1, step=4)
    writer.close()
    other = built_gan(width=8, seed=3)
    untouched = values(other)
    with pytest.raises(ValueError, match="shape"):
        load_state(other, tmp_path / "state_step_000000004.npz")
    assert all(np.array_equal(a, b) for a, b in zip(untouched, values(other), strict=True))
    with pytest.raises(ValueError, match="variables"):
        load_state(built_gan("sngan-da"), tmp_path / "state_step_000000004.npz")


def test_a_failed_write_is_raised_by_the_next_wait(tmp_path):
    blocker = tmp_path / "state"
    blocker.write_text("a file where the folder should be")
    writer = StateWriter(blocker)
    writer.save(built_gan(), epoch=1, step=4)
    with pytest.raises(OSError):
        writer.close()


def test_nothing_is_written_after_a_failed_job(tmp_path):
    """A row that failed to be written is never followed by its state: resuming must not skip the epoch."""
    writer = StateWriter(tmp_path / "state")

    def failing_row():
        raise ValueError("the row could not be scored")

    writer.later(failing_row)
    writer.save(built_gan(), epoch=1, step=4)
    with pytest.raises(ValueError, match="could not be scored"):
        writer.close()
    assert not (tmp_path / "state").exists()
