"""`python -m gan_core.generate`: images from any saved epoch of a run, as separate PNG files.

    python -m gan_core.generate RUN [--epoch E] --count N [--seed S] --out DIR
    python -m gan_core.generate RUN [--epoch E] --interpolate SEED_A SEED_B [--steps N] [--method slerp|lerp] --out DIR
    python -m gan_core.generate RUN --interpolate SEED_A SEED_B --out morph.gif   (or morph.mp4)

Sample i of seed S is the i-th row of numpy's standard normal draws for S, so the same run, epoch and
seed give the same images anywhere. An interpolation morphs seed A's first sample into seed B's, and
also writes the frames side by side as `strip.png`.
"""

from pathlib import Path

from gan_core.core.atomic import check_writable
from gan_core.core.errors import CliParser, UsageError, run_cli, seed_arg
from gan_core.core.runs import Run


def main(argv=None) -> int:
    p = CliParser(prog="python -m gan_core.generate", description=__doc__.split("\n")[0])
    p.add_argument("run", help="a run under checkpoints/")
    p.add_argument("--epoch", type=int, help="a saved epoch (default: the latest)")
    p.add_argument("--count", type=int, help="how many images")
    p.add_argument("--seed", type=seed_arg, default=0)
    p.add_argument("--interpolate", type=seed_arg, nargs=2, metavar=("SEED_A", "SEED_B"),
                   help="morph the sample of SEED_A into that of SEED_B")
    p.add_argument("--steps", type=int, default=16, help="frames of the interpolation, ends included (default 16)")
    p.add_argument("--method", choices=("slerp", "lerp"), default="slerp",
                   help="slerp (default: right for Gaussian z) or a straight line")
    p.add_argument("--out", required=True, help="folder to write PNG files into (created if missing)")
    args = p.parse_args(argv)
    if args.interpolate is None and args.count is None:
        raise UsageError("pass --count N, or --interpolate SEED_A SEED_B")
    if args.interpolate is not None and args.count is not None:
        raise UsageError("--count and --interpolate do not go together")
    if args.count is not None and not 1 <= args.count <= 100_000:
        raise UsageError("--count must be between 1 and 100000")
    if args.interpolate is not None and not 2 <= args.steps <= 1000:
        raise UsageError("--steps must be between 2 and 1000")
    out = Path(args.out)
    animated = out.suffix.lower() in (".gif", ".mp4")
    if animated and not args.interpolate:
        raise UsageError("a .gif or .mp4 --out is for --interpolate; --count writes PNG files into a folder")
    if not animated and out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    if animated and out.is_dir():
        raise UsageError(f"--out {out} is a folder; name a .gif or .mp4 file")
    Run(args.run).require()
    try:  # before TensorFlow loads: an unwritable --out is known in a moment
        (out.parent if animated else out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write to {out}: {exc.strerror}") from None
    check_writable(out.parent if animated else out)

    from gan_core.core.atomic import write_bytes
    from gan_core.core.media import grid, png_bytes
    from gan_core.core.quiet_tf import import_tensorflow
    from gan_core.explore.interpolate import path
    from gan_core.explore.latent import generate, load_generator, model_config, sample_z

    import_tensorflow()
    run = Run(args.run)
    generator, epoch = load_generator(run, args.epoch)
    latent_dim = model_config(run)["latent_dim"]
    if args.interpolate:
        a, b = (sample_z(1, latent_dim, seed)[0] for seed in args.interpolate)
        images = generate(generator, path(a, b, args.steps, args.method))
        stem = f"{run.name}_e{epoch:04d}_{args.method}_{args.interpolate[0]}-{args.interpolate[1]}"
    else:
        images = generate(generator, sample_z(args.count, latent_dim, args.seed))
        stem = f"{run.name}_e{epoch:04d}_s{args.seed}"
    if animated:
        from gan_core.export import animation as export

        out.parent.mkdir(parents=True, exist_ok=True)
        order = [*range(len(images)), *range(len(images) - 2, 0, -1)]  # there and back: loops without a jump
        frames = (export.caption(export.enlarge(images[k], 384), f"{k + 1}/{len(images)}") for k in order)
        export.write(out, frames, len(order), fps=8.0)
        print(f"wrote a {len(images)}-step {args.method} animation from {run.name} epoch {epoch} to {out}")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for i, image in enumerate(images):
        write_bytes(out / f"{stem}_{i:05d}.png", png_bytes(image))
    if args.interpolate:
        write_bytes(out / f"{stem}_strip.png", png_bytes(grid(images, side=len(images))))
        print(f"wrote {len(images)} frames and {stem}_strip.png from {run.name} epoch {epoch} to {out}")
    else:
        print(f"wrote {len(images)} images from {run.name} epoch {epoch} (seed {args.seed}) to {out}")
    return 0


def cli() -> None:
    """The installed command (pyproject.toml); the same as `python -m`."""
    run_cli(main)


if __name__ == "__main__":
    cli()
