"""The built-in datasets: shape, dtype, determinism, variety, and a few facts about their content."""

import itertools
import types

import numpy as np
import pytest

from gan_core.datasets.builtin import BUILTIN, names

COUNT = 16


def _images(name: str, count: int = COUNT, resolution: int = 32, seed: int = 0) -> np.ndarray:
    return np.stack(list(BUILTIN[name].generate(count, resolution, seed)))


def test_registry():
    assert names() == ["cartoon-faces", "doodle-ducks", "digits", "photo-patches"]
    for name, spec in BUILTIN.items():
        assert spec.name == name
        assert spec.channels in (1, 3)
        assert spec.description and spec.source
        assert spec.max_count is None or spec.max_count >= spec.default_count
    assert BUILTIN["digits"].channels == 1
    assert BUILTIN["digits"].default_count == 1797


@pytest.mark.parametrize("name", list(BUILTIN))
def test_shape_dtype_and_content(name):
    spec = BUILTIN[name]
    images = _images(name)
    assert images.shape == (COUNT, 32, 32, spec.channels)
    assert images.dtype == np.uint8
    per_image_std = images.reshape(COUNT, -1).std(axis=1)
    assert (per_image_std > 10).all(), "blank image"
    assert len({im.tobytes() for im in images}) == COUNT, "repeated images"
    assert np.abs(images.astype(np.float32) - images.mean(axis=0)).mean() > 10, "too little variety"


@pytest.mark.parametrize("name", list(BUILTIN))
def test_deterministic_per_seed(name):
    a, b, c = _images(name, seed=3), _images(name, seed=3), _images(name, seed=4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name", list(BUILTIN))
def test_streams_lazily_and_any_resolution(name):
    stream = BUILTIN[name].generate(10**9, 16, 0)
    assert isinstance(stream, types.GeneratorType)
    first = list(itertools.islice(stream, 2))
    assert first[0].shape == (16, 16, BUILTIN[name].channels)
    assert next(BUILTIN[name].generate(1, 50, 0)).shape == (50, 50, BUILTIN[name].channels)


def test_cartoon_faces_are_yellow_with_white_eyes():
    images = _images("cartoon-faces", resolution=64).astype(np.int16)
    r, g, b = images[..., 0], images[..., 1], images[..., 2]
    yellow = ((r > 200) & (g > 170) & (b < 90)).mean(axis=(1, 2))
    assert (yellow > 0.08).mean() >= 0.6, yellow
    white = ((r > 235) & (g > 235) & (b > 225)).sum(axis=(1, 2))
    assert (white > 8).mean() >= 0.9, white


def test_doodle_ducks_are_dark_strokes_on_light_paper():
    images = _images("doodle-ducks")
    grey = images.mean(axis=3)
    assert (np.median(grey, axis=(1, 2)) > 180).mean() >= 0.75  # mostly paper ...
    assert ((grey < 110).mean(axis=(1, 2)) > 0.01).all()  # ... with dark strokes on it


def test_digits_are_white_on_black_and_vary_past_the_real_set():
    images = _images("digits")
    assert np.median(images) < 30 and images.max() > 200
    full = BUILTIN["digits"].generate(1797 + 3, 16, 0)
    real = list(itertools.islice(full, 1797))
    extra = list(full)
    assert len(extra) == 3
    assert not any(np.array_equal(extra[k], real[k]) for k in range(3))  # augmented variants, not copies


def test_photo_patches_show_something_in_focus():
    """Plain or out-of-focus crops are redrawn: a few of them made blurred pictures look like the data."""
    from PIL import Image, ImageFilter

    from gan_core.datasets.builtin.photo_patches import has_structure

    patches = list(BUILTIN["photo-patches"].generate(300, 32, 0))
    in_focus = [has_structure(Image.fromarray(p)) for p in patches]
    assert np.mean(in_focus) >= 0.98, np.mean(in_focus)
    assert not has_structure(Image.new("RGB", (64, 64), (90, 140, 200)))  # plain sky
    sharp = Image.fromarray(patches[int(np.argmax(in_focus))])
    assert not has_structure(sharp.filter(ImageFilter.GaussianBlur(4)))  # out of focus
