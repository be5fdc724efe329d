"""Moving a run between machines in headless Chromium: download it from the Epochs page of one server, upload the
archive on the Datasets page of another (with its dataset), and see it there.

Screenshots go to `test-artifacts/screenshots/transfer-*.png` (paths printed; run pytest with `-s`).
"""

import json
import zipfile

import pytest
from conftest import chromium_page, screenshot, streamlit_server, wait_until_idle
from helpers import cli
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_download_a_run_here_and_upload_it_there(tiny_run, tmp_path):
    home = {"datasets": tiny_run["datasets_dir"], "checkpoints": tiny_run["checkpoints_dir"]}
    cli(home, "gan_core.transfer", "export-dataset", "cartoon-faces", "--out", tmp_path)
    with streamlit_server(home["datasets"], home["checkpoints"]) as url, chromium_page() as page:
        page.goto(f"{url}/epochs?run=tiny", wait_until="domcontentloaded")
        button = page.get_by_role("button", name="Download this run")
        expect(button).to_be_visible(timeout=60_000)
        wait_until_idle(page)
        screenshot(page, "transfer-epochs.png")
        with page.expect_download(timeout=60_000) as info:
            button.click()
        run_zip = tmp_path / info.value.suggested_filename
        info.value.save_as(run_zip)
    assert run_zip.name == "tiny.run.zip"
    with zipfile.ZipFile(run_zip) as z:
        manifest = json.loads(z.read("gan-explorer.json"))
        assert manifest["kind"] == "run" and "state/latest.json" in z.namelist()

    there = {"datasets": tmp_path / "there" / "datasets", "checkpoints": tmp_path / "there" / "checkpoints"}
    with streamlit_server(there["datasets"], there["checkpoints"]) as url, chromium_page() as page:
        page.goto(f"{url}/datasets", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Import a run or dataset archive").wait_for()
        for archive, kind, name in ((tmp_path / "cartoon-faces.dataset.zip", "dataset", "cartoon-faces"),
                                    (run_zip, "run", "tiny")):
            page.locator(".st-key-archive-upload-0, .st-key-archive-upload-1").locator(
                "[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(archive))
            go = page.get_by_role("button", name=f"Import the {kind}")
            expect(go).to_be_visible(timeout=60_000)
            if kind == "run":
                screenshot(page, "transfer-upload.png")
            go.click()
            page.get_by_text(f"Imported the {kind} {name} from {archive.name}").first.wait_for(timeout=120_000)
        page.locator(".st-key-dataset-cartoon-faces").get_by_role("button", name="Download").wait_for()
        wait_until_idle(page)
        screenshot(page, "transfer-imported.png")

        page.goto(f"{url}/epochs?run=tiny", wait_until="domcontentloaded")
        expect(page.get_by_text("Generated · epoch 1", exact=True)).to_be_visible(timeout=60_000)
        wait_until_idle(page)
        screenshot(page, "transfer-epochs-there.png")
    status = json.loads((there["checkpoints"] / "tiny" / "status.json").read_text())
    assert status["state"] == "finished" and "pid" not in status
    assert (there["datasets"] / "cartoon-faces" / "manifest.json").is_file()
