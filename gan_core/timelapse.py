"""`python -m gan_core.timelapse RUN --out film.mp4|film.gif`: a run's evolution as a film.

    python -m gan_core.timelapse faces-demo --out faces.mp4 --fps 8 --size 512 --hold 2
    python -m gan_core.timelapse faces-demo --out face7.gif --sample 7 --from 0 --to 30

What a frame shows and how the range is picked: `gan_core.export.timelapse`.
"""

from pathlib import Path

from gan_core.core.errors import CliParser, finite_arg, run_cli
from gan_core.core.runs import Run
from gan_core.export.timelapse import DEFAULT_FPS, DEFAULT_HOLD, DEFAULT_SIZE, export


def main(argv: list[str] | None = None) -> int:
    ap = CliParser(prog="python -m gan_core.timelapse", description=__doc__.splitlines()[0])
    ap.add_argument("run")
    ap.add_argument("--out", required=True, help="film.mp4 (H.264) or film.gif")
    ap.add_argument("--from", dest="start", type=int, default=None, help="first epoch (default: the first)")
    ap.add_argument("--to", dest="end", type=int, default=None, help="last epoch (default: the latest)")
    ap.add_argument("--fps", type=finite_arg, default=DEFAULT_FPS)
    ap.add_argument("--size", type=int, default=DEFAULT_SIZE, help="longer side of the picture, pixels")
    ap.add_argument("--hold", type=finite_arg, default=DEFAULT_HOLD, help="seconds to hold the last frame")
    ap.add_argument("--sample", type=int, default=None, help="follow one cell of the grid (0 = top left)")
    args = ap.parse_args(argv)
    info = export(Run(args.run), Path(args.out), args.start, args.end, args.fps, args.size, args.hold, args.sample)
    print(f"wrote {info['out']}: {info['frames']} frames, epochs {info['epochs'][0]}..{info['epochs'][1]}")
    return 0


def cli() -> None:
    """The installed command (pyproject.toml); the same as `python -m`."""
    run_cli(main)


if __name__ == "__main__":
    cli()
