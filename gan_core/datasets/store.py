"""The dataset store: square uint8 images in raw fixed-size shards, plus a JSON manifest.

Why raw shards: every image has the same byte size, so TensorFlow streams them with
`FixedLengthRecordDataset` (no Python per image, bounded memory however large the set), and numpy
reads any image at random with a memory map. A writer fills a hidden temporary folder and renames it
into place only when complete, so a crash or a cancelled import never leaves a half-made dataset.

Layout of `$GAN_DATASETS_DIR/<name>/`: `manifest.json`, `shard-00000.u8`, `shard-00001.u8`, ...
"""

import hashlib
import shutil
import time
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from gan_core.core.atomic import write_json
from gan_core.core.errors import UsageError
from gan_core.core.in_use import runs_using
from gan_core.core.paths import check_name, datasets_dir
from gan_core.core.schemas import DatasetManifest, read_checked, shape_problem

MANIFEST = "manifest.json"
SHARD_BYTES = 64 * 2**20  # ~64 MB per shard: few files, yet fine-grained enough to shuffle across


def dataset_path(name: str) -> Path:
    return datasets_dir() / check_name(name, "dataset name")


def list_datasets(damaged: bool = False) -> list["Dataset"]:
    """The usable datasets, by name; `damaged=True` lists the damaged ones instead (see `Dataset.problem`)."""
    root = datasets_dir()
    if not root.is_dir():
        return []
    found = []
    for child in sorted(root.iterdir()):
        if not child.name.startswith(".") and (child / MANIFEST).is_file():
            ds = Dataset(child)
            if (ds.problem() is not None) == damaged:
                found.append(ds)
    return found


def exists(name: str) -> bool:
    return (dataset_path(name) / MANIFEST).is_file()


def open_dataset(name: str) -> "Dataset":
    path = dataset_path(name)
    if not (path / MANIFEST).is_file():
        known = ", ".join(d.name for d in list_datasets()) or "none yet"
        raise UsageError(
            f"no dataset named {name!r} (known: {known}); "
            "build one with: python -m gan_core.datasets build cartoon-faces"
        )
    ds = Dataset(path)
    if problem := ds.problem():
        raise UsageError(f"dataset {name!r} is damaged: {problem}; build or import it again (delete works)")
    return ds


def delete_dataset(name: str) -> None:
    """Delete a dataset, unless a run is queued or training on it (its trainer would die mid-epoch).

    A damaged dataset can be deleted too: that is the way out of it.
    """
    path = dataset_path(name)
    if not (path / MANIFEST).is_file():
        open_dataset(name)  # the "no dataset named ..." error
    busy = [r.name for r in runs_using(name)]
    if busy:
        raise UsageError(f"dataset {name!r} is in use by {', '.join(busy)} (queued or training); "
                         "stop it before deleting the dataset")
    trash = path.with_name(f".trash-{name}-{uuid.uuid4().hex[:8]}")
    path.rename(trash)  # atomic: the dataset vanishes whole, then the files go
    shutil.rmtree(trash, ignore_errors=True)


def _refuse_foreign(path: Path) -> None:
    """Never move away a file or folder under the datasets folder that is not a dataset (not ours)."""
    if (path.exists() or path.is_symlink()) and not (path.is_dir() and (path / MANIFEST).is_file()):
        raise UsageError(f"{path} exists and is not a dataset; move it away or choose another --name")


