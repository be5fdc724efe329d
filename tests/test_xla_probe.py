"""`--xla auto` on a CPU: XLA where it measured faster for the model, measured once per machine and shape.

Real tiny trainings through the command line with GAN_XLA_AUTO=measure (the suite otherwise runs with
`off`, see conftest.py): the first run of a shape measures and remembers, the next reuses the answer, the
verdict is the one the trainer used and is on the device line, and the throwaway model changes nothing
the run trains (its first saved generator is the same as without the probe). A new shape, or a damaged
cache file, is measured again.
"""

import json

import numpy as np
import pytest
from helpers import assert_one_line_error, cli, read_json

TINY = ("--dataset", "cartoon-faces", "--epochs", "1", "--resolution", "32", "--batch-size", "16", "--width", "8",
        "--latent-dim", "16", "--max-images", "32")


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("xla_probe")
    dirs = {"datasets": base / "datasets", "checkpoints": base / "checkpoints", "cache": base / "cache"}
    cli(dirs, "gan_core.datasets", "build", "cartoon-faces", "--count", "32", "--resolution", "32")
    return dirs


def train(dirs, run: str, *extra, mode: str = "measure"):
    return cli(dirs, "gan_core.train", "--run", run, *TINY, *extra, GAN_XLA_AUTO=mode, GAN_CACHE_DIR=str(dirs["cache"]))


def first_generator(dirs, run: str) -> list[np.ndarray]:
    """Every array in the run's epoch-0 generator weights file."""
    import h5py

    arrays = []
    with h5py.File(dirs["checkpoints"] / run / "weights" / "generator_epoch_0000.weights.h5", "r") as f:
        f.visititems(lambda name, item: arrays.append(np.asarray(item)) if isinstance(item, h5py.Dataset) else None)
    assert arrays
    return arrays


def test_measured_once_per_shape_remembered_and_used(dirs):
    probe_file = dirs["cache"] / "xla-probe.json"
    first = train(dirs, "p1")
    assert "measuring whether XLA is faster" in first.stdout
    entries = read_json(probe_file)["entries"]
    assert len(entries) == 1
    (key, verdict), = entries.items()
    assert json.loads(key)["width"] == 8 and json.loads(key)["arch"] == "dcgan"
    assert verdict["xla_images_per_sec"] > 0 and verdict["plain_images_per_sec"] > 0
    assert verdict["xla"] == (verdict["ratio"] > 1.05)
    used = read_json(dirs["checkpoints"] / "p1" / "config.json")["xla_used"]
    assert used == verdict["xla"]
    status = read_json(dirs["checkpoints"] / "p1" / "status.json")
    assert f"XLA {'on' if used else 'off'}: {verdict['ratio']:.2f}x measured)" in status["device"], status["device"]

    again = train(dirs, "p2")  # same shape: the remembered verdict, no second measurement
    assert "measuring whether XLA" not in again.stdout
    assert read_json(dirs["checkpoints"] / "p2" / "config.json")["xla_used"] == used
    assert len(read_json(probe_file)["entries"]) == 1

    # the throwaway model changed nothing the run trains: same first generator as p2, which reused the
    # verdict (no probe, no throwaway model) and trains with the same XLA choice
    for a, b in zip(first_generator(dirs, "p1"), first_generator(dirs, "p2"), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_damaged_cache_is_measured_again(dirs, monkeypatch):
    from gan_core.training import xla_probe
    from gan_core.training.config import TrainConfig

    monkeypatch.setenv("GAN_CACHE_DIR", str(dirs["cache"]))
    config = TrainConfig(dataset="cartoon-faces", run="x", resolution=32, batch_size=16, width=8, latent_dim=16)
    probe_file = xla_probe.cache_file()
    probe_file.parent.mkdir(parents=True, exist_ok=True)
    for damage in (b"{torn", b"[]", b'{"version": 1, "entries": []}', b'{"version": 0, "entries": {}}'):
        probe_file.write_bytes(damage)
        assert xla_probe.remembered(config) is None
    xla_probe.remember(config, {"xla": True, "ratio": 2.0})
    assert xla_probe.remembered(config) == {"xla": True, "ratio": 2.0}
    wider = TrainConfig(dataset="other", run="y", resolution=32, batch_size=16, width=16, latent_dim=16, epochs=9)
    assert xla_probe.remembered(wider) is None  # another shape is measured again ...
    same = TrainConfig(dataset="other", run="y", resolution=32, batch_size=16, width=8, latent_dim=16, epochs=9,
                       lr_g=1e-4, seed=5)
    assert xla_probe.remembered(same) == {"xla": True, "ratio": 2.0}  # ... settings that shape nothing are not
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_max_isa=SSE4_2")  # other code generated: measured again
    assert xla_probe.remembered(config) is None


def test_a_wrong_mode_is_one_line(dirs):
    p = cli(dirs, "gan_core.train", "--run", "bad", *TINY, check=False, GAN_XLA_AUTO="fast")
    assert_one_line_error(p, "GAN_XLA_AUTO", "measure, state, off")
    assert not (dirs["checkpoints"] / "bad").exists()
