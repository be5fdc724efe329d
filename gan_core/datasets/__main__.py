"""`python -m gan_core.datasets COMMAND ...`: build, import (pictures, videos), list, inspect, delete datasets.

    python -m gan_core.datasets build cartoon-faces --count 2000 --resolution 32
    python -m gan_core.datasets import-video ep1.mp4 ep2.mkv --name simpsons --fps 2 --start 90 --end 1260
    python -m gan_core.datasets import-images ducks.zip --name ducks --fit pad
    python -m gan_core.datasets info simpsons --json
"""

import argparse
import json
from collections import Counter

from gan_core.core.errors import CliParser, finite_arg, run_cli, seed_arg

SHOW_SKIPPED = 50  # people see this many skipped files or frames by name, then a count per reason


def _print_info(ds, as_json: bool) -> None:
    m = ds.manifest
    info = {
        "name": ds.name, "count": ds.count, "resolution": ds.resolution, "channels": ds.channels,
        "kind": m.get("kind"), "source": m.get("source"), "sources": m.get("sources", []),
        "skipped": m.get("skipped", []), "how_made": m.get("how_made"), "seconds": m.get("seconds"),
        "created": m.get("created"), "fingerprint": ds.fingerprint, "path": str(ds.path),
    }
    if as_json:
        print(json.dumps(info, indent=2))
        return
    print(f"{ds.name}: {ds.count:,} images, {ds.resolution}x{ds.resolution} {'RGB' if ds.channels == 3 else 'grey'}")
    for source in info["sources"] or [info["source"]]:
        print(f"  from {_describe_source(source)}")
    how = info["how_made"] or {}
    how_text = ", ".join(f"{k} {v}" for k, v in how.items() if v not in (None, False))
    print(f"  made {info['created']} in {info['seconds']} s" + (f" ({how_text})" if how_text else ""))
    print(f"  stored in {ds.path}")
    skipped = info["skipped"]
    print(f"  {len(skipped):,} skipped" + (":" if skipped else ""))
    for skip in skipped[:SHOW_SKIPPED]:
        print(f"    {skip.get('name')}: {skip.get('reason')}")
    if len(skipped) > SHOW_SKIPPED:
        reasons = Counter(skip.get("reason") for skip in skipped[SHOW_SKIPPED:])
        for reason, n in reasons.most_common():
            print(f"    and {n:,} more: {reason}")


def _describe_source(source) -> str:
    if not isinstance(source, dict):
        return str(source)
    text = str(source.get("name"))
    if "frames" in source:  # a video
        text += f": {source.get('kept', 0):,} of {source['frames']:,} frames kept"
        facts = [f"{source['duration']:.0f} s" if source.get("duration") else None,
                 f"{source['width']}x{source['height']}" if source.get("width") else None, source.get("codec")]
        text += "".join(f", {f}" for f in facts if f)
    elif "files" in source:  # a folder, a zip or a picture
        text += f" ({source.get('kind', 'files')}): {source.get('kept', 0):,} kept of {source['files']:,} files"
    return text



def _import_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", required=True, help="the new dataset's name")
    p.add_argument("--resolution", type=int, default=64, metavar="R", help="32, 64, 128 or 256 (default 64)")
    p.add_argument("--fit", choices=("crop", "pad"), default="crop",
                   help="square by cropping the middle (default) or by padding the whole picture")
    p.add_argument("--replace", action="store_true", help="overwrite a dataset of the same name")


