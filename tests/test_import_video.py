"""`import-video`: frame sampling by time and by count, trims, duplicates, several videos, bad input.

The videos are made here with PyAV, small (64 x 48) and with known content: every frame is one flat
colour that encodes its own index (red = 16 * (i % 16) + 8, green = 16 * (i // 16) + 8), which survives
lossy compression, so each stored image says which source frame it came from.
"""

import itertools
import json
import shutil
import signal
import subprocess
import sys
import threading
from fractions import Fraction

import av
import numpy as np
import pytest
from helpers import ROOT, assert_one_line_error, cli, cli_env, frame_colour, frame_index, make_video, wait_for

from gan_core.core.errors import UsageError
from gan_core.datasets.importer import ImportCancelled, ImportStatus, import_videos
from gan_core.datasets.store import list_datasets, open_dataset
from gan_core.datasets.video import TimeSampler

DATA = "gan_core.datasets"


def kept_indices(name: str) -> list[int]:
    ds = open_dataset(name)
    return [frame_index(im) for im in ds.images(range(ds.count))]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tmp_path / "datasets"))
    return tmp_path


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """4 s at 25 fps = 100 frames, a keyframe every 10 frames (so --start really seeks)."""
    return make_video(tmp_path_factory.mktemp("video") / "clip.mp4", 100, gop=10)


def test_the_index_colours_survive_encoding(clip):
    with av.open(str(clip)) as c:
        decoded = [frame_index(f.to_ndarray(format="rgb24")) for f in c.decode(video=0)]
    assert decoded == list(range(100))


@pytest.fixture(scope="module")
def clip_with_b_frames(tmp_path_factory):
    """The same 100 frames with B-frames (x264 medium), whose non-reference ones --fps may skip decoding."""
    return make_video(tmp_path_factory.mktemp("video") / "bframes.mp4", 100, preset="medium")


def test_skipping_non_reference_frames_keeps_the_same_frames(store, clip_with_b_frames):
    with av.open(str(clip_with_b_frames)) as c:
        assert c.streams.video[0].codec_context.has_b_frames  # the decoder reorders: there are B-frames
    import_videos(clip_with_b_frames, "b-frames", fps=2, resolution=32, progress=lambda s: None)
    assert kept_indices("b-frames") == [0, 13, 25, 38, 50, 63, 75, 88]
    import_videos(clip_with_b_frames, "b-frames-late", fps=3, start=1.1, end=3.3, resolution=32,
                  progress=lambda s: None)
    assert kept_indices("b-frames-late") == [28, 36, 45, 53, 61, 70, 78]  # first frames at/after 1.1 + k/3 s


def test_fps_samples_by_presentation_time(store, clip):
    ds = import_videos(clip, "two-fps", fps=2, resolution=32, progress=lambda s: None)
    # the first frame at or after 0, 0.5, 1.0, ... 3.5 s: frame ceil(12.5 k)
    assert kept_indices("two-fps") == [0, 13, 25, 38, 50, 63, 75, 88]
    assert ds.count == 8 and ds.resolution == 32 and ds.channels == 3
    (source,) = ds.manifest["sources"]
    assert source["name"] == "clip.mp4" and source["kept"] == 8 and source["frames"] == 100
    assert source["duration"] == pytest.approx(4.0, abs=0.05) and source["fps"] == 25
    assert ds.manifest["skipped"] == [] and ds.manifest["kind"] == "video"


def test_every_nth_frame(store, clip):
    import_videos(clip, "every-ten", every=10, resolution=32, progress=lambda s: None)
    assert kept_indices("every-ten") == list(range(0, 100, 10))


def test_a_video_slower_than_the_fps_gives_each_frame_once(store, tmp_path):
    slow = make_video(tmp_path / "slow.mp4", 6, fps=2)
    import_videos(slow, "slow", fps=10, resolution=32, progress=lambda s: None)
    assert kept_indices("slow") == list(range(6))


