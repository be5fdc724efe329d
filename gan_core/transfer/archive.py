"""The archive format shared by export and import: one zip file, a manifest at its root, and the limits.

A run or a dataset travels between a hosted-GPU notebook, a GPU box and the workshop laptop as one zip:

    gan-explorer.json          the manifest: kind ("run" or "dataset"), format_version, code_version, name,
                               created, and every other member with its size and sha256
    config.json, status.json, metrics.jsonl, epochs.jsonl, samples/..., weights/..., state/...    (a run)
    manifest.json, shard-00000.u8, ...                                                                (a dataset)

Names are checked against the exact layout of a run directory or a dataset folder (`RUN_LAYOUT`,
`DATASET_LAYOUT`), which is stricter than the image importer's zip rule (no absolute path, no `..`) that is
checked first, so nothing can land outside the folder being made. Sizes are bounded three ways: each member's
declared size against what its compressed size can hold (`MAX_RATIO`), all members together against
`MAX_TOTAL_BYTES` and the free disk space, and the number of members against `MAX_MEMBERS`; while a member is
read, never more than its declared size is taken, whatever its zip header says.
"""

import hashlib
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from gan_core.core.errors import UsageError

MANIFEST_NAME = "gan-explorer.json"
FORMAT = "gan-explorer-archive"
FORMAT_VERSION = 1
KINDS = ("run", "dataset")
MAX_MEMBERS = 20_000  # a run of 10,000 epochs keeps fewer files than this
MAX_TOTAL_BYTES = 256 * 2**30  # no run or dataset this app makes is near a quarter of a terabyte
MAX_MANIFEST_BYTES = 16 * 2**20
MAX_RATIO = 100  # a compressed member may hold at most this many times its compressed size (ours: under 10)
RATIO_FREE_BYTES = 2**20  # ... once it is larger than this (a tiny JSON file may compress very well)
CHUNK = 2**20

_EPOCH = r"\d{4,6}"
RUN_LAYOUT = re.compile(
    r"config\.json|status\.json|metrics\.jsonl|epochs\.jsonl|favourites\.json"
    rf"|samples/epoch_{_EPOCH}\.png|samples/noise\.npy"
    rf"|weights/generator_epoch_{_EPOCH}\.weights\.h5"
    r"|state/latest\.json|state/state_step_\d{9}\.(npz|weights\.h5)"
)
RUN_REQUIRED = ("config.json", "status.json")
DATASET_LAYOUT = re.compile(r"manifest\.json|shard-\d{5}\.u8")
DATASET_REQUIRED = ("manifest.json",)
STORED_SUFFIXES = (".u8", ".png", ".npz", ".h5", ".npy")  # raw or already dense: deflate would only cost time


def layout(kind: str) -> re.Pattern:
    return RUN_LAYOUT if kind == "run" else DATASET_LAYOUT


def required(kind: str) -> tuple[str, ...]:
    return RUN_REQUIRED if kind == "run" else DATASET_REQUIRED


def compression_for(name: str) -> int:
    return zipfile.ZIP_STORED if name.endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    kind: str
    name: str
    code_version: str
    created: str
    members: tuple[Member, ...]
    with_state: bool | None = None  # runs only

    @property
    def total_bytes(self) -> int:
        return sum(m.size for m in self.members)


def open_zip(path: Path, label: str) -> zipfile.ZipFile:
    """The zip at `path`, or one line saying it is not one (missing, truncated, damaged, some other file)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"no such archive: {path}")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UsageError(f"{label} is not a readable GAN Explorer archive (truncated, damaged or not a zip: "
                         f"{str(exc)[:80]})") from None


def _unsafe_member(name: str) -> bool:
    """The image importer's rule for a zip member that would land outside its folder (absolute or `..`)."""
    from gan_core.datasets.importer import _unsafe_member as unsafe

    return unsafe(name)


