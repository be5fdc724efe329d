"""`python -m gan_core.bench.families`: quality per minute of GAN families, side by side, on a built-in set.

    python -m gan_core.bench.families                                   # dcgan and sngan-da, seeds 0 and 1
    python -m gan_core.bench.families --variant dcgan --variant sngan-da --variant sngan-da:g_block=residual
    python -m gan_core.bench.families --seeds 0 --dcgan-epochs 10 --count 500 --out /tmp/q.json

For each seed: builds scikit-learn's real digits (1,797, 32 px grey) in a temporary folder, trains DCGAN
for `--dcgan-epochs` epochs (the budget is the training time it needs, measured in this run), then every
other variant for the same training time, each as a real `python -m gan_core.train` run saving its
generator every epoch. Every saved generator draws the same 1,000 z and the digit judge
(`gan_core.bench.digit_judge`, kept apart from training) scores them: an Inception-Score analogue, 10
is perfect, the real digits score about 8. Training time runs from the start of the first epoch (XLA and
the first compile included; Python and TensorFlow start-up not, as it is the same for every family).

Reported per variant (medians over the seeds): the score at the budget, the best within it, the minutes
until it first reached 6, the rarest digit's share at the budget (every digit present: none under 2 %),
and the curve over time; `--grids DIR` writes each variant's grid at the budget side by side per seed.
Every point also carries the run's own record at that epoch (D's view of real images, the project's
scores and flags), which shows a discriminator that overfits on a small set.

`--dataset` other than digits (no judge exists for them): the project's own scores over time, and
`--minutes 1 2 3` puts every variant's grid at those training minutes side by side, one row per variant
(how many minutes until the cartoon faces have eyes is for people to see):

    python -m gan_core.bench.families --dataset cartoon-faces --count 2000 --budget 300 --minutes 1 2 3 4 5 \
        --variant dcgan --variant sngan-da --seeds 0 --grids benchmarks/DATE-CPU
"""

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from gan_core.bench.scratch import bench_home
from gan_core.core.errors import CliParser, UsageError, run_cli

JUDGED = 1000  # samples per saved generator
Z_SEED = 12345
GOAL = 6.0
# the run's own record at each judged epoch: D's view of real images, and the project's scores and flags
OWN_SCORES = ("d_real", "d_fake", "diversity", "precision", "recall", "density", "coverage", "near_duplicates",
              "flags")


def progress(message: str) -> None:
    print(f"[quality] {message}", file=sys.stderr, flush=True)


def parse_variant(text: str) -> tuple[str, dict]:
    """`family[:setting=value,...]` to (family, settings); a value may hold commas (`augment=color,cutout`)."""
    name, _, rest = text.partition(":")
    settings, key = {}, None
    for piece in filter(None, rest.split(",")):
        if "=" in piece:
            key, value = (part.strip() for part in piece.split("=", 1))
            settings[key] = value
        elif key is None:
            raise UsageError(f"--variant {text!r}: settings are key=value, separated by commas")
        else:
            settings[key] += "," + piece.strip()
    return name, settings


def train_args(settings: dict) -> list[str]:
    return [arg for k, v in settings.items() for arg in (f"--{k.replace('_', '-')}", str(v))]


def clock(run_path: Path) -> list[tuple[int, float]]:
    """(epoch, training seconds at its end) from the run's epochs.jsonl, from the start of the first epoch."""
    from gan_core.core.schemas import EpochRow, read_rows

    rows = [r for r in read_rows(run_path / "epochs.jsonl", EpochRow) if r.get("time") and r.get("epoch")]
    if not rows:
        return []
    stamps = [datetime.fromisoformat(r["time"]).timestamp() for r in rows]
    start = stamps[0] - (rows[0].get("seconds") or 0.0)
    return [(r["epoch"], t - start) for r, t in zip(rows, stamps, strict=True)]


