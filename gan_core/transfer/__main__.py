"""`python -m gan_core.transfer COMMAND ...` (or `gan-transfer`): move runs and datasets between machines.

    python -m gan_core.transfer export-run faces-demo --out faces-demo.run.zip
    python -m gan_core.transfer export-dataset cartoon-faces --out cartoon-faces.dataset.zip
    python -m gan_core.transfer import faces-demo.run.zip [--name faces-gpu] [--replace]
"""

import json
from pathlib import Path

from gan_core.core.errors import CliParser, run_cli
from gan_core.core.progress import Progress


class _Bytes:
    """A terminal progress line in megabytes, as the `progress(done, total)` callable the API takes."""

    def __init__(self, what: str):
        self.what, self.bar = what, None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.unit, name = (2**20, "MB") if total >= 16 * 2**20 else (2**10, "KB")
            self.bar = Progress(max(total // self.unit, 1), what=f"{name} {self.what}")
        self.bar.update(done // self.unit - self.bar.done)

    def close(self, ok: bool = True) -> None:
        """The finished line; after a failure only a line break on a terminal, so the error starts on its own."""
        if self.bar is None:
            return
        if ok:
            self.bar.close()
        elif self.bar._tty:
            self.bar.stream.write("\n")


def main(argv=None) -> int:
    p = CliParser(prog="python -m gan_core.transfer", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    er = sub.add_parser("export-run", help="one run (settings, logs, pictures, generators, training state) as a zip")
    er.add_argument("name")
    er.add_argument("--out", type=Path, help="the archive to write, or a folder (default: NAME.run.zip here)")
    er.add_argument("--no-state", action="store_true",
                    help="leave out the training state: smaller, but the run can then be viewed, not resumed")
    ed = sub.add_parser("export-dataset", help="one dataset (its manifest and image shards) as a zip")
    ed.add_argument("name")
    ed.add_argument("--out", type=Path, help="the archive to write, or a folder (default: NAME.dataset.zip here)")
    im = sub.add_parser("import", help="a run or dataset archive into this machine's checkpoints/ or datasets/")
    im.add_argument("file", type=Path)
    im.add_argument("--name", help="import under this name instead of the archive's")
    im.add_argument("--replace", action="store_true", help="overwrite a run or dataset of the same name")
    for q in (er, ed, im):
        q.add_argument("--json", action="store_true", help="print the result as JSON")
        q.add_argument("--quiet", action="store_true", help="no progress line")
    args = p.parse_args(argv)

    from gan_core import transfer

    bar = None if args.quiet or args.json else _Bytes("exported" if args.command != "import" else "checked+written")
    ok = False
    try:
        if args.command == "import":
            kind, name = transfer.import_archive(args.file, name=args.name, replace=args.replace, progress=bar)
            result = {"kind": kind, "name": name, "archive": str(args.file)}
            text = f"imported {kind} {name!r} from {args.file}"
            if kind == "run":
                text += f"; continue it with: python -m gan_core.train --run {name} --resume --epochs N"
        else:
            kind = "run" if args.command == "export-run" else "dataset"
            out = args.out or Path(transfer.default_file_name(kind, args.name))
            if kind == "run":
                out = transfer.export_run(args.name, out, state=not args.no_state, progress=bar)
            else:
                out = transfer.export_dataset(args.name, out, progress=bar)
            size = out.stat().st_size
            result = {"kind": kind, "name": args.name, "archive": str(out), "bytes": size}
            text = f"exported {kind} {args.name!r} to {out} ({size / 2**20:,.1f} MB)"
        ok = True
    finally:
        if bar is not None:
            bar.close(ok)
    print(json.dumps(result, indent=2) if args.json else text)
    return 0


def cli() -> None:
    run_cli(main)


if __name__ == "__main__":
    cli()