def test_start_and_end_trim_each_video(store, clip):
    import_videos(clip, "trimmed", fps=2, start=1.0, end=3.0, resolution=32, progress=lambda s: None)
    assert kept_indices("trimmed") == [25, 38, 50, 63]  # 1.0, 1.52, 2.0, 2.52 s; 3.0 s is excluded
    import_videos(clip, "trimmed-every", every=5, start=1.3, resolution=32, progress=lambda s: None)
    assert kept_indices("trimmed-every") == list(range(33, 100, 5))  # from the first frame at or after 1.3 s


def test_several_videos_in_other_containers_and_codecs(store, tmp_path, clip):
    webm = make_video(tmp_path / "b.webm", 30, fps=10, codec="libvpx-vp9")
    avi = make_video(tmp_path / "c.avi", 20, fps=10, codec="mpeg4")
    ds = import_videos([clip, webm, avi], "mixed", fps=5, resolution=32, progress=lambda s: None)
    sources = {s["name"]: s for s in ds.manifest["sources"]}
    assert [s["name"] for s in ds.manifest["sources"]] == ["clip.mp4", "b.webm", "c.avi"]
    assert sources["clip.mp4"]["kept"] == 20 and sources["b.webm"]["kept"] == 15 and sources["c.avi"]["kept"] == 10
    assert sources["b.webm"]["codec"] == "vp9" and sources["c.avi"]["codec"] == "mpeg4"
    assert ds.count == 45 and ds.manifest["source"] == "clip.mp4 and 2 more"


def test_skip_duplicates_on_a_still_scene(store, tmp_path):
    """2 s of one still picture, then 2 s of motion: the still part gives one frame, the rest all of theirs."""
    rng = np.random.default_rng(0)
    still = rng.integers(0, 255, (48, 64, 3), np.uint8)

    def content(i):
        return still if i < 50 else np.roll(still, 3 * i, axis=1)

    video = make_video(tmp_path / "still.mp4", 100, content=content)
    ds = import_videos(video, "still", fps=5, skip_duplicates=True, resolution=32, progress=lambda s: None)
    assert ds.count == 1 + 10  # one frame of the still scene, every sampled frame of the moving one
    skipped = ds.manifest["skipped"]
    assert len(skipped) == 9 and all("near-duplicate" in s["reason"] for s in skipped)
    assert skipped[0]["name"] == "still.mp4 at 0.20 s"
    without = import_videos(video, "still-all", fps=5, resolution=32, progress=lambda s: None)
    assert without.count == 20 and without.manifest["skipped"] == []


def test_crop_and_pad_geometry(store, tmp_path):
    """A wide video: red left band, blue right band, green middle. Crop keeps the green; pad keeps all."""
    frame = np.zeros((48, 96, 3), np.uint8)
    frame[:, :16] = (255, 0, 0)
    frame[:, 16:80] = (0, 255, 0)
    frame[:, 80:] = (0, 0, 255)
    video = make_video(tmp_path / "wide.mp4", 5, size=(96, 48), content=lambda i: frame)
    crop = import_videos(video, "crop", every=1, fit="crop", resolution=32, progress=lambda s: None).sample(1)[0]
    assert np.abs(crop.astype(int) - (0, 255, 0)).max() < 40
    pad = import_videos(video, "pad", every=1, fit="pad", resolution=32, progress=lambda s: None).sample(1)[0]
    assert pad[:6].max() < 20 and pad[-6:].max() < 20  # letterbox bars above and below (black)
    mid = pad[16]
    assert mid[1][0] > 200 and mid[30][2] > 200 and mid[16][1] > 200  # red left, blue right, green middle


