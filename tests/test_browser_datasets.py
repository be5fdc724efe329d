"""The Datasets page in headless Chromium: upload a zip and a video, see them as cards, look closer, delete.

Screenshots go to `test-artifacts/screenshots/datasets-*.png` (paths printed; run pytest with `-s`).
"""

import io
import zipfile

import numpy as np
import pytest
from conftest import IMAGES_LOADED, SCREENSHOTS, chromium_page, screenshot, streamlit_server, wait_until_idle
from helpers import wait_for
from PIL import Image, ImageDraw
from test_import_video import make_video

pytestmark = pytest.mark.browser


def doodle_zip(path) -> None:
    """Twelve little drawings on white (one of them in a subfolder), and a text file to be left out."""
    rng = np.random.default_rng(3)
    with zipfile.ZipFile(path, "w") as z:
        for i in range(12):
            im = Image.new("RGB", (96, 80), "white")
            d = ImageDraw.Draw(im)
            colour = tuple(int(c) for c in rng.integers(30, 220, 3))
            x, y = rng.integers(15, 45, 2)
            d.ellipse((x, y, x + 36, y + 28), fill=colour, outline="black", width=3)  # a body
            d.ellipse((x + 24, y - 14, x + 44, y + 6), fill=colour, outline="black", width=3)  # a head
            d.polygon([(x + 44, y - 6), (x + 56, y - 2), (x + 44, y + 2)], fill="orange")  # a beak
            buf = io.BytesIO()
            im.save(buf, format="PNG")
            z.writestr(f"{'more/' if i == 11 else ''}duck{i:02d}.png", buf.getvalue())
        z.writestr("notes.txt", "ducks drawn by the workshop")


def ball(i: int) -> np.ndarray:
    """A red ball bouncing over a blue-to-green gradient: 160 x 120."""
    yy, xx = np.mgrid[0:120, 0:160]
    frame = np.stack([20 + 0 * xx, 60 + xx, 200 - yy], axis=-1).clip(0, 255).astype(np.uint8)
    cx, cy = 20 + (i * 6) % 120, 60 + int(40 * np.sin(i / 4))
    frame[(xx - cx) ** 2 + (yy - cy) ** 2 < 225] = (230, 30, 30)
    return frame


def upload(page, path) -> None:
    # the first uploader: Add a dataset's (the archive import's comes after it)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(path))


def wait_for_card(page, name: str):
    card = page.locator(f".st-key-dataset-{name}")
    card.get_by_role("heading", name=name).wait_for(state="visible", timeout=120_000)
    img = card.locator("img")
    img.wait_for(state="visible")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    return card


