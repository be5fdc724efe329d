"""`python -m gan_core.models.bench`: quality per minute of GAN families, side by side, on `digits`.

    python -m gan_core.models.bench                                   # dcgan and sngan-da, seeds 0 and 1
    python -m gan_core.models.bench --variant dcgan --variant sngan-da --variant sngan-da:g_block=residual
    python -m gan_core.models.bench --seeds 0 --dcgan-epochs 10 --count 500 --out /tmp/q.json

For each seed: builds scikit-learn's real digits (1,797, 32 px grey) in a temporary folder, trains DCGAN
for `--dcgan-epochs` epochs (the budget is the training time it needs, measured in this run), then every
other variant for the same training time, each as a real `python -m gan_core.train` run saving its
generator every epoch. Every saved generator draws the same 1,000 z and the digit judge
(`gan_core.metrics.digit_judge`, kept apart from training) scores them: an Inception-Score analogue, 10
is perfect, the real digits score about 8. Training time runs from the start of the first epoch (XLA and
the first compile included; Python and TensorFlow start-up not, as it is the same for every family).

Reported per variant (medians over the seeds): the score at the budget, the best within it, the minutes
until it first reached 6, the rarest digit's share at the budget (every digit present: none under 2 %),
and the curve over time; `--grids DIR` writes each variant's grid at the budget side by side per seed.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from gan_core.core.errors import CliParser, UsageError

JUDGED = 1000  # samples per saved generator
Z_SEED = 12345
GOAL = 6.0


def progress(message: str) -> None:
    print(f"[quality] {message}", file=sys.stderr, flush=True)


def parse_variant(text: str) -> tuple[str, dict]:
    """`family[:setting=value,...]` to (family, settings)."""
    name, _, rest = text.partition(":")
    settings = {}
    for pair in filter(None, rest.split(",")):
        key, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"--variant {text!r}: settings are key=value, separated by commas")
        settings[key.strip()] = value.strip()
    return name, settings


def train_args(settings: dict) -> list[str]:
    return [arg for k, v in settings.items() for arg in (f"--{k.replace('_', '-')}", str(v))]


def clock(run_path: Path) -> list[tuple[int, float]]:
    """(epoch, training seconds at its end) from the run's epochs.jsonl, from the start of the first epoch."""
    rows = [json.loads(line) for line in (run_path / "epochs.jsonl").read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r.get("time") and r.get("epoch")]
    if not rows:
        return []
    stamps = [datetime.fromisoformat(r["time"]).timestamp() for r in rows]
    start = stamps[0] - (rows[0].get("seconds") or 0.0)
    return [(r["epoch"], t - start) for r, t in zip(rows, stamps, strict=True)]


