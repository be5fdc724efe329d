"""The shape of every JSON file the app reads, one pydantic model per file kind, and the readers that check it.

Why: being JSON is not enough. A hand edit or another tool can leave `7` in a log, `"3"` where a number
belongs, `null`, a list, a missing key; code past the reader must never meet such a value (a traceback,
a run that can never be resumed). So every reader checks the shape here, and:

- a whole-file kind (config, status, state, manifest) of the wrong shape reads as damaged, named in one line
  as `<file>: <field>: <why>` (`shape_problem`), and commands refuse it;
- a log row (`metrics.jsonl`, `epochs.jsonl`) of the wrong shape is skipped and named as `<file>:<line>: <why>`
  (`read_rows`), never fatal: a damaged line must not end a run.

Why pydantic (v2): the models are plain annotated classes that read like the contract they are, and also
generate the table in docs/run-directory.md (tests/test_file_shapes.py checks the two agree); its errors carry
the field's path, which the one-line messages need; `strict=True` refuses `"3"` for a number and `true` for a
count; the Rust core checks a 100k-line metrics log in about a second. msgspec is faster but reports errors
less precisely and is less known; jsonschema keeps schemas as dicts beside the code and is several times slower.

Rows allow keys beyond the known ones (each GAN family logs its own loss series), but those must be numbers
or null; non-finite numbers are allowed where the trainer writes them (a diverging loss is logged as it is).
"""

import json
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

STATES = ("queued", "running", "finished", "failed", "stopped")

Count = Annotated[int, Field(ge=0, le=2**53)]  # beyond, no run counts; tables and charts take int64 or float
Positive = Annotated[int, Field(ge=1)]
Number = float  # strict: an int or a float, never a string or a bool; NaN and infinity allowed
FileName = Annotated[str, Field(min_length=1, pattern=r"^[^/\\]+$")]


