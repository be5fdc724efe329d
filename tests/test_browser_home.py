"""The home page in headless Chromium: a real `streamlit run`, a real tiny run, screenshots to look at.

Screenshots go to `test-artifacts/screenshots/` (the path is printed; run pytest with `-s` to see it).
"""

import shutil

import pytest
from conftest import IMAGES_LOADED, chromium_page, screenshot, streamlit_server
from playwright.sync_api import expect

from ui.common import BUILD_DEMO_DATA, TRAIN_DEMO

pytestmark = pytest.mark.browser


def _image_size(locator) -> dict:
    return locator.evaluate(
        "img => ({complete: img.complete, natural: img.naturalWidth, shown: img.getBoundingClientRect().width})"
    )


def test_home_shows_the_tiny_run(tiny_run):
    with streamlit_server(tiny_run["datasets_dir"], tiny_run["checkpoints_dir"]) as url, chromium_page() as page:
        page.goto(url, wait_until="domcontentloaded")
        card = page.locator(f".st-key-run-{tiny_run['run']}")
        card.get_by_role("heading", name=tiny_run["run"]).wait_for(state="visible")
        expect(card.get_by_text("finished", exact=True)).to_be_visible()

        grid = card.locator("img")
        grid.wait_for(state="visible")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=grid.element_handle())
        size = _image_size(grid)
        assert size["natural"] > 0, size
        # crisp: the PNG is at least as wide as shown, so the browser never blurs it by enlarging
        assert size["natural"] >= size["shown"] > 200, size

        dataset_card = page.locator(f".st-key-dataset-{tiny_run['dataset']}")
        dataset_card.get_by_role("heading", name=tiny_run["dataset"]).wait_for(state="visible")
        dataset_img = dataset_card.locator("img")
        dataset_img.wait_for(state="visible")
        page.wait_for_function(IMAGES_LOADED)
        assert _image_size(dataset_img)["natural"] >= _image_size(dataset_img)["shown"] > 100
        expect(page.get_by_test_id("stMain").get_by_role("heading", name="GAN Explorer")).to_be_visible()
        assert page.title() == "GAN Explorer"
        screenshot(page, "home.png")


def test_home_empty_state_then_a_run_appears_by_itself(tmp_path, tiny_run):
    datasets_dir, checkpoints_dir = tmp_path / "datasets", tmp_path / "checkpoints"
    with streamlit_server(datasets_dir, checkpoints_dir) as url, chromium_page() as page:
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_text("No training runs yet").wait_for(state="visible")
        page.get_by_text("No datasets yet").wait_for(state="visible")
        expect(page.locator("pre").first).to_contain_text(TRAIN_DEMO)  # code blocks render a moment later
        commands = "\n".join(page.locator("pre").all_inner_texts())
        assert BUILD_DEMO_DATA in commands and TRAIN_DEMO in commands, commands
        assert page.locator("img").count() == 0
        screenshot(page, "home-empty.png")

        # a run and its dataset arrive (as when a facilitator copies them in): the open page shows them
        # without a reload. Each is copied under a hidden name and renamed into place, as a whole.
        for src, dst_dir in ((tiny_run["datasets_dir"] / tiny_run["dataset"], datasets_dir),
                             (tiny_run["checkpoints_dir"] / tiny_run["run"], checkpoints_dir)):
            dst_dir.mkdir(parents=True, exist_ok=True)
            shutil.copytree(src, dst_dir / f".incoming-{src.name}")
            (dst_dir / f".incoming-{src.name}").rename(dst_dir / src.name)
        page.locator(f".st-key-run-{tiny_run['run']}").get_by_text("finished").wait_for(state="visible")
        page.get_by_role("img", name=f"Latest samples of {tiny_run['run']}").wait_for(state="visible")
        page.locator(f".st-key-dataset-{tiny_run['dataset']}").wait_for(state="visible")
        assert page.get_by_text("No training runs yet").count() == 0