def train(env: dict, run: str, family: str, settings: dict, seed: int, epochs: int, budget: float | None,
          resolution: int) -> Path:
    """One training run; with a budget, asked to stop once its training time passes it."""
    run_path = Path(env["GAN_CHECKPOINTS_DIR"]) / run
    cmd = [sys.executable, "-m", "gan_core.train", "--dataset", "digits", "--run", run, "--arch", family,
           "--resolution", str(resolution), "--channels", "1", "--epochs", str(epochs), "--save-every", "1",
           "--seed", str(seed), *train_args(settings)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while proc.poll() is None:
        time.sleep(1)
        if budget is not None and (run_path / "epochs.jsonl").exists():
            done = clock(run_path)
            if done and done[-1][1] >= budget and not (run_path / "stop.request").exists():
                (run_path / "stop.request").write_text("budget reached")
    if proc.returncode != 0:
        raise UsageError(f"training {run} failed: {proc.stderr.strip().splitlines()[-1:]}")
    return run_path


def judge_run(run_name: str) -> list[dict]:
    """The digit judge's verdict on every saved generator of a run, with its training time."""
    from gan_core.core.quiet_tf import import_tensorflow
    from gan_core.core.runs import Run
    from gan_core.explore.latent import generate, load_generator, model_config, sample_z
    from gan_core.metrics import digit_judge

    import_tensorflow()
    run = Run(run_name)
    z = sample_z(JUDGED, model_config(run)["latent_dim"], Z_SEED)
    points = []
    for epoch, seconds in clock(run.path):
        if not run.generator_file(epoch).exists():
            continue
        generator, _ = load_generator(run, epoch)
        verdict = digit_judge.score(generate(generator, z))
        points.append({"epoch": epoch, "seconds": round(seconds, 1), **verdict})
    return points


def at_budget(points: list[dict], budget: float) -> dict:
    within = [p for p in points if p["seconds"] <= budget * 1.02] or points[:1]
    last, best = within[-1], max(within, key=lambda p: p["digit_score"])
    reached = next((p["seconds"] for p in within if p["digit_score"] >= GOAL), None)
    return {"score": last["digit_score"], "best": best["digit_score"], "epochs": last["epoch"],
            "smallest_class_share": last["smallest_class_share"], "all_classes": last["all_classes"],
            "minutes_to_goal": round(reached / 60, 1) if reached else None}


def grid_picture(run_name: str, epoch: int):
    from PIL import Image

    from gan_core.core.runs import Run

    with Image.open(Run(run_name).samples_dir / f"epoch_{epoch:04d}.png") as im:
        return im.convert("L").copy()


def main(argv=None) -> int:
    p = CliParser(prog="python -m gan_core.models.bench", description=__doc__.split("\n")[0])
    p.add_argument("--variant", action="append", help="family[:setting=value,...]; repeatable (default: every "
                   "family with its defaults)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--dcgan-epochs", type=int, default=40, help="the budget: DCGAN's training time for this many")
    p.add_argument("--budget", type=float, help="training seconds per variant, instead of timing DCGAN first "
                   "(to add variants to an earlier run on the same machine)")
    p.add_argument("--count", type=int, default=1797, help="real digits to train on")
    p.add_argument("--resolution", type=int, default=32)
    p.add_argument("--out", type=Path, help="also write the JSON here")
    p.add_argument("--grids", type=Path, help="write each seed's grids at the budget, side by side, here")
    args = p.parse_args(argv)
    from gan_core import models

    variants = [parse_variant(v) for v in (args.variant or models.names())]
    for family, _ in variants:
        models.get(family)
    if args.budget is None and (variants[0][0] != "dcgan" or variants[0][1]):
        variants.insert(0, ("dcgan", {}))  # the budget's yardstick comes first
    labels = [f + (":" + ",".join(f"{k}={v}" for k, v in s.items()) if s else "") for f, s in variants]

    results = {label: [] for label in labels}
    with tempfile.TemporaryDirectory(prefix="gan-quality-") as tmp:
        os.environ["GAN_DATASETS_DIR"] = str(Path(tmp) / "datasets")
        os.environ["GAN_CHECKPOINTS_DIR"] = str(Path(tmp) / "checkpoints")
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        subprocess.run([sys.executable, "-m", "gan_core.datasets", "build", "digits", "--count", str(args.count),
                        "--resolution", str(args.resolution)], env=env, check=True, stdout=subprocess.DEVNULL)
        for seed in args.seeds:
            budget, pictures = args.budget, []
            for label, (family, settings) in zip(labels, variants, strict=True):
                run = f"q{seed}-{len(pictures)}"
                t0 = time.perf_counter()
                epochs = args.dcgan_epochs if budget is None else 100_000
                train(env, run, family, settings, seed, epochs, budget, args.resolution)
                points = judge_run(run)
                if budget is None:
                    budget = points[-1]["seconds"]
                    progress(f"seed {seed}: budget = DCGAN's {args.dcgan_epochs} epochs = {budget:.0f}s")
                summary = at_budget(points, budget)
                results[label].append({"seed": seed, "budget_seconds": budget, **summary, "curve": points})
                progress(f"seed {seed} {label}: score {summary['score']:.2f} (best {summary['best']:.2f}) after "
                         f"{summary['epochs']} epochs; rarest digit {summary['smallest_class_share']:.1%}; "
                         f"{time.perf_counter() - t0:.0f}s")
                pictures.append(grid_picture(run, summary["epochs"]))
            if args.grids:
                save_side_by_side(pictures, labels, args.grids / f"quality-digits-seed{seed}.png")
    data = {"machine": machine(), "dcgan_epochs": args.dcgan_epochs, "count": args.count, "seeds": args.seeds,
            "variants": {label: {"median": medians(runs), "runs": runs} for label, runs in results.items()}}
    if args.out:
        args.out.write_text(json.dumps(data, indent=1) + "\n")
    print(report(data))
    return 0


def medians(runs: list[dict]) -> dict:
    def med(key):
        values = [r[key] for r in runs if r[key] is not None]
        return round(statistics.median(values), 2) if values else None

    return {k: med(k) for k in ("score", "best", "minutes_to_goal", "smallest_class_share", "budget_seconds")}


def machine() -> dict:
    import platform

    from gan_core.core.hardware import cpu_name

    return {"cpu": cpu_name(), "python": platform.python_version()}


def save_side_by_side(pictures, labels, path: Path) -> None:
    from PIL import Image, ImageDraw

    gap, band = 8, 18
    w = sum(p.width for p in pictures) + gap * (len(pictures) - 1)
    h = max(p.height for p in pictures) + band
    out = Image.new("L", (w, h), 255)
    draw, x = ImageDraw.Draw(out), 0
    for picture, label in zip(pictures, labels, strict=True):
        out.paste(picture, (x, band))
        draw.text((x + 2, 3), label, fill=0)
        x += picture.width + gap
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(path)


def report(data: dict) -> str:
    lines = [f"machine: {data['machine']['cpu']}; digits ({data['count']} real, 32 px grey); budget: DCGAN's "
             f"{data['dcgan_epochs']} epochs of training time; medians over seeds {data['seeds']}", "",
             "variant                         score at budget   best   minutes to 6   rarest digit"]
    for label, v in data["variants"].items():
        m = v["median"]
        lines.append(f"{label:<32}{m['score']!s:>10}{m['best']!s:>12}{m['minutes_to_goal']!s:>12}"
                     f"{m['smallest_class_share']!s:>14}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
