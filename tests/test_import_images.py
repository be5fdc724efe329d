"""`import-images`: every picture mode converted correctly, folders and zips, and every kind of bad input.

Pictures are made here with Pillow (and a few PNGs byte by byte, for what Pillow cannot write: 16-bit
RGB, and headers that promise billions of pixels).
"""

import io
import json
import struct
import zipfile
import zlib

import numpy as np
import pytest
from helpers import assert_one_line_error, cli
from PIL import Image

from gan_core.core.errors import UsageError
from gan_core.datasets.frames import square
from gan_core.datasets.imageio import MAX_PIXELS, Unusable, open_image
from gan_core.datasets.importer import import_images, suggest_name
from gan_core.datasets.store import list_datasets

DATA = "gan_core.datasets"
QUIET = {"progress": lambda s: None}


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tmp_path / "datasets"))
    return tmp_path


def png_bytes(width: int, height: int, bit_depth: int, colour_type: int, raw_rows: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw_rows))
            + chunk(b"IEND", b""))


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


def colour_of(data: bytes) -> tuple[int, ...]:
    """The picture decoded, at 8 px, as its mean colour."""
    return tuple(int(round(v)) for v in square(open_image(data), 8).reshape(-1, 3).mean(axis=0))


def close(a, b, tol: int = 3) -> bool:
    return all(abs(int(x) - int(y)) <= tol for x, y in zip(a, b, strict=True))


# -- every mode -----------------------------------------------------------------------------------------
def test_grey_and_bilevel():
    assert colour_of(encoded(Image.new("L", (20, 20), 77), "PNG")) == (77, 77, 77)
    assert colour_of(encoded(Image.new("1", (20, 20), 1), "BMP")) == (255, 255, 255)


def test_alpha_is_composited_on_white():
    assert colour_of(encoded(Image.new("RGBA", (20, 20), (255, 0, 0, 0)), "PNG")) == (255, 255, 255)
    assert close(colour_of(encoded(Image.new("RGBA", (20, 20), (255, 0, 0, 128)), "PNG")), (255, 127, 127))
    assert close(colour_of(encoded(Image.new("LA", (20, 20), (0, 128)), "PNG")), (127, 127, 127))
    assert close(colour_of(encoded(Image.new("RGBA", (20, 20), (0, 0, 255, 255)), "WEBP", lossless=True)),
                 (0, 0, 255))


def test_palette_with_and_without_transparency():
    p = Image.new("P", (20, 20), 1)
    p.putpalette([0, 0, 0, 200, 30, 40] + [0] * 762)
    assert colour_of(encoded(p, "PNG")) == (200, 30, 40)
    assert colour_of(encoded(p, "PNG", transparency=1)) == (255, 255, 255)  # the transparent index is paper
    assert colour_of(encoded(p, "GIF", transparency=1)) == (255, 255, 255)
    assert colour_of(encoded(p, "GIF")) == (200, 30, 40)


def test_cmyk():
    assert close(colour_of(encoded(Image.new("CMYK", (20, 20), (0, 255, 255, 0)), "JPEG", quality=95)),
                 (255, 0, 0), tol=12)
    assert close(colour_of(encoded(Image.new("CMYK", (20, 20), (0, 0, 0, 255)), "TIFF")), (0, 0, 0))


def test_16_bit_grey_is_scaled_not_clipped():
    a = np.zeros((20, 40), np.uint16)
    a[:, :20], a[:, 20:] = 65535, 64 * 257
    im = open_image(encoded(Image.fromarray(a), "PNG"))  # Pillow's convert("L") would make both halves white
    rgb = np.asarray(im)
    assert tuple(rgb[10, 5]) == (255, 255, 255) and tuple(rgb[10, 35]) == (64, 64, 64)
    assert open_image(encoded(Image.fromarray(np.full((4, 4), 300, np.uint16)), "PNG")).getpixel((0, 0)) == (1, 1, 1)


def test_16_bit_rgb():
    row = np.array([[65535, 128 * 257, 0]] * 10, np.uint16)  # (10, 3): ten orange pixels
    raw = b"".join(b"\x00" + row.astype(">u2").tobytes() for _ in range(10))
    assert close(colour_of(png_bytes(10, 10, 16, 2, raw)), (255, 128, 0), tol=1)


def test_first_frame_of_an_animation():
    frames = [Image.new("RGB", (20, 20), c) for c in ((250, 0, 0), (0, 0, 250))]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert close(colour_of(data), (250, 0, 0), tol=8)


