"""`python -m gan_core.bench.metrics`: how long scoring takes, next to training (benchmarks/LOG.md, "Metrics").

    python -m gan_core.bench.metrics --run faces-demo [--repeat 7]
    python -m gan_core.bench.metrics --dataset cartoon-faces [--repeat 7]

With a run: from its `epochs.jsonl`, the median epoch time and the median time the trainer spent scoring
(`score_seconds`), and their ratio; then, in this process, the median time of one epoch's scoring as the
trainer does it (256 samples from the run's latest generator against 256 real images). Always: a folder of
500 PNG images (the run's samples, or real images of the dataset) scored by the evaluate command line, end to
end in a fresh process (Python start, imports, decoding the images, scoring), median wall time.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gan_core.core.errors import UsageError, run_cli


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gan_core.bench.metrics", description=__doc__.split("\n")[0])
    p.add_argument("--run", help="a run trained with the metrics (its epochs.jsonl has score_seconds)")
    p.add_argument("--dataset", help="without a run: the dataset to take 500 real images from")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--folder-images", type=int, default=500)
    args = p.parse_args(argv)
    if not args.run and not args.dataset:
        raise UsageError("pass --run RUN or --dataset NAME")

    from gan_core.core.media import png_bytes
    from gan_core.datasets.store import open_dataset
    from gan_core.metrics import Reference, epoch_scores
    from gan_core.metrics.during_training import SCORE_SAMPLES, Z_SEED_OFFSET

    lines = []
    if args.run:
        from gan_core.core.runs import Run
        from gan_core.models.saved import generate, load_generator, sample_z

        run = Run(args.run).require()
        config = run.config()
        rows = [r for r in run.epochs() if r.get("score_seconds") is not None and r.get("seconds")]
        scored = [r for r in rows if r.get("diversity") is not None]
        if scored:
            epoch_s = statistics.median(r["seconds"] for r in rows)
            score_s = statistics.median(r["score_seconds"] for r in scored)
            lines.append(f"trainer, {len(scored)} scored epochs of {run.name}: epoch {epoch_s:.2f} s (median), "
                         f"scoring {score_s:.3f} s (median) = {100 * score_s / epoch_s:.1f}% of an epoch")
        dataset = open_dataset(config["dataset"])
        reference = Reference(dataset.sample(SCORE_SAMPLES, seed=config["seed"]), seed=config["seed"])
        generator, epoch = load_generator(run)
        z = sample_z(SCORE_SAMPLES, config["latent_dim"], config["seed"] + Z_SEED_OFFSET)
        samples = generate(generator, z)
        gen_s = _median_time(lambda: generate(generator, z), args.repeat)
        score_s = _median_time(lambda: epoch_scores(samples, reference), args.repeat)
        ref_s = _median_time(lambda: Reference(reference.images, seed=config["seed"]), max(1, args.repeat // 2))
        lines.append(f"one epoch's scoring, in process (epoch {epoch}, {SCORE_SAMPLES} samples): generate "
                     f"{gen_s:.3f} s + score {score_s:.3f} s (medians of {args.repeat}); the real side, once per "
                     f"run: {ref_s:.3f} s")
        folder_images = generate(generator, sample_z(args.folder_images, config["latent_dim"], 1))
    else:
        dataset = open_dataset(args.dataset)
        folder_images = dataset.sample(args.folder_images, seed=123)

    with tempfile.TemporaryDirectory() as tmp:
        for i, image in enumerate(folder_images):
            (Path(tmp) / f"{i:05d}.png").write_bytes(png_bytes(image))
        command = [sys.executable, "-m", "gan_core.evaluate", "--images", tmp, "--dataset", dataset.name, "--json"]

        def once():
            subprocess.run(command, check=True, capture_output=True)

        wall = _median_time(once, args.repeat)
    lines.append(f"evaluate --images: {len(folder_images)} PNGs against {dataset.name}, end to end in a new process: "
                 f"{wall:.2f} s (median of {args.repeat})")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    run_cli(main)