def test_a_portrait_phone_video_is_turned_upright(store, tmp_path):
    """Stored landscape (red left, blue right) with "turn 90 degrees counter-clockwise to show": blue on top."""
    frame = np.zeros((48, 64, 3), np.uint8)
    frame[:, :32], frame[:, 32:] = (255, 0, 0), (0, 0, 255)
    path = tmp_path / "portrait.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.set_display_rotation(90)
        for _ in range(5):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    image = import_videos(path, "portrait", every=1, fit="pad", resolution=32,
                          progress=lambda s: None).sample(1)[0]
    top, bottom = image[4:12, 10:22].reshape(-1, 3).mean(axis=0), image[20:28, 10:22].reshape(-1, 3).mean(axis=0)
    assert top[2] > 200 and top[0] < 60 and bottom[0] > 200 and bottom[2] < 60
    assert image[:, :3].max() < 20 and image[:, -3:].max() < 20  # portrait: pillarbox bars left and right


def test_progress_reports_frames_rate_and_eta(store, clip):
    seen: list[ImportStatus] = []
    import_videos(clip, "progress", fps=2, resolution=32,
                  progress=lambda s: seen.append(ImportStatus(**vars(s))))
    last = seen[-1]
    assert last.finished and last.unit == "frames" and last.done == 100 and last.total == 100 and last.kept == 8
    assert last.rate > 0 and "frames/s" in last.text()
    assert seen[0].current == "clip.mp4"


def test_cancel_and_interrupt_leave_nothing(store, clip):
    stop = threading.Event()  # set by the app's Stop button; here when the second video starts
    with pytest.raises(ImportCancelled):
        import_videos([clip, clip], "cancelled", every=1, resolution=32, cancel=stop,
                      progress=lambda s: stop.set() if s.done else None)
    assert stop.is_set()

    calls = itertools.count()

    def ctrl_c() -> bool:  # Ctrl-C arriving in the middle of the first video
        if next(calls) == 30:
            raise KeyboardInterrupt
        return False

    with pytest.raises(KeyboardInterrupt):
        import_videos(clip, "interrupted", every=1, resolution=32, progress=lambda s: None, cancel=ctrl_c)
    root = store / "datasets"
    assert list_datasets() == [] and list(root.iterdir()) == []  # no dataset, no hidden leftovers


def test_cli_import_and_info(tmp_path, clip):
    dirs = {"datasets": tmp_path / "datasets", "checkpoints": tmp_path / "checkpoints"}
    p = cli(dirs, DATA, "import-video", clip, clip, "--name", "twice", "--fps", "1", "--resolution", "64",
            "--fit", "pad")
    assert "imported twice: 8 images at 64 px" in p.stdout
    assert "frames" in p.stderr  # the progress line: frames, frames/s
    info = json.loads(cli(dirs, DATA, "info", "twice", "--json").stdout)
    assert info["count"] == 8 and info["resolution"] == 64 and [s["kept"] for s in info["sources"]] == [4, 4]
    assert info["skipped"] == [] and info["seconds"] >= 0
    assert info["how_made"]["fit"] == "pad" and info["how_made"]["fps"] == 1
    text = cli(dirs, DATA, "info", "twice").stdout
    assert "8 images" in text and "clip.mp4: 4 of 100 frames kept" in text