def test_exif_orientation_is_honoured():
    """Stored landscape, red left / blue right, tagged "rotate 90 clockwise": shown portrait, red on top."""
    im = Image.new("RGB", (40, 20), (255, 0, 0))
    im.paste((0, 0, 255), (20, 0, 40, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    upright = open_image(encoded(im, "JPEG", exif=exif, quality=95))
    assert upright.size == (20, 40)
    out = square(upright, 32, "pad")
    assert out[6, 16][0] > 200 and out[6, 16][2] < 60  # top: red
    assert out[26, 16][2] > 200 and out[26, 16][0] < 60  # bottom: blue


def test_bmp_and_big_jpeg_decoded_at_a_reduced_scale():
    assert colour_of(encoded(Image.new("RGB", (30, 20), (10, 200, 30)), "BMP")) == (10, 200, 30)
    photo = Image.new("RGB", (2400, 1600), (90, 140, 200))
    im = open_image(encoded(photo, "JPEG", quality=90), min_side=128)
    assert min(im.size) >= 128 and im.size[0] < 2400  # JPEG draft: 1/8 scale is still big enough
    assert close(im.getpixel((10, 10)), (90, 140, 200), tol=4)


# -- geometry ---------------------------------------------------------------------------------------------
def banded(width: int = 120, height: int = 40) -> Image.Image:
    im = Image.new("RGB", (width, height), (0, 255, 0))
    im.paste((255, 0, 0), (0, 0, 20, height))
    im.paste((0, 0, 255), (width - 20, 0, width, height))
    return im


def test_crop_keeps_the_middle_and_pad_keeps_everything():
    crop = square(banded(), 32, "crop")
    assert crop.shape == (32, 32, 3) and close(crop.reshape(-1, 3).mean(axis=0), (0, 255, 0), tol=2)
    pad = square(banded(), 32, "pad")  # 120 x 40 -> 32 x 11, centred; the bars are black (the border is not plain)
    assert pad[:9].max() == 0 and pad[-9:].max() == 0
    assert pad[16, 1][0] > 200 and pad[16, 16][1] > 200 and pad[16, 30][2] > 200
    doodle = Image.new("RGB", (60, 30), "white")
    doodle.paste((0, 0, 0), (25, 10, 35, 20))
    padded = square(doodle, 32, "pad")  # a plain white border: padding is white paper, not black
    assert padded[0].min() == 255 and padded[-1].min() == 255 and padded[16, 16].max() < 60


# -- folders and zips ---------------------------------------------------------------------------------------
def good_pictures() -> dict[str, bytes]:
    return {
        "duck1.png": encoded(Image.new("RGB", (50, 40), (200, 180, 20)), "PNG"),
        "nested/deeper/duck2.jpg": encoded(Image.new("RGB", (40, 50), (20, 80, 200)), "JPEG"),
        "nested/duck3.webp": encoded(Image.new("RGBA", (30, 30), (20, 200, 20, 255)), "WEBP"),
    }


def bomb_png() -> bytes:
    """A real, valid 12,000 x 8,000 grey PNG of 230 KB: 96 megapixels if anyone decoded it."""
    w, h = 12_000, 8_000
    z = zlib.compressobj(9)
    row = b"\x00" * (w + 1)
    data = b"".join(z.compress(row) for _ in range(h)) + z.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def bad_pictures() -> dict[str, bytes]:
    jpeg = encoded(Image.new("RGB", (64, 64), (1, 2, 3)), "JPEG")
    return {
        "notes.txt": b"just some text",
        "broken.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
        "truncated.jpg": jpeg[: len(jpeg) // 2],
        "bomb.png": bomb_png(),
        "huge-header.png": png_bytes(100_000, 100_000, 8, 0),  # ten billion pixels promised
    }


EXPECTED_REASONS = {
    "notes.txt": "not a picture",
    "broken.png": "corrupt or truncated",
    "truncated.jpg": "corrupt or truncated",
    "bomb.png": "decompression bomb",
    "huge-header.png": "decompression bomb",
}


def test_folder_recursive_with_bad_files_skipped_and_listed(store):
    folder = store / "mine"
    for name, data in {**good_pictures(), **bad_pictures()}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    ds = import_images(folder, "mine", resolution=32, **QUIET)
    assert ds.count == 3 and ds.resolution == 32 and ds.channels == 3
    reasons = {s["name"]: s["reason"] for s in ds.manifest["skipped"]}
    assert set(reasons) == {f"mine/{n}" for n in EXPECTED_REASONS}
    for name, fragment in EXPECTED_REASONS.items():
        assert fragment in reasons[f"mine/{name}"], (name, reasons[f"mine/{name}"])
    assert ds.manifest["sources"] == [{"name": "mine", "kind": "folder", "files": 8, "kept": 3}]
    colours = {tuple(int(v) for v in im.reshape(-1, 3).mean(axis=0) // 10) for im in ds.sample(3)}
    assert len(colours) == 3


def test_bomb_is_refused_from_its_header():
    with pytest.raises(Unusable, match="decompression bomb") as err:
        open_image(bomb_png())
    assert "12000 x 8000" in str(err.value) and 12_000 * 8_000 > MAX_PIXELS


def test_zip_slip_entries_are_listed_and_never_written(store, monkeypatch):
    work = store / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    archive = store / "ducks.zip"
    evil = encoded(Image.new("RGB", (20, 20), "red"), "PNG")
    with zipfile.ZipFile(archive, "w") as z:
        for name, data in good_pictures().items():
            z.writestr(name, data)
        z.writestr("../evil-parent.png", evil)
        z.writestr("nested/../../evil-deep.png", evil)
        z.writestr(f"{store}/evil-absolute.png", evil)
        z.writestr("C:\\evil-windows.png", evil)
        z.writestr("__MACOSX/._duck1.png", b"\x00\x05\x16\x07")
        z.writestr("empty-folder/", b"")
    before = {p for p in store.parent.rglob("*")}
    ds = import_images(archive, "ducks", resolution=32, **QUIET)
    assert ds.count == 3
    reasons = {s["name"]: s["reason"] for s in ds.manifest["skipped"]}
    for name in ("../evil-parent.png", "nested/../../evil-deep.png", f"{store}/evil-absolute.png",
                 "C:\\evil-windows.png"):
        assert "unsafe path" in reasons[f"ducks.zip/{name}"]
    assert "metadata" in reasons["ducks.zip/__MACOSX/._duck1.png"]
    created = {p for p in store.parent.rglob("*")} - before
    assert all(p.is_relative_to(store / "datasets") for p in created), created
    assert not any("evil" in p.name for p in store.parent.rglob("*"))
    assert ds.manifest["sources"] == [{"name": "ducks.zip", "kind": "zip", "files": 8, "kept": 3}]


def test_several_paths_and_loose_pictures(store):
    for name, data in good_pictures().items():
        (store / name).parent.mkdir(parents=True, exist_ok=True)
        (store / name).write_bytes(data)
    ds = import_images([store / "duck1.png", store / "nested" / "duck3.webp", store / "nested" / "deeper"],
                       "several", fit="pad", resolution=64, **QUIET)
    assert ds.count == 3 and ds.resolution == 64
    assert ds.manifest["sources"] == [{"name": "2 pictures", "kind": "pictures", "files": 2, "kept": 2},
                                      {"name": "deeper", "kind": "folder", "files": 1, "kept": 1}]


@pytest.mark.parametrize("filename, make, message", [
    ("folder", lambda p: p.mkdir(), "folder is empty"),
    ("empty.zip", lambda p: zipfile.ZipFile(p, "w").close(), "empty.zip is empty"),
    ("fake.zip", lambda p: p.write_text("not a zip"), "fake.zip is not a readable zip archive"),
])
def test_empty_or_unreadable_sources_fail(store, filename, make, message):
    make(store / filename)
    with pytest.raises(UsageError, match=message):
        import_images(store / filename, "nothing", **QUIET)
    assert list_datasets() == [] and not (store / "datasets").exists()


def test_no_usable_pictures_fails_and_stores_nothing(store):
    archive = store / "junk.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, data in bad_pictures().items():
            z.writestr(name, data)
    with pytest.raises(UsageError, match="no usable pictures: all 5 files were skipped"):
        import_images(archive, "junk", **QUIET)
    assert list_datasets() == [] and list((store / "datasets").iterdir()) == []


def test_suggest_name():
    assert suggest_name("Duck Doodles (1).zip") == "duck-doodles-1"
    assert suggest_name("Épisode 1.mkv") == "episode-1"
    assert suggest_name("...") == "my-dataset"


# -- the command line ---------------------------------------------------------------------------------------
def test_cli_import_info_and_bad_input(tmp_path):
    dirs = {"datasets": tmp_path / "datasets", "checkpoints": tmp_path / "checkpoints"}
    archive = tmp_path / "ducks.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, data in {**good_pictures(), "notes.txt": b"hello", "../evil.png": b"x"}.items():
            z.writestr(name, data)
    p = cli(dirs, DATA, "import-images", archive, "--name", "ducks", "--resolution", "32", "--fit", "pad")
    assert "imported ducks: 3 images at 32 px" in p.stdout and "2 skipped" in p.stdout
    info = json.loads(cli(dirs, DATA, "info", "ducks", "--json").stdout)
    assert info["count"] == 3 and info["resolution"] == 32 and info["seconds"] >= 0
    assert {s["name"] for s in info["skipped"]} == {"ducks.zip/notes.txt", "ducks.zip/../evil.png"}
    assert info["sources"][0]["kept"] == 3 and info["how_made"]["fit"] == "pad"
    text = cli(dirs, DATA, "info", "ducks").stdout
    assert "3 images" in text and "ducks.zip/notes.txt: not a picture" in text

    (tmp_path / "empty").mkdir()
    empty_zip = tmp_path / "empty.zip"
    zipfile.ZipFile(empty_zip, "w").close()
    for args, message in [
        ([tmp_path / "empty", "--name", "e"], "empty is empty"),
        ([empty_zip, "--name", "e"], "empty.zip is empty"),
        ([tmp_path / "missing", "--name", "e"], "no such folder, zip or picture"),
        ([archive, "--name", "../../escape"], "is not allowed"),
        ([archive, "--name", "ducks"], "already exists; pass --replace"),
        ([archive, "--name", "e", "--fit", "stretch"], "invalid choice"),
        ([archive], "--name"),
    ]:
        assert_one_line_error(cli(dirs, DATA, "import-images", *args, check=False), message)
    assert sorted(p.name for p in dirs["datasets"].iterdir()) == ["ducks"]
    cli(dirs, DATA, "import-images", archive, "--name", "ducks", "--resolution", "64", "--replace")
    assert json.loads(cli(dirs, DATA, "info", "ducks", "--json").stdout)["resolution"] == 64
