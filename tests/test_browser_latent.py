"""The Latent space page in headless Chromium: pick two samples, morph, see the animation, download a GIF."""

import io
import re

import pytest
from conftest import IMAGES_LOADED, chromium_page, screenshot, streamlit_server, wait_until_idle
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_pick_two_samples_and_morph(tiny_run, tmp_path):
    with streamlit_server(tiny_run["datasets_dir"], tiny_run["checkpoints_dir"]) as url, chromium_page() as page:
        page.goto(f"{url}/latent", wait_until="domcontentloaded")
        expect(page.get_by_text("seed 1 → seed 2, epoch 1, slerp")).to_be_visible(timeout=90_000)
        page.locator(".st-key-pick_b_6 button").click()
        expect(page.get_by_text("seed 1 → seed 6, epoch 1, slerp")).to_be_visible(timeout=60_000)
        page.get_by_text("lerp", exact=True).click()
        expect(page.get_by_text(re.compile(r"seed 1 → seed 6, epoch 1, lerp"))).to_be_visible(timeout=60_000)
        wait_until_idle(page)
        page.wait_for_function(IMAGES_LOADED)
        with page.expect_download() as download:
            page.get_by_role("button", name="Animation (GIF)").click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.read_bytes()[:6] in (b"GIF89a", b"GIF87a")
        # the animation on the page moves: Streamlit keeps only a GIF's first frame when it has to shrink one
        shown = page.locator("[data-testid=stImage]").filter(has_text="Looping animation").locator("img")
        served = Image.open(io.BytesIO(page.request.get(shown.get_attribute("src")).body()))
        assert served.format == "GIF" and served.n_frames > 2, "the looping animation is served with every frame"
        screenshot(page, "latent.png")
