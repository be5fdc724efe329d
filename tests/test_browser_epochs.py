"""The Epochs page in headless Chromium on a real 4-epoch run: move and step the slider, play, follow one
sample, compare two runs, export a GIF and download it.

Screenshots go to `test-artifacts/screenshots/epochs-*.png` (the paths are printed; run with `-s`).
"""

import shutil

import pytest
from conftest import chromium_page, screenshot, streamlit_server, wait_until_idle
from PIL import Image, ImageSequence
from playwright.sync_api import expect
from test_timelapse import run4  # noqa: F401  (the module-scoped 4-epoch run fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def two_runs(run4):  # noqa: F811
    """The 4-epoch run `t` and a copy of it, `t-copy`, to compare side by side."""
    shutil.copytree(run4["checkpoints"] / "t", run4["checkpoints"] / "t-copy", dirs_exist_ok=True)
    return run4


def shown(page, epoch: int) -> None:
    expect(page.get_by_text(f"Generated · epoch {epoch}", exact=True)).to_be_visible()


def test_scrub_play_follow_compare_export(two_runs, tmp_path):
    with streamlit_server(two_runs["datasets"], two_runs["checkpoints"]) as url, chromium_page(1600, 1100) as page:
        page.goto(f"{url}/epochs?run=t", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Epochs").wait_for()
        shown(page, 4)

        # the slider: keys on its thumb, then the step buttons
        thumb = page.locator(".st-key-epochs_epoch__t").get_by_role("slider")
        thumb.focus()
        page.keyboard.press("Home")
        shown(page, 0)
        expect(page.get_by_text("Epoch 0 · before training")).to_be_visible()
        page.keyboard.press("ArrowRight")
        shown(page, 1)
        page.keyboard.press("End")
        shown(page, 4)
        page.get_by_role("button", name="Step back").click()
        shown(page, 3)
        page.get_by_role("button", name="Step back").click()
        shown(page, 2)
        screenshot(page, "epochs-player.png")

        # play: it walks on by itself to the last epoch, then stops (the run is finished)
        page.get_by_role("button", name="Play").click()
        # no check of the transient Pause button: on a fast machine the walk 2 -> 4 may end before a look
        shown(page, 4)
        expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=20_000)

        # follow one sample
        page.get_by_role("tab", name="Follow one sample").click()
        box = page.get_by_role("spinbutton", name="Sample (cell) number")
        box.fill("9")
        box.press("Enter")
        expect(page.get_by_text("row 2, column 2")).to_be_visible()
        for e in range(5):
            expect(page.get_by_text(f"epoch {e}", exact=True)).to_be_visible()
        screenshot(page, "epochs-follow.png")

        # compare two runs on one slider
        page.get_by_role("tab", name="Compare runs").click()
        expect(page.get_by_role("heading", name="t-copy")).to_be_visible()
        screenshot(page, "epochs-compare.png")

        # export a GIF and download it
        page.get_by_role("tab", name="Timelapse export").click()
        page.get_by_role("button", name="Make timelapse (GIF and MP4)").click()
        button = page.get_by_role("button", name="Download GIF")
        expect(button).to_be_visible(timeout=60_000)
        wait_until_idle(page)
        with page.expect_download() as info:
            button.click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        assert target.name == "t-e0-4.gif"
        with Image.open(target) as im:
            assert len(list(ImageSequence.Iterator(im))) == 5
        expect(page.get_by_role("button", name="Download MP4")).to_be_visible()
        screenshot(page, "epochs-export.png")
