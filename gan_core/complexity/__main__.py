"""Measure and rank the visual complexity of stored datasets.

    python -m gan_core.complexity cartoon-faces photo-patches [--sample 1000] [--seed 0] [--json]

With --json: one JSON object keyed by dataset name, each with every measure, `complexity` (the 0-100
composite) and `rank` (1 = the most complex of those named). Progress goes to stderr.
"""

import json
import sys

from gan_core.complexity.profile import DEFAULT_SAMPLE, EVIDENCE, EXPLANATION, MEASURES, compare
from gan_core.complexity.verdict import faster
from gan_core.core.errors import CliParser, run_cli, seed_arg


def main(argv: list[str] | None = None) -> int:
    p = CliParser(prog="python -m gan_core.complexity", description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="+", metavar="NAME", help="datasets under $GAN_DATASETS_DIR")
    p.add_argument("--sample", type=int, default=DEFAULT_SAMPLE,
                   help=f"frames measured per dataset, chosen at random (default {DEFAULT_SAMPLE}; all if fewer)")
    p.add_argument("--seed", type=seed_arg, default=0, help="seed for choosing the frames (default 0)")
    p.add_argument("--no-cache", action="store_true", help="measure again even if a cached profile exists")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)

    def progress(fraction: float, text: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r[{'#' * int(24 * fraction):<24}] {text:<60}")
            sys.stderr.flush()

    results = compare(args.names, sample=args.sample, seed=args.seed, use_cache=not args.no_cache,
                      progress=progress)
    if sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 90 + "\r")
    if args.json:
        print(json.dumps(results, indent=2, sort_keys=True))
        return 0
    for name, r in sorted(results.items(), key=lambda item: item[1]["rank"]):
        print(f"{r['rank']}. {name}: complexity {r['complexity']:.1f} / 100  "
              f"({r['count']} frames, {r['sample_size']} measured, {r['resolution']} px)")
        for key, measure in MEASURES.items():
            value = r[key]
            shown = "n/a (not a video)" if value is None else f"{value:g}"
            print(f"     {measure.label:<28} {shown:<18} {measure.unit}")
    if len(results) > 1:
        print(f"\n{faster(results)}")
    print(f"\n{EVIDENCE}\n\n{EXPLANATION}")
    return 0


def cli() -> None:
    """The installed command (pyproject.toml); the same as `python -m`."""
    run_cli(main, sys.argv[1:])


if __name__ == "__main__":
    cli()