def check_member_info(info: zipfile.ZipInfo, kind: str, label: str) -> None:
    """A member's name and zip header, before a byte of it is read (the image importer's rules, and the layout)."""
    name = info.filename
    if _unsafe_member(name) or "\\" in name or "\x00" in name:
        raise UsageError(f"{label}: member {name!r} has an unsafe path (absolute, '..' or a backslash); "
                         "nothing was imported")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UsageError(f"{label}: member {name!r} is a symbolic link; nothing was imported")
    if info.flag_bits & 0x1:
        raise UsageError(f"{label}: member {name!r} is encrypted; nothing was imported")
    if name != MANIFEST_NAME and not layout(kind).fullmatch(name):
        raise UsageError(f"{label}: member {name!r} does not belong in a {kind} archive; nothing was imported")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UsageError(f"{label}: member {name!r} uses an unsupported compression; nothing was imported")
    if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
        raise UsageError(f"{label}: member {name!r} declares {info.file_size:,} bytes but stores "
                         f"{info.compress_size:,}; nothing was imported")
    if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise UsageError(f"{label}: member {name!r} would expand {info.file_size // max(info.compress_size, 1):,}-fold "
                         f"(a zip bomb?); nothing was imported")


def read_manifest(archive: zipfile.ZipFile, label: str) -> Manifest:
    """The archive's manifest, parsed and checked for shape, kind and format version."""
    try:
        info = archive.getinfo(MANIFEST_NAME)
    except KeyError:
        raise UsageError(f"{label} is not a GAN Explorer archive (no {MANIFEST_NAME} in it)") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise UsageError(f"{label}: {MANIFEST_NAME} is too large ({info.file_size:,} bytes)")
    import json

    try:
        with archive.open(info) as f:
            raw = json.loads(f.read(MAX_MANIFEST_BYTES + 1).decode("utf-8"))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RecursionError, NotImplementedError) as exc:
        raise UsageError(f"{label}: {MANIFEST_NAME} cannot be read ({type(exc).__name__})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise UsageError(f"{label}: {MANIFEST_NAME} is not a GAN Explorer archive manifest")
    version = raw.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise UsageError(f"{label}: {MANIFEST_NAME} has no valid format_version")
    if version > FORMAT_VERSION:
        raise UsageError(f"{label} is archive format {version}, made by GAN Explorer {raw.get('code_version')}; "
                         f"this code (version {_code_version()}) reads format {FORMAT_VERSION}: update it")
    if version != FORMAT_VERSION:
        raise UsageError(f"{label}: archive format {version} is unknown; this code reads format {FORMAT_VERSION}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise UsageError(f"{label}: {MANIFEST_NAME} has kind {kind!r}; expected one of {', '.join(KINDS)}")
    members = raw.get("members")
    if not isinstance(members, list) or not members or not all(
            isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("size"), int)
            and not isinstance(m.get("size"), bool) and m["size"] >= 0 and isinstance(m.get("sha256"), str)
            and re.fullmatch(r"[0-9a-f]{64}", m["sha256"]) for m in members):
        raise UsageError(f"{label}: {MANIFEST_NAME} lacks a valid member list")
    name = raw.get("name")
    if not isinstance(name, str):
        raise UsageError(f"{label}: {MANIFEST_NAME} names no {kind}")
    with_state = raw.get("with_state")
    return Manifest(kind=kind, name=name, code_version=str(raw.get("code_version")), created=str(raw.get("created")),
                    members=tuple(Member(m["name"], m["size"], m["sha256"]) for m in members),
                    with_state=with_state if isinstance(with_state, bool) else None)


def manifest_json(manifest: Manifest) -> bytes:
    import json

    body = {"format": FORMAT, "format_version": FORMAT_VERSION, "kind": manifest.kind, "name": manifest.name,
            "code_version": manifest.code_version, "created": manifest.created,
            "members": [{"name": m.name, "size": m.size, "sha256": m.sha256} for m in manifest.members]}
    if manifest.with_state is not None:
        body["with_state"] = manifest.with_state
    return (json.dumps(body, indent=2) + "\n").encode()


def _code_version() -> str:
    from gan_core import __version__

    return __version__
