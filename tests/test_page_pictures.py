"""Pictures reach the browser as PNG bytes encoded once, not re-encoded by Streamlit on every script run.

With thirty people on the app, Streamlit encoding each page's arrays again on every run was most of the
server's time (benchmarks/LOG.md "A room of thirty"). Here a page's second run must not encode any
picture, and what is served is still the lossless, sharp, whole-factor enlargement of the grid.
"""

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.elements.lib import image_utils
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from gan_core.core.runs import Run
from gan_core.export.animation import read_png
from ui.common import png, upscale

PAGES = ["app.py", "pages/datasets.py", "pages/epochs.py", "pages/curves.py", "pages/train.py", "pages/latent.py"]


@pytest.fixture
def encodes(monkeypatch) -> list:
    """Every image Streamlit itself encodes (arrays, and bytes it has to shrink or convert)."""
    calls = []
    original = image_utils._pil_to_bytes

    def counting(*args, **kwargs):
        calls.append(args[0].size)
        return original(*args, **kwargs)

    monkeypatch.setattr(image_utils, "_pil_to_bytes", counting)
    return calls


@pytest.mark.parametrize("page", PAGES)
def test_a_warm_page_run_encodes_no_picture(tiny_run_env, encodes, page):
    at = AppTest.from_file("../app.py", default_timeout=180)
    if page != "app.py":
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("image"), f"{page} shows pictures of the tiny run"
    encodes.clear()
    at.run()
    assert not at.exception
    assert encodes == [], f"{page}: Streamlit encoded {len(encodes)} picture(s) again on a warm run: {encodes}"


def test_png_is_lossless_and_shrinks_only_past_max_px():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png(image)))), image)
    grey = rng.integers(0, 256, (40, 60, 1), dtype=np.uint8)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png(grey)))), grey[..., 0])
    shrunk = Image.open(io.BytesIO(png(image, max_px=30)))
    assert shrunk.size == (30, 20)
    assert Image.open(io.BytesIO(png(image, max_px=60))).size == (60, 40)


def test_the_epochs_grid_is_served_as_the_sharp_enlargement_of_the_saved_grid(tiny_run_env, monkeypatch):
    served = []
    original = MediaFileManager.add

    def recording(self, content, mimetype, *args, **kwargs):
        if mimetype == "image/png":
            served.append(np.asarray(Image.open(io.BytesIO(content))))
        return original(self, content, mimetype, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", recording)
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.switch_page("pages/epochs.py")
    at.run()
    assert not at.exception
    big = upscale(read_png(Run(tiny_run_env["run"]).sample_file(1)))
    assert big.shape[1] > 32 * 8, "enlarged by a whole factor"
    assert any(s.shape == big.shape and np.array_equal(s, big) for s in served), \
        "the Epochs page serves the saved grid enlarged by a whole factor, pixel for pixel"