@dataclass(frozen=True)
class Dataset:
    """A finished dataset on disk (read-only)."""

    path: Path

    @cached_property
    def manifest(self) -> dict:
        """The manifest as written if it has the shape of `DatasetManifest`; {} if it is missing or damaged."""
        return read_checked(self.path / MANIFEST, DatasetManifest, {})

    @property
    def name(self) -> str:
        return self.path.name

    def problem(self) -> str | None:
        """What is wrong with this dataset on disk, in a few words; None if it can be read.

        Checks the manifest's shape and that every shard file holds exactly its images (a truncated
        shard would fail deep inside numpy's memory map or TensorFlow's reader).
        """
        if wrong := shape_problem(self.path / MANIFEST, DatasetManifest):  # `manifest.json: <field>: <why>`
            return wrong
        m, shards = self.manifest, self.manifest["shards"]
        if sum(s["count"] for s in shards) != m["count"]:
            return "manifest.json's shard counts do not add up to its count"
        size = m["resolution"] ** 2 * m["channels"]
        for s in shards:
            f = self.path / s["file"]
            if not f.is_file():
                return f"{s['file']} is missing"
            if f.stat().st_size != s["count"] * size:
                return f"{s['file']} is truncated or the wrong size"
        return None

    @property
    def count(self) -> int:
        return int(self.manifest["count"])

    @property
    def resolution(self) -> int:
        return int(self.manifest["resolution"])

    @property
    def channels(self) -> int:
        return int(self.manifest["channels"])

    @property
    def fingerprint(self) -> str:
        return self.manifest["fingerprint"]

    @property
    def image_bytes(self) -> int:
        return self.resolution * self.resolution * self.channels

    def shard_files(self) -> list[Path]:
        return [self.path / s["file"] for s in self.manifest["shards"]]

    def _shards(self) -> list[np.memmap]:
        r, c = self.resolution, self.channels
        m = self.manifest
        return [
            np.memmap(self.path / s["file"], dtype=np.uint8, mode="r", shape=(s["count"], r, r, c))
            for s in m["shards"]
        ]

    def images(self, indices) -> np.ndarray:
        """Images at the given global indices, as one uint8 array (N, R, R, C)."""
        shards = self._shards()
        starts = np.cumsum([0] + [len(s) for s in shards])
        out = np.empty((len(indices), self.resolution, self.resolution, self.channels), np.uint8)
        for k, i in enumerate(indices):
            s = int(np.searchsorted(starts, i, side="right") - 1)
            out[k] = shards[s][i - starts[s]]
        return out

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """`n` distinct images drawn at random (all of them if the set is smaller)."""
        rng = np.random.default_rng(seed)
        n = min(n, self.count)
        return self.images(np.sort(rng.choice(self.count, size=n, replace=False)))

    def iter_images(self):
        for shard in self._shards():
            yield from shard


class DatasetWriter:
    """Streams images into a new dataset; `commit()` publishes it, leaving the `with` early discards it.

    Memory stays bounded: each image goes straight to the open shard file.
    """

    def __init__(self, name: str, resolution: int, channels: int, *, replace: bool = False, **info):
        self.name = check_name(name, "dataset name")
        if channels not in (1, 3):
            raise UsageError(f"channels must be 1 (grey) or 3 (RGB), not {channels}")
        if exists(name) and not replace:
            raise UsageError(f"dataset {name!r} already exists; pass --replace to overwrite it")
        _refuse_foreign(dataset_path(name))
        if exists(name):
            if busy := [r.name for r in runs_using(name)]:
                raise UsageError(f"dataset {name!r} is in use by {', '.join(busy)} (queued or training); "
                                 "it cannot be replaced until that ends")
        self.resolution, self.channels, self.replace, self.info = resolution, channels, replace, info
        self.final = dataset_path(name)
        self.tmp = self.final.with_name(f".tmp-{name}-{uuid.uuid4().hex[:8]}")
        self.tmp.mkdir(parents=True)
        self.per_shard = max(1, SHARD_BYTES // (resolution * resolution * channels))
        self.shards: list[dict] = []
        self.count = 0
        self._file = None
        self._hash = hashlib.sha256(f"{resolution}x{channels}".encode())
        self._started = time.time()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None or self.tmp.exists():
            self.discard()
        return False

    def add(self, image: np.ndarray) -> None:
        r, c = self.resolution, self.channels
        image = np.asarray(image)
        if image.ndim == 2:
            image = image[..., None]
        if image.shape != (r, r, c) or image.dtype != np.uint8:
            raise ValueError(f"expected uint8 image {(r, r, c)}, got {image.dtype} {image.shape}")
        if self._file is None or self.shards[-1]["count"] >= self.per_shard:
            self._open_next_shard()
        data = np.ascontiguousarray(image).tobytes()
        self._file.write(data)
        self._hash.update(data)
        self.shards[-1]["count"] += 1
        self.count += 1

    def _open_next_shard(self) -> None:
        if self._file is not None:
            self._file.close()
        name = f"shard-{len(self.shards):05d}.u8"
        self._file = open(self.tmp / name, "wb")
        self.shards.append({"file": name, "count": 0})

    def commit(self, **extra) -> Dataset:
        """Write the manifest and move the finished dataset into place atomically."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if self.count == 0:
            self.discard()
            raise UsageError(f"no images to store in dataset {self.name!r}")
        manifest = {
            "name": self.name,
            "count": self.count,
            "resolution": self.resolution,
            "channels": self.channels,
            "fingerprint": self._hash.hexdigest()[:16],
            "shards": self.shards,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(time.time() - self._started, 2),
            **self.info,
            **extra,
        }
        write_json(self.tmp / MANIFEST, manifest)
        old = None
        try:
            _refuse_foreign(self.final)  # something else took the name while we worked
        except UsageError:
            self.discard()
            raise
        if self.final.exists():
            old = self.final.with_name(f".trash-{self.name}-{uuid.uuid4().hex[:8]}")
            self.final.rename(old)
        self.tmp.rename(self.final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return Dataset(self.final)

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        shutil.rmtree(self.tmp, ignore_errors=True)
