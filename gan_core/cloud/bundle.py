"""One download for training on a hosted GPU: the notebook filled in, the dataset archive, and a wheel.

The Train page offers it: unzip, upload the files beside the notebook in Colab or Kaggle, run all. The wheel
is built from this checkout (`pip wheel --no-deps --no-build-isolation`, in a copy, so the checkout gets no
build/ folder) once per code version and kept in the temporary folder; an installed copy with no checkout
beside it makes no wheel, and the notebook then installs its `SOURCE` instead.
"""

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from gan_core.cloud.notebook import filled_notebook

CHECKOUT = Path(__file__).resolve().parents[2]
# what a wheel is built from (pyproject.toml, setup.py and MANIFEST.in say what goes in)
WHEEL_SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "requirements.txt", "app.py",
                 "gan_core", "ui", "pages", ".streamlit/config.toml")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
NOTEBOOK = "train_on_gpu.ipynb"
HOW_TO = """How to train on a hosted GPU with these files (docs/cloud-gpu.md says more):
1. Colab: open colab.research.google.com, File > Upload notebook: {notebook}; Kaggle: kaggle.com > Create >
   New notebook > File > Import notebook.
2. Pick a GPU (Colab: Runtime > Change runtime type > T4 GPU; Kaggle: Settings > Accelerator), then upload
   {others} beside the notebook (Colab: the folder icon; Kaggle: Add Input > Upload).
3. Run all. It stops by itself after the time set in its first cell and downloads {run}.run.zip: import it in
   the app (Datasets page: Import a run or dataset archive) or with
   python -m gan_core.transfer import {run}.run.zip
"""


def code_version() -> str | None:
    """A hash of every file a wheel is built from, or None when this is not a checkout (an installed copy)."""
    if not (CHECKOUT / "pyproject.toml").is_file() or not (CHECKOUT / "setup.py").is_file():
        return None
    digest = hashlib.sha256()
    for name in WHEEL_SOURCES:
        path = CHECKOUT / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if path.is_dir() else [path] if path.is_file() else []
        for f in files:
            digest.update(f.relative_to(CHECKOUT).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def copy_sources(dest: Path) -> Path:
    """The checkout's package files copied to `dest` (a build writes into its source folder, never the checkout)."""
    for name in WHEEL_SOURCES:
        path = CHECKOUT / name
        if path.is_dir():
            shutil.copytree(path, dest / name, ignore=SKIP)
        elif path.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / name)
    return dest


def package_wheel(cache: Path | None = None) -> Path | None:
    """This checkout as a wheel, built once per code version (None if it cannot be built here)."""
    version = code_version()
    if version is None:
        return None
    folder = (cache or Path(tempfile.gettempdir()) / "gan-explorer-wheels") / version
    built = sorted(folder.glob("gan_explorer-*.whl"))
    if built:
        return built[-1]
    with tempfile.TemporaryDirectory(prefix="gan-wheel-") as tmp:
        source = copy_sources(Path(tmp) / "src")
        out = Path(tmp) / "out"
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                               "--no-index", "--quiet", str(source), "-w", str(out)],
                              capture_output=True, text=True, timeout=600)
        wheels = sorted(out.glob("gan_explorer-*.whl"))
        if done.returncode != 0 or not wheels:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / wheels[-1].name
        shutil.move(str(wheels[-1]), final)  # within one temporary folder tree: whole or absent
        return final


def cloud_bundle(settings: dict, *, minutes: float | None = None, wheel: bool = True) -> bytes:
    """The zip to upload to a hosted GPU for `settings` (the run's name, its dataset, trainer flags)."""
    from gan_core.transfer import default_file_name, export_dataset

    dataset_file = default_file_name("dataset", settings["dataset"])
    with tempfile.TemporaryDirectory(prefix="gan-bundle-") as tmp:
        archive = export_dataset(settings["dataset"], Path(tmp) / dataset_file)
        package = package_wheel() if wheel else None
        others = " and ".join([dataset_file] + ([package.name] if package else []))
        out = Path(tmp) / "bundle.zip"
        with zipfile.ZipFile(out, "w") as z:
            z.writestr(NOTEBOOK, filled_notebook(settings, dataset_file, minutes=minutes), zipfile.ZIP_DEFLATED)
            z.write(archive, dataset_file, zipfile.ZIP_STORED)  # zips inside: deflating again gains nothing
            if package:
                z.write(package, package.name, zipfile.ZIP_STORED)
            z.writestr("HOW-TO.txt", HOW_TO.format(notebook=NOTEBOOK, others=others, run=settings["run"]),
                       zipfile.ZIP_DEFLATED)
        return out.read_bytes()
