"""Damaged files in headless Chromium: the home page names a damaged run and dataset and still shows the rest."""

import re
import shutil

import pytest
from conftest import IMAGES_LOADED, chromium_page, screenshot, streamlit_server
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_names_what_is_damaged_and_shows_the_rest(tiny_dirs):
    checkpoints, datasets = tiny_dirs["checkpoints"], tiny_dirs["datasets"]
    shutil.copytree(checkpoints / "tiny", checkpoints / "broken")
    (checkpoints / "broken" / "status.json").write_bytes(b"[]")
    shutil.copytree(datasets / "cartoon-faces", datasets / "torn")
    (datasets / "torn" / "manifest.json").write_text('{"count": 6')
    with streamlit_server(datasets, checkpoints) as url, chromium_page() as page:
        page.goto(url, wait_until="domcontentloaded")
        notice = page.get_by_test_id("stAlertContentWarning").filter(has_text="damaged, left out of the lists")
        expect(notice).to_contain_text("run broken: status.json holds list, not dict")
        expect(notice).to_contain_text("dataset torn: manifest.json is not valid JSON")
        grid = page.locator(".st-key-run-tiny").get_by_role("img", name=re.compile("^Sample grid of tiny"))
        expect(grid).to_be_visible()
        assert page.locator(".st-key-run-broken").count() == 0 and page.locator(".st-key-dataset-torn").count() == 0
        page.wait_for_function(IMAGES_LOADED)
        screenshot(page, "home-damaged.png")


def test_wrong_shaped_log_lines_are_named_and_the_curves_still_drawn(tiny_dirs):
    """Issue 25: a log line of the wrong shape (valid JSON) is skipped and named in one banner; the rest draws."""
    run = tiny_dirs["checkpoints"] / "tiny"
    with open(run / "metrics.jsonl", "a") as f:
        f.write('7\n{"step": "8", "epoch": 1, "g_loss": 1.0}\n')
    with streamlit_server(tiny_dirs["datasets"], tiny_dirs["checkpoints"]) as url, chromium_page() as page:
        page.goto(f"{url}/curves", wait_until="domcontentloaded")
        notice = page.get_by_test_id("stAlertContentWarning").filter(has_text="damaged log lines skipped")
        expect(notice).to_contain_text("tiny: 2 damaged log lines skipped")
        expect(notice).to_contain_text("should be an object, not a number")
        expect(notice).to_contain_text("step: input should be a valid integer")
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
        screenshot(page, "curves-damaged-log-line.png")