def train(env: dict, run: str, family: str, settings: dict, seed: int, epochs: int, budget: float | None,
          args) -> Path:
    """One training run; with a budget, asked to stop once its training time passes it."""
    from gan_core.datasets.builtin import BUILTIN

    run_path = Path(env["GAN_CHECKPOINTS_DIR"]) / run
    cmd = [sys.executable, "-m", "gan_core.train", "--dataset", args.dataset, "--run", run, "--arch", family,
           "--resolution", str(args.resolution), "--channels", str(BUILTIN[args.dataset].channels),
           "--epochs", str(epochs), "--save-every", str(args.save_every), "--seed", str(seed), *train_args(settings)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while proc.poll() is None:
        time.sleep(0.25)  # a budget overshot by less: fewer epochs past it to judge
        if budget is not None and (run_path / "epochs.jsonl").exists():
            done = clock(run_path)
            if done and done[-1][1] >= budget and not (run_path / "stop.request").exists():
                (run_path / "stop.request").write_text("budget reached")
    if proc.returncode != 0:
        raise UsageError(f"training {run} failed: {proc.stderr.strip().splitlines()[-1:]}")
    return run_path


def judge_run(run_name: str, judged: bool = True) -> list[dict]:
    """Every saved generator of a run with its training time, the run's own record and the digit judge's verdict
    (`judged`: only digits have a judge)."""
    from gan_core.bench import digit_judge
    from gan_core.core.quiet_tf import import_tensorflow
    from gan_core.core.runs import Run
    from gan_core.models.saved import generate, load_generator, model_config, sample_z

    import_tensorflow()
    run = Run(run_name)
    z = sample_z(JUDGED, model_config(run)["latent_dim"], Z_SEED)
    rows = {r["epoch"]: r for r in run.epochs() if r.get("epoch")}
    points = []
    for epoch, seconds in clock(run.path):
        if not run.generator_file(epoch).exists():
            continue
        verdict = digit_judge.score(generate(load_generator(run, epoch)[0], z)) if judged else {}
        own = {k: rows[epoch][k] for k in OWN_SCORES if rows[epoch].get(k) is not None}
        points.append({"epoch": epoch, "seconds": round(seconds, 1), **verdict, **own})
    return points


def at_budget(points: list[dict], budget: float) -> dict:
    within = [p for p in points if p["seconds"] <= budget * 1.02] or points[:1]
    flags = sorted({f for p in within for f in p.get("flags") or []})
    last = within[-1]
    scored = [p for p in within if p.get("diversity") is not None] or [last]  # --save-every leaves epochs unscored
    own = {k: scored[-1].get(k) for k in ("diversity", "precision", "recall", "density")}
    if "digit_score" not in last:
        return {"epochs": last["epoch"], "flags": flags, **own}
    best = max(within, key=lambda p: p["digit_score"])
    reached = next((p["seconds"] for p in within if p["digit_score"] >= GOAL), None)
    return {"score": last["digit_score"], "best": best["digit_score"], "epochs": last["epoch"],
            "best_epoch": best["epoch"], "flags": flags, **own,
            "smallest_class_share": last["smallest_class_share"], "all_classes": last["all_classes"],
            "minutes_to_goal": round(reached / 60, 1) if reached else None}


def grid_picture(run_name: str, epoch: int):
    from PIL import Image

    from gan_core.core.runs import Run

    with Image.open(Run(run_name).samples_dir / f"epoch_{epoch:04d}.png") as im:
        return im.convert("RGB")


def epoch_at(points: list[dict], seconds: float) -> int | None:
    """The newest saved epoch finished within `seconds` of training."""
    done = [p["epoch"] for p in points if p["seconds"] <= seconds]
    return done[-1] if done else None


def main(argv=None) -> int:
    p = CliParser(prog="python -m gan_core.bench.families", description=__doc__.split("\n")[0])
    p.add_argument("--variant", action="append", help="family[:setting=value,...]; repeatable (default: every "
                   "family with its defaults)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--dcgan-epochs", type=int, default=40, help="the budget: DCGAN's training time for this many")
    p.add_argument("--budget", type=float, help="training seconds per variant, instead of timing DCGAN first "
                   "(to add variants to an earlier run on the same machine)")
    p.add_argument("--dataset", default="digits", help="a built-in set; only digits has a judge")
    p.add_argument("--count", type=int, default=1797, help="real images to train on")
    p.add_argument("--resolution", type=int, default=32)
    p.add_argument("--save-every", type=int, default=1, help="keep (and judge) every N-th epoch's generator")
    p.add_argument("--out", type=Path, help="also write the JSON here")
    p.add_argument("--grids", type=Path, help="write each seed's grids at the budget, side by side, here")
    p.add_argument("--minutes", type=float, nargs="+", help="with --grids: also every variant's grid at these "
                   "training minutes, one row per variant")
    p.add_argument("--keep", type=Path, help="train in this folder and keep the runs (default: a temporary one)")
    args = p.parse_args(argv)
    from gan_core import models
    from gan_core.datasets.builtin import BUILTIN

    if args.dataset not in BUILTIN:
        raise UsageError(f"unknown built-in set {args.dataset!r}; choose one of {', '.join(BUILTIN)}")
    if args.minutes and not args.grids:
        raise UsageError("--minutes draws grids: give --grids DIR too")
    judged = args.dataset == "digits"

    variants = [parse_variant(v) for v in (args.variant or models.names())]
    for family, _ in variants:
        models.get(family)
    if args.budget is None and (variants[0][0] != "dcgan" or variants[0][1]):
        variants.insert(0, ("dcgan", {}))  # the budget's yardstick comes first
    labels = [f + (":" + ",".join(f"{k}={v}" for k, v in s.items()) if s else "") for f, s in variants]

    results = {label: [] for label in labels}
    with bench_home(args.keep, prefix="gan-quality-"):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        subprocess.run([sys.executable, "-m", "gan_core.datasets", "build", args.dataset, "--count", str(args.count),
                        "--resolution", str(args.resolution), "--replace"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        for seed in args.seeds:
            budget, pictures, rows = args.budget, [], []
            for label, (family, settings) in zip(labels, variants, strict=True):
                run = f"q{seed}-{len(pictures)}"
                t0 = time.perf_counter()
                epochs = args.dcgan_epochs if budget is None else 100_000
                train(env, run, family, settings, seed, epochs, budget, args)
                points = judge_run(run, judged)
                if budget is None:
                    budget = points[-1]["seconds"]
                    progress(f"seed {seed}: budget = DCGAN's {args.dcgan_epochs} epochs = {budget:.0f}s")
                summary = at_budget(points, budget)
                results[label].append({"seed": seed, "budget_seconds": budget, "run": run, **summary,
                                       "curve": points})
                progress(f"seed {seed} {label}: {describe(summary)}; {time.perf_counter() - t0:.0f}s")
                pictures.append(grid_picture(run, summary["epochs"]))
                if args.minutes:
                    epochs_at = [(m, epoch_at(points, m * 60)) for m in args.minutes]
                    rows.append([(f"{m:g} min: epoch {e}", e and grid_picture(run, e)) for m, e in epochs_at])
            if args.grids:
                save_sheet([list(zip(labels, pictures, strict=True))], args.grids /
                           f"quality-{args.dataset}-seed{seed}.png")
                if args.minutes:
                    save_sheet([[(f"{label}, {text}", pic) for text, pic in row] for label, row in
                                zip(labels, rows, strict=True)], args.grids / f"minutes-{args.dataset}-seed{seed}.png")
    data = {"machine": machine(), "dataset": args.dataset, "dcgan_epochs": args.dcgan_epochs, "count": args.count,
            "budget_seconds": args.budget, "seeds": args.seeds,
            "variants": {label: {"median": medians(runs), "runs": runs} for label, runs in results.items()}}
    if args.out:
        args.out.write_text(json.dumps(data, indent=1) + "\n")
    print(report(data))
    return 0


def medians(runs: list[dict]) -> dict:
    def med(key):
        values = [r[key] for r in runs if r.get(key) is not None]
        return round(statistics.median(values), 2) if values else None

    keys = ("score", "best", "minutes_to_goal", "smallest_class_share", "budget_seconds", "diversity", "precision",
            "recall", "density")
    return {k: med(k) for k in keys if any(k in r for r in runs)}


def describe(summary: dict) -> str:
    flags = ", ".join(summary["flags"]) or "no flags"
    own = f"diversity {summary['diversity']}, precision {summary['precision']}; {flags}"
    if "score" not in summary:
        return f"{summary['epochs']} epochs; {own}"
    return (f"score {summary['score']:.2f} (best {summary['best']:.2f} at epoch {summary['best_epoch']}) after "
            f"{summary['epochs']} epochs; rarest digit {summary['smallest_class_share']:.1%}; {own}")


def machine() -> dict:
    import platform

    from gan_core.core.hardware import cpu_name, cpu_vector_units

    return {"cpu": cpu_name(), "vector_units": cpu_vector_units(), "python": platform.python_version()}


def save_sheet(rows: list[list[tuple[str, object]]], path: Path) -> None:
    """Pictures in rows, each under its caption (a missing picture leaves its place blank)."""
    from PIL import Image, ImageDraw

    gap, band = 8, 18
    size = next(p.size for row in rows for _, p in row if p)
    columns = max(len(row) for row in rows)
    out = Image.new("RGB", (columns * (size[0] + gap) - gap, len(rows) * (size[1] + band + gap) - gap), "white")
    draw = ImageDraw.Draw(out)
    for r, row in enumerate(rows):
        y = r * (size[1] + band + gap)
        for c, (caption, picture) in enumerate(row):
            x = c * (size[0] + gap)
            draw.text((x + 2, y + 3), caption, fill="black")
            if picture:
                out.paste(picture, (x, y + band))
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(path)


def report(data: dict) -> str:
    budget = (f"{data['budget_seconds']:g} s" if data.get("budget_seconds")
              else f"DCGAN's {data['dcgan_epochs']} epochs of training time")
    cpu = f"{data['machine']['cpu']} ({data['machine'].get('vector_units', '?')})"
    lines = [f"machine: {cpu}; {data['dataset']} ({data['count']} real); budget: {budget}; "
             f"medians over seeds {data['seeds']}", ""]
    judged = data["dataset"] == "digits"
    heads = ("score at budget", "best", "minutes to 6", "rarest digit") if judged else ()
    keys = ("score", "best", "minutes_to_goal", "smallest_class_share") if judged else ()
    heads, keys = heads + ("diversity", "precision", "recall"), keys + ("diversity", "precision", "recall")
    lines.append(f"{'variant':<40}" + "".join(f"{h:>16}" for h in heads))
    for label, v in data["variants"].items():
        lines.append(f"{label:<40}" + "".join(f"{v['median'].get(k)!s:>16}" for k in keys))
    return "\n".join(lines)


if __name__ == "__main__":
    run_cli(main, sys.argv[1:])