def test_upload_a_zip_and_a_video_then_look_and_delete(tmp_path):
    doodle_zip(tmp_path / "ducks.zip")
    make_video(tmp_path / "bouncing-ball.mp4", 100, size=(160, 120), content=ball)
    datasets_dir, checkpoints_dir = tmp_path / "datasets", tmp_path / "checkpoints"
    with streamlit_server(datasets_dir, checkpoints_dir) as url, chromium_page() as page:
        page.goto(f"{url}/datasets", wait_until="domcontentloaded")
        page.get_by_text("No datasets yet").wait_for(state="visible")

        # a zip of pictures
        upload(page, tmp_path / "ducks.zip")
        name = page.locator(".st-key-upload-name-ducks input")
        name.wait_for(state="visible")
        assert name.input_value() == "ducks"
        page.get_by_role("button", name="Import ducks.zip").click()
        ducks = wait_for_card(page, "ducks")
        assert "12 images" in ducks.inner_text() and "1 left out" in ducks.inner_text()
        page.get_by_text("Imported ducks: 12 images").first.wait_for(state="visible")

        # a video, fifteen frames a second
        upload(page, tmp_path / "bouncing-ball.mp4")
        fps = page.locator(".st-key-upload-fps input")
        fps.wait_for(state="visible")
        assert page.locator(".st-key-upload-name-bouncing-ball input").input_value() == "bouncing-ball"
        fps.fill("15")
        fps.press("Enter")
        page.get_by_role("button", name="Import 1 video").click()
        ball_card = wait_for_card(page, "bouncing-ball")
        assert "60 images" in ball_card.inner_text()
        assert not (datasets_dir.exists() and any(p.name.startswith(".") for p in datasets_dir.iterdir()))
        page.wait_for_function(IMAGES_LOADED)
        screenshot(page, "datasets-page.png")

        # a closer look: all twelve ducks, and what was left out
        ducks.get_by_role("button", name="A closer look").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_role("img", name="A random sample of ducks").wait_for(state="visible")
        dialog.get_by_text("1 left out, and why").click()
        dialog.get_by_text("ducks.zip/notes.txt").wait_for(state="visible")
        page.wait_for_function(IMAGES_LOADED)
        wait_until_idle(page)  # the expander has unfolded
        page.screenshot(path=str(SCREENSHOTS / "datasets-closer-look.png"))

        # delete, with confirmation
        dialog.get_by_role("button", name="Delete this dataset").click()
        dialog.get_by_role("button", name="Yes, delete ducks").wait_for(state="visible")
        page.screenshot(path=str(SCREENSHOTS / "datasets-delete.png"))
        dialog.get_by_role("button", name="Yes, delete ducks").click()
        page.locator(".st-key-dataset-ducks").wait_for(state="detached")
        page.get_by_text("Deleted ducks.").first.wait_for(state="visible")
        assert not (datasets_dir / "ducks").exists() and (datasets_dir / "bouncing-ball").exists()

        # the video's 60 frames: a sample of 40, and Shuffle draws another
        ball_card.get_by_role("button", name="A closer look").click()
        sample = page.get_by_role("dialog").get_by_role("img", name="A random sample of bouncing-ball")
        sample.wait_for(state="visible")
        before = sample.get_attribute("src")
        page.get_by_role("dialog").get_by_role("button", name="Shuffle").click()
        page.wait_for_function("src => { const img = document.querySelector('[role=dialog] img[alt^=\"A random\"]');"
                               " return img && img.getAttribute('src') !== src; }", arg=before)
        page.wait_for_function(IMAGES_LOADED)
        page.screenshot(path=str(SCREENSHOTS / "datasets-video-sample.png"))

        # a built-in set, from its own tab, which stays open after the page reruns
        page.keyboard.press("Escape")
        page.get_by_role("dialog").wait_for(state="detached")
        page.get_by_role("tab", name="Built-in sets").click()
        count = page.locator(".st-key-build-count-cartoon-faces input")
        count.fill("40")
        count.press("Enter")
        page.locator(".st-key-build-resolution").get_by_text("32 px", exact=True).click()
        page.get_by_role("button", name="Build 40 images").click()
        faces = wait_for_card(page, "cartoon-faces")
        assert "40 images · 32 px" in faces.inner_text()
        assert page.get_by_role("tab", name="Built-in sets").get_attribute("aria-selected") == "true"
        screenshot(page, "datasets-built.png")


def test_stop_an_import_from_the_server_leaves_nothing(tmp_path):
    """A long import from a path on the server, stopped half-way: a message, and no dataset, whole or half."""
    video = make_video(tmp_path / "long film.mp4", 4000, size=(160, 120), content=ball)
    datasets_dir = tmp_path / "datasets"
    with streamlit_server(datasets_dir, tmp_path / "checkpoints") as url, chromium_page() as page:
        page.goto(f"{url}/datasets", wait_until="domcontentloaded")
        page.get_by_role("tab", name="From the server").click()
        paths = page.locator(".st-key-server-paths textarea")
        paths.fill(str(video))
        paths.press("Control+Enter")
        page.get_by_text("160×120 · 25 frames/s · h264").wait_for(state="visible")
        page.get_by_text("every Nth frame").click()
        every = page.locator(".st-key-server-every input")
        every.fill("1")
        every.press("Enter")
        page.locator(".st-key-server-resolution").get_by_text("256 px", exact=True).click()
        page.get_by_role("button", name="Import", exact=True).click()
        # the progress bar itself: "frames/s" alone also matches the video's summary line ("25 frames/s")
        page.get_by_test_id("stProgress").filter(has_text="frames/s").wait_for(state="visible")
        screenshot(page, "datasets-importing.png")
        page.get_by_role("button", name="Stop the import").click()
        page.get_by_text("Import stopped: nothing was stored.").wait_for(state="visible")
        assert page.get_by_role("tab", name="From the server").get_attribute("aria-selected") == "true"
        assert page.locator(".st-key-dataset-long-film").count() == 0
        # the stopped run unwinds on its own thread, possibly just after the new run has drawn the page:
        # its hidden temporary folder (never listed as a dataset) goes a moment later
        wait_for(lambda: not datasets_dir.exists() or list(datasets_dir.iterdir()) == [], 30,
                 "the stopped import's temporary folder to be removed")