class _Shape(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow", allow_inf_nan=True)


class RunConfig(_Shape):
    """`config.json`: every setting of the run (`TrainConfig`) and what the trainer found when it started."""

    dataset: str = Field(description="the dataset's name in the dataset store")
    run: str = Field(description="the run's name (its folder)")
    arch: str = Field("dcgan", description="the GAN family (`gan_core.models`)")
    epochs: Positive = Field(description="epochs to train")
    resolution: Literal[32, 64, 128, 256] = Field(description="image side in pixels")
    channels: Literal[1, 3] = Field(description="1 (grey) or 3 (colour)")
    batch_size: Positive
    max_images: Positive | None = Field(None, description="images of the dataset used (null: all)")
    save_every: Positive = Field(description="a generator is kept every this many epochs")
    seed: Annotated[int, Field(ge=0, lt=2**32)]
    lr_g: Annotated[float, Field(gt=0, lt=10)]
    lr_d: Annotated[float, Field(gt=0, lt=10)]
    beta1: Annotated[float, Field(ge=0, lt=1)]
    latent_dim: Positive
    width: Positive
    grid_side: Positive = Field(description="cells per side of the sample grid")
    xla: Literal["auto", "on", "off"] = "auto"
    precision: str = "auto"
    steps_per_execution: Positive = 8
    loss: str | None = None
    spectral_norm: bool | str | None = None
    augment: str | None = None
    augment_strength: float | None = None
    ema: float | None = None
    ema_rampup: float | None = None
    r1: float | None = None
    r1_every: Positive | None = None
    g_block: str | None = None
    dataset_fingerprint: str | None = Field(None, description="the dataset's fingerprint when the run started")
    dataset_count: Count | None = None
    dataset_resolution: Positive | None = None
    images_per_epoch: Positive | None = None
    steps_per_epoch: Positive | None = None
    created: str | None = Field(None, description="when the run was first started (UTC, ISO 8601)")
    versions: dict[str, str] | None = Field(None, description="library versions")
    device: str | None = Field(None, description="the device, in words")
    device_kind: str | None = None
    precision_used: str | None = None
    xla_used: bool | None = None
    replicas: Positive | None = None


class Imported(_Shape):
    """`status.json`'s `imported`: where a run moved here from (`gan_core/transfer/`)."""

    at: str | None = Field(None, description="when it was imported")
    from_host: str | None = Field(None, description="the host it was trained on")
    code_version: str | None = Field(None, description="the GAN Explorer version that exported it")
    with_state: bool | None = Field(None, description="whether its training state came along (resumable)")


class RunStatus(_Shape):
    """`status.json`: how the run stands; rewritten atomically. The job queue lives here too (`queued_at`)."""

    state: Literal[STATES] = Field(description="queued, running, finished, failed or stopped")
    epoch: Count | None = Field(None, description="the last complete epoch")
    epochs: Positive | None = None
    step: Count | None = None
    steps_per_epoch: Positive | None = None
    epoch_progress: Annotated[float, Field(ge=0, le=1)] | None = None
    images_per_sec: Number | None = None
    eta_seconds: Number | None = None
    pid: Annotated[int, Field(ge=0)] | None = Field(None, description="the trainer's process id")
    host: str | None = Field(None, description="the trainer's host")
    device: str | None = None
    dataset: str | None = Field(None, description="a queued run's dataset (it has no config.json yet)")
    queued_at: str | None = Field(None, description="when it was queued: the queue's order")
    started: str | None = None
    updated: str | None = None
    finished: str | None = None
    error: str | None = Field(None, description="why it failed, in one line")
    stopped_by: Literal["time"] | None = Field(
        None, description="\"time\": its time limit (--minutes, --until) ended it")
    deadline: str | None = Field(None, description="when its time limit ends it (UTC)")
    imported: Imported | None = Field(None, description="set on a run moved here from another machine")


class MetricsRow(_Shape):
    """`metrics.jsonl`, one row per logged interval; further keys are the family's loss series (numbers or null)."""

    __pydantic_extra__: dict[str, Number | None] = Field(init=False)
    step: Count = Field(description="train steps so far")
    epoch: Count = Field(description="the epoch this interval belongs to (from 1)")
    g_loss: Number | None = None
    d_loss: Number | None = None
    d_real: Number | None = Field(None, description="mean D probability on real images")
    d_fake: Number | None = Field(None, description="mean D probability on generated images")
    images_per_sec: Number | None = None


class EpochRow(_Shape):
    """`epochs.jsonl`, one row per finished epoch: its mean losses, timing, scores (null when not scored), flags."""

    __pydantic_extra__: dict[str, Number | None] = Field(init=False)
    epoch: Count
    step: Count
    g_loss: Number | None = None
    d_loss: Number | None = None
    d_real: Number | None = None
    d_fake: Number | None = None
    seconds: Number | None = None
    images_per_sec: Number | None = None
    time: str | None = Field(None, description="when the epoch ended (UTC)")
    diversity: Number | None = None
    precision: Number | None = None
    recall: Number | None = None
    density: Number | None = None
    coverage: Number | None = None
    kid: Number | None = None
    ms_ssim: Number | None = None
    near_duplicates: Number | None = None
    mistaken_for_real: Number | None = None
    nearer_samples: Number | None = None
    score_seconds: Number | None = None
    flags: list[str] = Field(default_factory=list, description="`mode_collapse`, `diverging`")


class StateLatest(_Shape):
    """`state/latest.json`: which full-state file to resume from."""

    epoch: Count
    step: Count
    file: FileName = Field(description="a file in `state/`")


class Shard(_Shape):
    file: FileName
    count: Positive


class Skipped(_Shape):
    name: str
    reason: str


class Source(_Shape):
    name: str
    kind: str | None = None
    files: Count | None = None
    kept: Count | None = None
    frames: Count | None = None
    duration: float | None = None
    width: Positive | None = None
    height: Positive | None = None
    codec: str | None = None


class DatasetManifest(_Shape):
    """`datasets/<name>/manifest.json`: what the shards hold and where the images came from."""

    name: str | None = None
    count: Positive = Field(description="images in the dataset")
    resolution: Positive = Field(description="image side in pixels")
    channels: Literal[1, 3]
    fingerprint: str = Field(description="a hash of the images: a run names the version it trained on")
    shards: Annotated[list[Shard], Field(min_length=1)] = Field(
        description="at least one; their counts add up to `count`, each file holds `count` images")
    created: str | None = None
    seconds: Number | None = None
    kind: str | None = None
    builtin: str | None = None
    description: str | None = None
    source: str | Source | None = None
    sources: list[str | Source] | None = None
    skipped: list[Skipped] = Field(default_factory=list, description="files or frames left out, and why")
    how_made: dict[str, Any] | None = None


class XlaVerdict(_Shape):
    """One entry of the XLA probe's cache (`~/.cache/gan-explorer/xla-probe.json`)."""

    xla: bool


FavouriteZ = Annotated[list[Annotated[float, Field(allow_inf_nan=False)]], Field(min_length=1)]
"""One entry of `favourites.json` (`{name: z}`): a finite latent vector."""

FILE_KINDS = {  # file (as docs/run-directory.md names it) -> its model
    "config.json": RunConfig,
    "status.json": RunStatus,
    "metrics.jsonl": MetricsRow,
    "epochs.jsonl": EpochRow,
    "state/latest.json": StateLatest,
    "manifest.json": DatasetManifest,
}


# -- readers ----------------------------------------------------------------------------------------------
def _why(exc: ValidationError) -> str:
    """The first error as `field: why` (`top level` when the value itself is wrong)."""
    err = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in err["loc"]) or "top level"
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) or "input" not in err else \
        f" (got {json.dumps(got)[:40] if _jsonable(got) else repr(got)[:40]})"
    return f"{where}: {err['msg'][0].lower()}{err['msg'][1:]}{shown}"


