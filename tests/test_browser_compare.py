"""The Compare films page in headless Chromium: two datasets side by side, then a third, with charts."""

import pytest
from conftest import IMAGES_LOADED, chromium_page, screenshot, streamlit_server
from helpers import cli
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_compare_two_datasets_then_three(tiny_dirs):
    dirs = tiny_dirs
    for kind in ("photo-patches", "doodle-ducks"):
        cli(dirs, "gan_core.datasets", "build", kind, "--count", "64", "--resolution", "32")

    with streamlit_server(dirs["datasets"], dirs["checkpoints"]) as url, chromium_page() as page:
        page.goto(f"{url}/compare?dataset=cartoon-faces&dataset=photo-patches", wait_until="domcontentloaded")
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("From simplest to most complex")).to_be_visible(timeout=90_000)
        expect(main.get_by_test_id("stMetric")).to_have_count(2)
        expect(main.get_by_text("simplest", exact=True)).to_be_visible()
        expect(main.get_by_text("most complex", exact=True)).to_be_visible()
        expect(main.get_by_text("No run trained on it yet.")).to_be_visible()  # photo-patches
        expect(main.locator(".js-plotly-plot")).to_have_count(3)  # radar, the GAN outcome, the bars
        page.wait_for_function(IMAGES_LOADED)
        screenshot(page, "compare-two.png")

        main.get_by_test_id("stMultiSelect").click()
        page.get_by_role("option", name="doodle-ducks").click()
        page.keyboard.press("Escape")
        expect(main.get_by_test_id("stMetric")).to_have_count(3, timeout=90_000)
        expect(main.get_by_text("rank 2 of 3")).to_be_visible()
        page.wait_for_function(IMAGES_LOADED)
        screenshot(page, "compare-three.png")