def main(argv=None) -> int:
    from gan_core.datasets.builtin import BUILTIN

    p = CliParser(prog="python -m gan_core.datasets", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="make a built-in dataset")
    b.add_argument("kind", help=f"one of: {', '.join(BUILTIN)}")
    b.add_argument("--count", type=int, help="how many images (default depends on the set)")
    b.add_argument("--resolution", type=int, default=64, help="32, 64, 128 or 256 (default 64)")
    b.add_argument("--seed", type=seed_arg, default=0)
    b.add_argument("--name", help="store under another name (default: the set's name)")
    b.add_argument("--replace", action="store_true", help="overwrite a dataset of the same name")
    b.add_argument("--skip-existing", action="store_true", help="do nothing if the dataset already exists")
    ii = sub.add_parser("import-images", help="pictures from a folder (searched recursively) or a zip",
                        description="Pictures (PNG, JPEG, WebP, GIF, BMP, TIFF, AVIF) from folders, zips or single "
                        "files into one dataset; unreadable files are skipped and listed by `info`.")
    ii.add_argument("paths", nargs="+", metavar="PATH", help="a folder, a .zip archive or a picture (several allowed)")
    _import_options(ii)
    iv = sub.add_parser("import-video", help="frames cut from one or more videos",
                        description="Frames from one or more videos (any container and codec FFmpeg reads) into "
                        "one dataset.")
    iv.add_argument("paths", nargs="+", metavar="FILE", help="video files")
    rate = iv.add_mutually_exclusive_group()
    rate.add_argument("--fps", type=finite_arg, help="frames to keep per second of video (default 1)")
    rate.add_argument("--every", type=int, metavar="N", help="keep every N-th frame instead")
    iv.add_argument("--start", type=finite_arg, default=0.0, metavar="S", help="skip the first S seconds of each video")
    iv.add_argument("--end", type=finite_arg, metavar="S", help="stop at S seconds into each video")
    iv.add_argument("--skip-duplicates", action="store_true",
                    help="leave out frames that look the same as the last kept one (still scenes, title cards)")
    _import_options(iv)
    ls = sub.add_parser("list", help="list stored datasets")
    ls.add_argument("--json", action="store_true")
    i = sub.add_parser("info", help="details of one dataset")
    i.add_argument("name")
    i.add_argument("--json", action="store_true")
    d = sub.add_parser("delete", help="delete a dataset")
    d.add_argument("name")
    args = p.parse_args(argv)

    from gan_core.datasets import store

    if args.command == "build":
        from gan_core.datasets.build import build

        if args.skip_existing and store.exists(args.name or args.kind):
            print(f"dataset {args.name or args.kind} already exists; kept as it is")
            return 0
        ds = build(args.kind, count=args.count, resolution=args.resolution, seed=args.seed, name=args.name,
                   replace=args.replace)
        print(f"built {ds.name}: {ds.count} images at {ds.resolution} px in {ds.path}")
    elif args.command in ("import-images", "import-video"):
        from gan_core.datasets import importer

        if args.command == "import-images":
            ds = importer.import_images(args.paths, args.name, resolution=args.resolution, fit=args.fit,
                                        replace=args.replace)
        else:
            ds = importer.import_videos(args.paths, args.name, fps=args.fps, every=args.every, start=args.start,
                                        end=args.end, skip_duplicates=args.skip_duplicates,
                                        resolution=args.resolution, fit=args.fit, replace=args.replace)
        skipped = len(ds.manifest.get("skipped", []))
        note = f"; {skipped} skipped (see: python -m gan_core.datasets info {ds.name})" if skipped else ""
        print(f"imported {ds.name}: {ds.count} images at {ds.resolution} px in {ds.manifest.get('seconds')} s"
              f"{note}")
    elif args.command == "list":
        sets = store.list_datasets()
        if args.json:
            print(json.dumps([{"name": s.name, "count": s.count, "resolution": s.resolution,
                               "channels": s.channels, "source": s.manifest.get("source")} for s in sets],
                             indent=2))
        elif not sets:
            print("no datasets yet; make one with: python -m gan_core.datasets build cartoon-faces")
        for s in [] if args.json else sets:
            print(f"{s.name:24} {s.count:8d} images  {s.resolution:4d} px  {s.manifest.get('source')}")
        for s in [] if args.json else store.list_datasets(damaged=True):
            print(f"{s.name:24} damaged, skipped: {s.problem()} (python -m gan_core.datasets delete {s.name})")
    elif args.command == "info":
        _print_info(store.open_dataset(args.name), args.json)
    elif args.command == "delete":
        store.delete_dataset(args.name)
        print(f"deleted {args.name}")
    return 0


def cli() -> None:
    """The installed command (pyproject.toml); the same as `python -m`."""
    run_cli(main)


if __name__ == "__main__":
    cli()
