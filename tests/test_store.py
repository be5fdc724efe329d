"""The dataset store and the tf.data input built on it, on real images."""

import numpy as np
import pytest

from gan_core.core.errors import UsageError
from gan_core.datasets import store


@pytest.fixture(autouse=True)
def datasets_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tmp_path / "datasets"))
    return tmp_path / "datasets"


def _images(n, r=8, c=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, r, r, c), dtype=np.uint8)


def _write(name, images, **kw):
    with store.DatasetWriter(name, images.shape[1], images.shape[3], source="test", **kw) as w:
        for im in images:
            w.add(im)
        return w.commit()


def test_round_trip_across_shards(monkeypatch):
    monkeypatch.setattr(store, "SHARD_BYTES", 8 * 8 * 3 * 7)  # 7 images per shard
    images = _images(30)
    ds = _write("rt", images)
    assert ds.count == 30 and len(ds.shard_files()) == 5
    assert np.array_equal(np.stack(list(ds.iter_images())), images)
    assert np.array_equal(ds.images([0, 7, 29, 13]), images[[0, 7, 29, 13]])
    sample = ds.sample(10, seed=3)
    assert len({im.tobytes() for im in sample}) == 10
    assert np.array_equal(sample, ds.sample(10, seed=3))
    assert ds.manifest["source"] == "test" and [d.name for d in store.list_datasets()] == ["rt"]


def test_fingerprint_follows_content():
    a = _write("a", _images(5)).fingerprint
    b = _write("b", _images(5)).fingerprint
    c = _write("c", _images(5, seed=1)).fingerprint
    assert a == b != c


def test_failed_write_leaves_nothing(datasets_dir):
    with pytest.raises(RuntimeError):
        with store.DatasetWriter("broken", 8, 3) as w:
            w.add(_images(1)[0])
            raise RuntimeError("import cancelled")
    assert not store.exists("broken") and list(datasets_dir.iterdir()) == []


def test_existing_name_needs_replace_and_replace_is_whole():
    _write("same", _images(3))
    with pytest.raises(UsageError, match="already exists"):
        store.DatasetWriter("same", 8, 3)
    _write("same", _images(4, seed=2), replace=True)
    assert store.open_dataset("same").count == 4


@pytest.mark.parametrize("name", ["../up", "a/b", ".hidden", "", "x" * 65])
def test_names_that_escape_are_refused(name, datasets_dir):
    with pytest.raises(UsageError, match="not allowed"):
        store.DatasetWriter(name, 8, 3)
    assert not datasets_dir.parent.joinpath("up").exists()


def test_wrong_image_shape_is_refused():
    with store.DatasetWriter("shape", 8, 3) as w:
        with pytest.raises(ValueError, match="expected uint8 image"):
            w.add(np.zeros((9, 9, 3), np.uint8))


def test_delete_and_unknown():
    _write("gone", _images(2))
    store.delete_dataset("gone")
    with pytest.raises(UsageError, match="no dataset named 'gone'"):
        store.open_dataset("gone")


def test_training_input_scales_resizes_and_converts():
    from gan_core.datasets.pipeline import training_dataset

    grey = _write("grey", _images(20, r=16, c=1))
    batch = next(iter(training_dataset(grey, resolution=32, channels=3, batch_size=4, seed=0))).numpy()
    assert batch.shape == (4, 32, 32, 3) and batch.dtype == np.float32
    assert -1.0 <= batch.min() < batch.max() <= 1.0
    assert np.allclose(batch[..., 0], batch[..., 2])  # grey tiled to RGB


def test_max_images_uses_the_same_subset_every_epoch():
    from gan_core.datasets.pipeline import training_dataset

    ds = _write("sub", _images(40, r=4))
    stream = iter(training_dataset(ds, resolution=4, channels=3, batch_size=5, seed=1, max_images=10))
    seen = [b.numpy().tobytes() for _ in range(8) for b in next(stream)]
    allowed = {((im.astype(np.float32) / 127.5) - 1).tobytes() for im in ds.images(range(10))}
    assert set(seen) <= allowed and len(set(seen)) == 10
