"""`python -m gan_core.generate RUN [--epoch E] --count N [--seed S] --out DIR`: N separate PNG files.

The same run, epoch and seed give the same images.
"""

import argparse
from pathlib import Path

from gan_core.errors import UsageError, run_cli


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gan_core.generate", description=__doc__.split("\n")[0])
    p.add_argument("run", help="a run under checkpoints/")
    p.add_argument("--epoch", type=int, help="a saved epoch (default: the latest)")
    p.add_argument("--count", type=int, required=True, help="how many images")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="folder to write PNG files into (created if missing)")
    args = p.parse_args(argv)
    if not 1 <= args.count <= 100_000:
        raise UsageError("--count must be between 1 and 100000")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")

    from gan_core.atomic import write_bytes
    from gan_core.latent import generate, load_generator, sample_z
    from gan_core.media import png_bytes
    from gan_core.quiet_tf import import_tensorflow
    from gan_core.runs import Run

    import_tensorflow()
    run = Run(args.run)
    generator, epoch = load_generator(run, args.epoch)
    z = sample_z(args.count, run.config()["latent_dim"], args.seed)
    images = generate(generator, z)
    out.mkdir(parents=True, exist_ok=True)
    for i, image in enumerate(images):
        write_bytes(out / f"{run.name}_e{epoch:04d}_s{args.seed}_{i:05d}.png", png_bytes(image))
    print(f"wrote {len(images)} images from {run.name} epoch {epoch} (seed {args.seed}) to {out}")
    return 0


if __name__ == "__main__":
    run_cli(main)
