"""`python -m gan_core.evaluate`: diversity, precision, recall, density, coverage, KID and the health flags.

    python -m gan_core.evaluate RUN [--epoch E] [--count N] [--seed S] [--json]
    python -m gan_core.evaluate --images DIR --dataset NAME [--count N] [--seed S] [--json]

A run's generator (latest saved epoch by default) makes N images from seeded z and is scored against N
real images of the dataset it trained on, and its loss log up to that epoch is checked for divergence.
A folder of images (PNG, JPEG, WebP, BMP, GIF; brought to the dataset's size and colour) is scored
against as many real images of the named dataset. With --json the result is one JSON object with
`"mode_collapse": true|false`; the scores are defined in `gan_core/metrics/`.
"""

import argparse
import json
import sys
from pathlib import Path

from gan_core.core.errors import CliParser, UsageError, run_cli, seed_arg
from gan_core.metrics.evaluation import DEFAULT_COUNT, MAX_COUNT, evaluate_folder, evaluate_run


def parser() -> argparse.ArgumentParser:
    p = CliParser(prog="python -m gan_core.evaluate", description=__doc__.split("\n")[0])
    p.add_argument("run", nargs="?", help="a run under checkpoints/ (or use --images and --dataset)")
    p.add_argument("--epoch", type=int, help="a saved epoch of the run (default: the latest)")
    p.add_argument("--images", help="a folder of images to score instead of a run")
    p.add_argument("--dataset", help="the stored dataset to compare the folder's images with")
    p.add_argument("--count", type=int, help=f"images to score (default {DEFAULT_COUNT}; a folder: all, "
                                             f"up to {MAX_COUNT})")
    p.add_argument("--seed", type=seed_arg, default=0, help="seed for z and for choosing the real images")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.count is not None and not 8 <= args.count <= MAX_COUNT:
        raise UsageError(f"--count must be between 8 and {MAX_COUNT}")
    if args.images is not None:
        if args.run is not None:
            raise UsageError("give either a run or --images DIR, not both")
        if args.epoch is not None:
            raise UsageError("--epoch is for a run; a folder of images has no epochs")
        if not args.dataset:
            raise UsageError("--images needs --dataset NAME: the real images to compare with")
        result = evaluate_folder(Path(args.images), args.dataset, count=args.count, seed=args.seed)
    elif args.run is not None:
        if args.dataset:
            raise UsageError("a run is compared with the dataset it trained on; drop --dataset")
        result = evaluate_run(args.run, args.epoch, count=args.count or DEFAULT_COUNT, seed=args.seed)
    else:
        raise UsageError("name a run (python -m gan_core.evaluate RUN) or a folder (--images DIR --dataset NAME)")
    if skipped := result.get("skipped_lines"):  # one line, on stderr: the scores are still right
        more = f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""
        print(f"warning: skipped a damaged log line: {skipped[0]}{more}", file=sys.stderr)
    print(json.dumps(result, indent=2) if args.json else describe(result))
    return 0


def describe(r: dict) -> str:
    """The result in plain words, for a terminal."""
    what = f"run {r['run']}, epoch {r['epoch']}" if "run" in r else f"{r['samples']} images in {r['images']}"
    lines = [
        f"{what}, against {r['reference']} real images of {r['dataset']}:",
        f"  diversity       {r['diversity']:.2f}   1 = as varied as the real images, 0 = all the same "
        f"(mean MS-SSIM {r['ms_ssim']:.2f}, real {r['ms_ssim_real']:.2f})",
        f"  precision       {r['precision']:.2f}   share of the samples that fall among real images",
        f"  recall          {r['recall']:.2f}   share of the real images the samples cover",
        *([f"  density         {r['density']:.2f}   real images' neighbourhoods per sample (about 1 = like real "
           f"images)",
           f"  coverage        {r['coverage']:.2f}   share of the real images with a sample nearby",
           f"  KID             {r['kid']:.3f}  distance to the real images (0 = like them; comparable within "
           f"this app only)"] if r.get("kid") is not None else []),
        f"  near-twins      {r['near_duplicates']:.0%}    samples with a near-identical twin "
        f"(real images: {r['near_duplicates_real']:.0%})",
        f"  pass as real    {r['mistaken_for_real']:.0%}    samples whose nearest neighbour is a real image "
        f"(about 50% = they mingle with the data, 0% = they keep to themselves)",
        f"  mode collapse   {'YES: ' + r['collapse_reason'] if r['mode_collapse'] else 'no'}",
    ]
    if r.get("warmup") and r.get("collapse_reason"):
        lines[-1] += (f" (the scores say: {r['collapse_reason']}; but epoch {r['epoch']} is in the warm-up, "
                      "where every generator still draws near-identical blobs)")
    if "diverging" in r:
        lines.append(f"  diverging       {'YES: ' + r['divergence'] if r['diverging'] else 'no'}")
    from gan_core.metrics import FLAGS

    for code in r["flags"]:
        lines.append(f"\n{FLAGS[code].title}: {FLAGS[code].meaning}\nWhat to try: {FLAGS[code].what_to_try}")
    if r.get("skipped"):
        lines.append(f"({r['skipped']} files could not be read as images and were skipped)")
    return "\n".join(lines)


def cli() -> None:
    """The installed command (pyproject.toml); the same as `python -m`."""
    run_cli(main, sys.argv[1:])


if __name__ == "__main__":
    cli()
