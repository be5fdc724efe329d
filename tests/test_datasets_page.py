"""The Datasets page with AppTest: the cards, a closer look, building, importing, replacing, and the lock."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest
from test_import_video import make_video

from gan_core.datasets.build import build
from gan_core.datasets.importer import import_images
from gan_core.datasets.store import exists, open_dataset


def png(colour, size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


class Quiet:
    """The builder's progress protocol, saying nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """Two datasets: built-in faces, and pictures from a zip with one file left out."""
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tmp_path / "datasets"))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(tmp_path / "checkpoints"))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    quiet = {"progress": lambda s: None}
    build("cartoon-faces", count=24, resolution=32, progress=Quiet())
    archive = tmp_path / "ducks.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for i in range(5):
            z.writestr(f"duck{i}.png", png((40 * i, 200, 100)))
        z.writestr("readme.txt", "hello")
    import_images(archive, "ducks", resolution=32, **quiet)
    return tmp_path


def datasets_page(tab: str | None = None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/datasets.py")
    if tab:
        at.session_state["datasets_tab"] = tab  # AppTest cannot click a tab; the page remembers the open one
    return at.run()


def text(at) -> str:
    return "\n".join(str(m.value) for m in [*at.markdown, *at.info, *at.error, *at.warning, *at.success])


def alts(at) -> list[str]:
    return [img.alt for element in at.get("image") for img in element.proto.imgs]


def test_lists_every_dataset_as_a_card_with_pictures(dirs):
    at = datasets_page()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.subheader] == ["cartoon\\-faces", "ducks"]
    assert alts(at) == ["Images from cartoon-faces", "Images from ducks"]
    page = text(at)
    assert "**24** images · 32 px · RGB" in page and "**5** images · 32 px · RGB · 1 left out" in page
    assert "from ducks\\.zip" in page
    assert [t.label for t in at.tabs] == ["Upload", "From the server", "Built-in sets"]
    assert "2 GB" in page  # the upload limit is explained before anyone hits it


def test_a_closer_look_shows_a_big_sample_and_what_was_left_out(dirs):
    at = datasets_page()
    at.button(key="open-ducks").click().run()
    assert not at.exception
    assert "A random sample of ducks" in alts(at)
    sample = next(e for e in at.get("image") if e.proto.imgs[0].alt == "A random sample of ducks")
    assert sample.proto.imgs[0].url  # a real picture, not a table
    page = text(at)
    assert "From **ducks\\.zip**: 5 of 6 files kept" in page
    assert any("1 left out, and why" in e.label for e in at.expander)
    assert "**ducks\\.zip/readme\\.txt**: not a picture" in page
    assert {"Shuffle", "Delete this dataset…"} <= {b.label for b in at.button}


def test_builds_a_small_built_in_set(dirs):
    at = datasets_page("Built-in sets")
    at.selectbox(key="build-kind").set_value("digits").run()
    at.number_input(key="build-count-digits").set_value(20)
    at.button_group(key="build-resolution").set_value(32)
    at.run()
    assert "Build 20 images" in [b.label for b in at.button]
    at.button(key="build-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ds = open_dataset("digits")
    assert ds.count == 20 and ds.resolution == 32 and ds.channels == 1
    assert "Built digits: 20 images at 32 px." in text(at)
    assert "digits" in [s.value for s in at.subheader]  # the new card, after the rerun


def test_an_existing_name_asks_before_replacing(dirs):
    at = datasets_page("Built-in sets")  # it suggests "cartoon-faces", which exists
    assert "A dataset called **cartoon\\-faces** already exists." in text(at)
    assert "build-go" not in [b.key for b in at.button]
    at.checkbox(key="build-replace-cartoon-faces").check().run()
    at.number_input(key="build-count-cartoon-faces").set_value(10).run()
    at.button(key="build-go").click().run()
    assert open_dataset("cartoon-faces").count == 10


def test_uploads_several_pictures(dirs):
    at = datasets_page()
    at.file_uploader[0].set_value([(f"doodle{i}.png", png((200, 20 * i, 0), (30, 50)), "image/png")
                                   for i in range(4)]).run()
    assert at.text_input(key="upload-name-doodle0").value == "doodle0"
    at.text_input(key="upload-name-doodle0").set_value("doodles").run()
    at.button(key="upload-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ds = open_dataset("doodles")
    assert ds.count == 4 and ds.manifest["sources"][0]["name"] == "4 pictures"
    assert {s["name"] for s in ds.manifest["sources"]} == {"4 pictures"}
    assert "Imported doodles: 4 images" in text(at)


def test_imports_a_video_from_a_path_on_the_server(dirs):
    video = make_video(dirs / "episode one.mp4", 50, content=lambda i: np.full((48, 64, 3), 5 * i, np.uint8))
    at = datasets_page("From the server")
    at.text_area(key="server-paths").set_value(str(dirs / "missing.mkv")).run()
    assert "Not found on the server" in text(at)
    at.text_area(key="server-paths").set_value(str(video)).run()
    assert "**episode one\\.mp4**: " in text(at) and " · 64×48 · 25 frames/s · h264" in text(at)
    at.number_input(key="server-fps").set_value(5.0)
    at.button(key="server-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ds = open_dataset("episode-one")
    assert ds.count == 10 and ds.manifest["sources"][0]["kept"] == 10


def test_locked_for_participants(dirs, monkeypatch):
    monkeypatch.setenv("GAN_FACILITATOR_PASSCODE", "owl")
    at = datasets_page()
    assert "Only the facilitator can build, import or delete datasets" in text(at)
    assert not at.tabs and not at.file_uploader
    at.button(key="open-ducks").click().run()
    assert "A random sample of ducks" in alts(at)  # looking is for everyone
    assert "Delete this dataset…" not in [b.label for b in at.button]
    assert exists("ducks")
