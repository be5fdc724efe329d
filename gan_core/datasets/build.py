"""Making a built-in dataset: stream a generator's images into the store with progress."""

from gan_core.core.errors import UsageError
from gan_core.core.progress import Progress
from gan_core.datasets.builtin import BUILTIN
from gan_core.datasets.store import Dataset, DatasetWriter

BUILD_RESOLUTIONS = (32, 64, 128, 256)


def build(kind: str, *, count: int | None = None, resolution: int = 64, seed: int = 0, name: str | None = None,
          replace: bool = False, progress=None) -> Dataset:
    if kind not in BUILTIN:
        raise UsageError(f"no built-in dataset {kind!r}; choose one of: {', '.join(BUILTIN)}")
    spec = BUILTIN[kind]
    count = spec.default_count if count is None else count
    if count < 1:
        raise UsageError("--count must be at least 1")
    if spec.max_count is not None and count > spec.max_count:
        raise UsageError(f"{kind} has at most {spec.max_count} images")
    if resolution not in BUILD_RESOLUTIONS:
        raise UsageError(f"resolution {resolution} is not supported; choose one of {BUILD_RESOLUTIONS}")
    progress = progress or Progress(count)
    with DatasetWriter(name or kind, resolution, spec.channels, replace=replace, source=spec.source,
                       sources=[spec.source], kind="built-in", builtin=kind, description=spec.description,
                       how_made={"builder": kind, "count": count, "resolution": resolution, "seed": seed},
                       skipped=[]) as writer:
        for image in spec.generate(count, resolution, seed):
            writer.add(image)
            progress.update()
        progress.close()
        return writer.commit()