def _jsonable(value) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def check(value, model: type[BaseModel]) -> str | None:
    """Why `value` does not fit `model` (`field: why`), or None if it fits."""
    if not isinstance(value, dict):
        return f"top level: should be an object, not {_kind(value)}"
    try:
        model.model_validate(value)
    except ValidationError as exc:
        return _why(exc)
    return None


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number")


def _load(path: Path):
    """(value, why-unreadable): the JSON object in `path`, or the reason it cannot be read as one."""
    from gan_core.core.atomic import damage

    try:
        value = json.loads(Path(path).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        value = None
    if isinstance(value, dict):
        return value, None
    # missing, unreadable, not JSON, or not an object: named as before (or it was fixed while we looked)
    return None, damage(path) or f"{Path(path).name} changed while it was read"


def shape_problem(path: Path, model: type[BaseModel]) -> str | None:
    """What is wrong with a whole-file kind, in one line naming the file and the field; None if it fits."""
    value, unreadable = _load(path)
    if unreadable:
        return unreadable
    why = check(value, model)
    return f"{Path(path).name}: {why}" if why else None


def read_checked(path: Path, model: type[BaseModel], default=None):
    """The file's object if it is readable and fits `model`; `default` if it is missing, unreadable or wrong."""
    value, unreadable = _load(path)
    if unreadable or check(value, model):
        return default
    return value


class Rows(list):
    """The rows of a log that fit its model, and `skipped`: one `<file>:<line>: <why>` per row that did not."""

    def __init__(self, rows=(), skipped=()):
        super().__init__(rows)
        self.skipped = list(skipped)


def read_rows(path: Path, model: type[BaseModel]) -> Rows:
    """Every row of a JSON-lines log that fits `model`, in order; the others are named in `.skipped`.

    A torn last line (a writer killed mid-line, or still writing) is not named: it is normal, and the next
    append starts a fresh line (`truncate_torn_line`). Rows come back as the dicts written (unknown keys kept).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError:
        return Rows()
    lines = data.split(b"\n")
    last = len(lines)  # after the last newline: nothing, a torn line (ignored silently) or a row without newline
    rows, skipped = [], []
    fits = _fits(model)
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        why = None
        try:
            row = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            why = "not UTF-8 text"
        except (ValueError, RecursionError):
            why = "not valid JSON"
        else:
            why = fits(row)
        if why and number == last:
            continue  # a torn last line
        if why:
            skipped.append(f"{path.name}:{number}: {why}")
        else:
            rows.append(row)
    return Rows(rows, skipped)


def _fits(model: type[BaseModel]):
    validate = model.__pydantic_validator__.validate_python

    def fits(row) -> str | None:
        if not isinstance(row, dict):
            return f"should be an object, not {_kind(row)}"
        try:
            validate(row)
        except ValidationError as exc:
            return _why(exc)
        return None

    return fits


def read_favourites(path: Path) -> dict[str, list[float]]:
    """`favourites.json`'s entries that are finite latent vectors (others are left out; the file may be damaged)."""
    value, unreadable = _load(path)
    if unreadable or not isinstance(value, dict):
        return {}
    adapter = TypeAdapter(FavouriteZ, config=ConfigDict(strict=True))
    found = {}
    for name, z in value.items():
        try:
            adapter.validate_python(z)
        except ValidationError:
            continue
        found[name] = z
    return found


# -- the contract in words (docs/run-directory.md) -------------------------------------------------------
DOC_KINDS = {**FILE_KINDS, "favourites.json": None, "xla-probe.json (cache)": XlaVerdict}


def _type_words(t) -> str:
    """A type annotation in the words of the doc: `integer >= 0 or null`, `list of text`, `one of 1, 3`."""
    origin, args = get_origin(t), get_args(t)
    if origin is Annotated:
        limits = [f"{_SIGNS[type(m).__name__]} {getattr(m, type(m).__name__.lower())}" for m in args[1:]
                  if type(m).__name__ in _SIGNS]
        limits += [f"{_SIGNS[type(m).__name__]} {getattr(m, type(m).__name__.lower())}" for f in args[1:]
                   for m in getattr(f, "metadata", []) if type(m).__name__ in _SIGNS]
        return " ".join([_type_words(args[0]), *limits])
    if origin in (Union, UnionType):
        return " or ".join(_type_words(a) for a in args)
    if origin is Literal:
        return "one of " + ", ".join(json.dumps(a) for a in args)
    if origin is list:
        return f"list of {_type_words(args[0])}"
    if origin is dict:
        return f"object of {_type_words(args[1])}"
    if isinstance(t, type) and issubclass(t, BaseModel):
        return "object (" + ", ".join(f"`{n}`" for n in t.model_fields) + ")"
    return _WORDS.get(t, getattr(t, "__name__", str(t)))


_SIGNS = {"Ge": ">=", "Gt": ">", "Le": "<=", "Lt": "<"}
_WORDS = {int: "integer", float: "number", str: "text", bool: "true/false", type(None): "null", Any: "any"}


def _field_rows(model: type[BaseModel]) -> list[str]:
    rows = []
    for name, f in model.model_fields.items():
        kind = _type_words(Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation)
        need = "required" if f.is_required() else f"`{json.dumps(f.get_default(call_default_factory=True))}`"
        rows.append(f"| `{name}` | {kind} | {need} | {f.description or ''} |")
    return rows


def schema_table() -> str:
    """Every file kind's fields, as Markdown: the generated part of docs/run-directory.md."""
    out = ["Generated from `gan_core/core/schemas.py` by `python scripts/schema_docs.py`; tests/test_file_shapes.py",
           "fails when the two disagree. Numbers may be written as integers; NaN and infinity are allowed where the",
           "trainer writes them (a diverging loss). A log row may carry further keys (a family's own series), which",
           "must be numbers or null.", ""]
    for kind, model in DOC_KINDS.items():
        if model is None:
            out += [f"### `{kind}`", "", "An object: a favourite's name -> its latent vector, a non-empty list of "
                    "finite numbers as long as the run's `latent_dim`; other entries are left out.", ""]
            continue
        doc = (model.__doc__ or "").strip().splitlines()[0]
        out += [f"### `{kind}`", "", doc, "", "| field | type | if absent | meaning |", "| --- | --- | --- | --- |",
                *_field_rows(model), ""]
    return "\n".join(out).rstrip() + "\n"
