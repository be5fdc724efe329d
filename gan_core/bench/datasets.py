"""`python -m gan_core.bench.datasets`: how fast a film becomes a dataset, and how much memory it takes.

    python -m gan_core.bench.datasets                      # 60 s of synthetic 720p H.264, 2 fps, 64 px
    python -m gan_core.bench.datasets --video film.mkv     # a real film instead
    python -m gan_core.bench.datasets --long-minutes 10    # memory: a 10-minute video as well

Each import is the real command line (`python -m gan_core.datasets import-video ... --fps 2`) in its own
process, timed from start to exit, three times (the median is reported). The peak memory of that process
comes from the kernel (`wait4` resource usage, max RSS), so it includes Python, numpy and FFmpeg.
"Real time" is the video's duration divided by the import time; the decode-only line is PyAV decoding
every frame and doing nothing else, the floor for any importer.

The synthetic film (made once with PyAV and libx264, kept in the temp folder) has what makes real films
costly to decode: a textured, moving picture, fresh grain in every frame, a scene cut every 4 s, at a
bitrate like a streamed 720p film (about 2.3 Mbit/s). The long video repeats it by copying packets (no
re-encoding), so it is made in seconds.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

WIDTH, HEIGHT, RATE = 1280, 720, 25
CACHE = Path(tempfile.gettempdir()) / "gan-explorer-bench"


def synthetic_film(seconds: int = 60) -> Path:
    """A 1280 x 720, 25 fps H.264 video of `seconds` seconds (cached)."""
    path = CACHE / f"synthetic-720p-{seconds}s.mp4"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    pad = 480
    yy, xx = np.mgrid[0 : HEIGHT + pad, 0 : WIDTH + pad].astype(np.float32)
    scenes = []
    for k in range(3):
        base = np.stack([np.sin(xx / (60 + 20 * k) + k), np.sin(yy / (45 + 10 * k) - k),
                         np.sin((xx + yy) / (110 + 30 * k))], axis=-1)
        texture = rng.normal(0, 0.25, (HEIGHT + pad, WIDTH + pad, 1)).astype(np.float32)
        scenes.append(np.clip(127 + 100 * base + 60 * texture, 0, 255).astype(np.uint8))
    tmp = path.with_suffix(".tmp.mp4")
    with av.open(str(tmp), "w") as out:
        stream = out.add_stream("libx264", rate=RATE)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23"}
        for i in range(seconds * RATE):
            t = i / RATE
            scene = scenes[int(t // 4) % len(scenes)]
            x, y = int(pad / 2 + 200 * np.sin(t * 0.7)), int(pad / 2 + 150 * np.cos(t * 0.5))
            frame = scene[y : y + HEIGHT, x : x + WIDTH].copy()
            cx, cy = int(WIDTH / 2 + 450 * np.sin(t * 1.3)), int(HEIGHT / 2 + 220 * np.cos(t * 0.9))
            frame[max(cy - 90, 0) : cy + 90, max(cx - 70, 0) : cx + 70] = (240, 200, 40)  # a moving character
            grain = rng.integers(0, 12, (HEIGHT, WIDTH, 1), dtype=np.uint8)
            frame = np.minimum(frame, 243) + grain
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    tmp.rename(path)
    return path


def repeated(video: Path, times: int) -> Path:
    """`video` played `times` times in a row, by copying packets with shifted timestamps."""
    path = CACHE / f"{video.stem}-x{times}.mp4"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp.mp4")
    with av.open(str(video)) as src, av.open(str(tmp), "w") as out:
        s_in = src.streams.video[0]
        s_out = out.add_stream_from_template(s_in)
        span = s_in.duration or int(float(src.duration / av.time_base) / s_in.time_base)
        for k in range(times):
            src.seek(0, stream=s_in)
            for packet in src.demux(s_in):
                if packet.dts is None:
                    continue
                packet.pts += k * span
                packet.dts += k * span
                packet.stream = s_out
                out.mux(packet)
    tmp.rename(path)
    return path


def duration_of(video: Path) -> float:
    with av.open(str(video)) as c:
        s = c.streams.video[0]
        return float(s.duration * s.time_base) if s.duration else c.duration / av.time_base


def decode_only(video: Path) -> tuple[float, int]:
    """Seconds to decode every frame with PyAV's threaded decoder, and the frame count."""
    t0 = time.perf_counter()
    with av.open(str(video)) as c:
        stream = c.streams.video[0]
        stream.thread_type = "AUTO"
        n = sum(1 for _ in c.decode(stream))
    return time.perf_counter() - t0, n


def timed_import(video: Path, fps: float, resolution: int, datasets: Path) -> tuple[float, float, float]:
    """(seconds, peak RSS in MB, CPU seconds) of one `import-video` command, in its own process."""
    env = dict(os.environ, GAN_DATASETS_DIR=str(datasets))
    cmd = [sys.executable, "-m", "gan_core.datasets", "import-video", str(video), "--name", "bench-import",
           "--fps", str(fps), "--resolution", str(resolution), "--replace"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {proc.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def bench(video: Path, fps: float, resolution: int, repeat: int) -> dict:
    length = duration_of(video)
    with tempfile.TemporaryDirectory(prefix="gan-bench-import-") as tmp:
        runs = [timed_import(video, fps, resolution, Path(tmp)) for _ in range(repeat)]
    decode, frames = decode_only(video)
    seconds = statistics.median(r[0] for r in runs)
    return {"video": video.name, "length": length, "frames": frames, "seconds": seconds,
            "all": [round(r[0], 2) for r in runs], "realtime": length / seconds, "source_fps": frames / seconds,
            "peak_mb": max(r[1] for r in runs), "cpu": statistics.median(r[2] for r in runs),
            "decode_only": decode, "decode_fps": frames / decode}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gan_core.bench.datasets", description=__doc__.split("\n")[0])
    p.add_argument("--video", type=Path, help="a real video instead of the synthetic 720p film")
    p.add_argument("--seconds", type=int, default=60, help="length of the synthetic film (default 60)")
    p.add_argument("--fps", type=float, default=2.0)
    p.add_argument("--resolution", type=int, default=64)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--long-minutes", type=int, default=5,
                   help="also import the video repeated to about this many minutes (0: skip)")
    args = p.parse_args(argv)
    video = args.video or synthetic_film(args.seconds)
    load = os.getloadavg()[0]  # other work on the machine slows everything down: say how busy it was
    results = [bench(video, args.fps, args.resolution, args.repeat)]
    if args.long_minutes:
        times = max(2, round(args.long_minutes * 60 / duration_of(video)))
        results.append(bench(repeated(video, times), args.fps, args.resolution, 1))
    print(f"import-video --fps {args.fps:g} --resolution {args.resolution}, on {os.cpu_count()} CPU cores")
    print(f"load average at the start: {load:.1f} (of {os.cpu_count()} cores)")
    print("| video | length | import (median) | real time | source frames/s | CPU time | decode only | peak RSS |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['video']} | {r['length']:.0f} s, {r['frames']} frames | {r['seconds']:.2f} s {r['all']} "
              f"| {r['realtime']:.1f}x | {r['source_fps']:.0f} | {r['cpu']:.1f} s "
              f"| {r['decode_only']:.2f} s ({r['decode_fps']:.0f}/s) "
              f"| {r['peak_mb']:.0f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