def test_cli_bad_input(tmp_path, clip):
    dirs = {"datasets": tmp_path / "datasets", "checkpoints": tmp_path / "checkpoints"}
    (tmp_path / "notes.mp4").write_text("not a video at all")
    from PIL import Image

    Image.new("RGB", (8, 8)).save(tmp_path / "picture.png")
    cases = [
        (["notes.mp4"], "notes.mp4 is not a video"),
        (["picture.png"], "picture.png is a picture, not a video"),
        (["missing.mp4"], "no such video file"),
        ([clip, "--start", "10"], "only 4.0 s long"),
        ([clip, "--start", "2", "--end", "1"], "must come after --start"),
        ([clip, "--fps", "0"], "--fps must be more than 0"),
        ([clip, "--fps", "2", "--every", "3"], "not allowed with argument"),
        ([clip, "--resolution", "100"], "resolution 100 is not supported"),
    ]
    for args, message in cases:
        args = [a if not isinstance(a, str) or not a.endswith((".mp4", ".png")) else tmp_path / a for a in args]
        assert_one_line_error(cli(dirs, DATA, "import-video", *args, "--name", "bad", check=False), message)
    assert_one_line_error(cli(dirs, DATA, "import-video", clip, "--name", "../escape", check=False), "not allowed")
    cli(dirs, DATA, "import-video", clip, "--name", "kept", "--every", "50")
    assert_one_line_error(cli(dirs, DATA, "import-video", clip, "--name", "kept", "--every", "10", check=False),
                          "already exists; pass --replace")
    assert json.loads(cli(dirs, DATA, "info", "kept", "--json").stdout)["count"] == 2  # untouched
    cli(dirs, DATA, "import-video", clip, "--name", "kept", "--every", "10", "--replace")
    assert json.loads(cli(dirs, DATA, "info", "kept", "--json").stdout)["count"] == 10
    assert sorted(p.name for p in dirs["datasets"].iterdir()) == ["kept"]  # no partial datasets anywhere
    assert not (tmp_path / "escape").exists()


@pytest.mark.parametrize("suffix", ["mp4", "mkv"])
def test_a_video_with_no_frames(store, tmp_path, suffix):
    empty = tmp_path / f"empty.{suffix}"
    with av.open(str(empty), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        out.start_encoding()  # a header, then not a single frame
    assert empty.stat().st_size > 0
    with pytest.raises(UsageError) as err:
        import_videos(empty, "empty", fps=1, progress=lambda s: None)
    assert f"empty.{suffix} has no video frames" in str(err.value)
    assert list_datasets() == []


def test_no_frames_in_the_chosen_window(store, tmp_path, clip):
    with pytest.raises(UsageError) as err:
        import_videos(clip, "late", fps=1, start=3.99, end=3.995, progress=lambda s: None)
    assert "no frames to import from clip.mp4" in str(err.value)
    assert list_datasets() == [] and list((store / "datasets").iterdir()) == []


def test_sampling_times_are_exact_fractions():
    """NTSC timestamps (1001/30000 s apart) don't drift: ten minutes at fps 1 keep 600 frames, 1 s apart."""
    sampler = TimeSampler(1.0)
    kept = [i for i in range(30000 * 600 // 1001) if sampler.keep(Fraction(i * 1001, 30000))]
    assert len(kept) == 600 and kept[:3] == [0, 30, 60]
    half = TimeSampler(0.5, Fraction(3))
    assert [t for t in range(12) if half.keep(Fraction(t))] == [3, 5, 7, 9, 11]


def test_ctrl_c_on_the_command_line_leaves_nothing(tmp_path):
    """SIGINT while frames are being stored: one line, exit 130, no dataset and no hidden leftovers."""
    video = make_video(tmp_path / "long.mp4", 1500, size=(160, 120),
                       content=lambda i: np.full((120, 160, 3), frame_colour(i % 256), np.uint8))
    # Eight copies (12,000 frames): one took a fast Xeon only ~2.5 s. And the child gets SIGINT's default
    # action, as under a terminal: started from a background job (`cmd &` in a script, as CI may run the
    # suite), it would inherit SIGINT ignored, and Python then installs no KeyboardInterrupt handler.
    videos = [video] + [shutil.copy(video, tmp_path / f"long-{k}.mp4") for k in range(1, 8)]
    dirs = {"datasets": tmp_path / "datasets", "checkpoints": tmp_path / "checkpoints"}
    proc = subprocess.Popen(
        [sys.executable, "-m", DATA, "import-video", *map(str, videos), "--name", "long", "--every", "1",
         "--resolution", "256"], cwd=ROOT, env=cli_env(dirs), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_for(lambda: dirs["datasets"].exists() and any(dirs["datasets"].iterdir()), 60,
                 "the import to start writing")
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert [line for line in stderr.splitlines() if line.strip()][-1] == "error: interrupted"
    assert "Traceback" not in stderr
    assert list(dirs["datasets"].iterdir()) == []
