"""The hosted-GPU notebook, run end to end on this CPU with nbclient, as Colab would run it (no GPU here).

The kernel runs in a fresh virtual environment that sees the shared one's packages through a `.pth` file, so
the notebook's install cell installs GAN Explorer FROM A COPY OF THIS CHECKOUT for real (`pip install
--no-index --no-build-isolation`: nothing is downloaded, TensorFlow is kept) and every later cell imports that
installed copy, not the checkout. It imports a tiny dataset archive, trains with a time limit, shows progress,
exports the run archive; a second run of the notebook resumes the run. The archive then imports elsewhere and
generates.
"""

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest
from helpers import read_json

from gan_core.cloud.notebook import PARAMETERS, filled_notebook, parameters_cell, parameters_source, read_template

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_notebook.py"
TINY = {"resolution": 32, "epochs": 5000, "batch_size": 32, "width": 8, "latent_dim": 16}


def test_the_notebook_files_are_what_the_generator_writes():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import make_notebook
    finally:
        sys.path.remove(str(SCRIPT.parent))
    for path in make_notebook.OUTPUTS:
        assert path.read_text(encoding="utf-8") == make_notebook.text(), f"{path}: run python {SCRIPT.name}"
    nbformat.validate(nbformat.reads(make_notebook.text(), as_version=4))
    assert "".join(parameters_cell(read_template())["source"]) == parameters_source()


def test_filled_notebook_names_the_dataset_and_settings():
    settings = {"dataset": "ducks", "run": "ducks-gpu", "arch": "sngan-da", "resolution": 64, "epochs": 300,
                "max_images": None, "spectral_norm": False}
    notebook = nbformat.reads(filled_notebook(settings, "ducks.dataset.zip", minutes=45).decode(), as_version=4)
    nbformat.validate(notebook)
    values = {}
    exec(parameters_cell(notebook).source, values)  # the cell is plain Python assignments
    assert values["DATA"] == "ducks.dataset.zip" and values["DATASET"] == "ducks" and values["RUN"] == "ducks-gpu"
    assert values["SETTINGS"] == {"arch": "sngan-da", "resolution": 64, "epochs": 300, "spectral_norm": False}
    assert values["MINUTES"] == 45.0 and set(PARAMETERS) <= set(values)
    with pytest.raises(ValueError, match="unknown notebook parameters: NOPE"):
        parameters_source({"NOPE": 1})


def kernel_venv(base: Path) -> Path:
    """A fresh venv whose Python also sees the shared venv's site-packages (a .pth line), and a kernelspec for it."""
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "shared-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    spec = base / "jupyter" / "kernels" / "fresh-venv"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "fresh venv", "language": "python"}))
    return python


def checkout_copy(base: Path) -> Path:
    """What the notebook installs from: this checkout's package files (a build writes into its source)."""
    from gan_core.cloud.bundle import copy_sources

    return copy_sources(base / "checkout")


ARTIFACTS = ROOT / "test-artifacts" / "notebook"


def run_notebook(notebook: nbformat.NotebookNode, folder: Path, name: str) -> nbformat.NotebookNode:
    """Execute every cell as "Run all" does; the executed notebook is kept under test-artifacts/ to look at."""
    from nbclient import NotebookClient

    try:
        NotebookClient(notebook, kernel_name="fresh-venv", timeout=900,
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, ARTIFACTS / name)
        print("executed notebook:", ARTIFACTS / name)
    return notebook


def outputs(notebook) -> str:
    return "\n".join(o.get("text", "") if o.get("output_type") == "stream" else json.dumps(o.get("data", {}))[:400]
                     for c in notebook.cells if c.cell_type == "code" for o in c.outputs)


def test_the_notebook_trains_resumes_and_exports_a_run(tiny_run, tmp_path, monkeypatch):
    from gan_core.transfer import export_dataset, import_archive

    here = tmp_path / "notebook-folder"  # the notebook's working folder, where files are uploaded
    here.mkdir()
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tiny_run["datasets_dir"]))
    export_dataset("cartoon-faces", here / "faces.dataset.zip")
    python = kernel_venv(tmp_path)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "machine-tmp"))  # where the notebook puts datasets
    (tmp_path / "machine-tmp").mkdir()
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in ("GAN_DATASETS_DIR", "GAN_CHECKPOINTS_DIR", "PYTHONPATH"):
        monkeypatch.delenv(name, raising=False)
    keep = tmp_path / "drive"
    values = {"DATA": "faces.dataset.zip", "DATASET": "faces", "RUN": "nb-run", "SETTINGS": TINY, "MINUTES": 0.01,
              "KEEP_PROGRESS_IN": str(keep), "USE_GOOGLE_DRIVE": False, "SOURCE": str(checkout_copy(tmp_path)),
              "PIP_OPTIONS": "--no-index --no-build-isolation", "POLL_SECONDS": 1}
    from gan_core.cloud.notebook import with_parameters

    notebook = nbformat.reads(json.dumps(with_parameters(values)), as_version=4)
    first = outputs(run_notebook(notebook, here, "first-session.ipynb"))
    assert "starting run nb-run" in first and "the trainer exited with 0" in first
    run = keep / "checkpoints" / "nb-run"
    status = read_json(run / "status.json")
    assert status["state"] == "stopped" and status["stopped_by"] == "time" and 1 <= status["epoch"] < 5000
    assert "image/png" in first and "g_loss" in first  # the sample grid and the loss curves were shown
    installed = subprocess.run([str(python), "-c", "import gan_core; print(gan_core.__file__)"], cwd=tmp_path,
                               capture_output=True, text=True, check=True).stdout
    assert str(tmp_path / "venv") in installed  # the kernel used the installed copy, not the checkout
    assert (keep / "nb-run.run.zip").is_file() and f"the run archive is {keep / 'nb-run.run.zip'}" in first

    notebook = nbformat.reads(json.dumps(with_parameters(values)), as_version=4)
    # a new session: the run is where progress is kept, and is resumed
    second = outputs(run_notebook(notebook, here, "second-session.ipynb"))
    assert "imported dataset 'faces'" in first and "dataset 'faces' is already here" in second
    assert "resuming run nb-run" in second
    again = read_json(run / "status.json")
    assert again["state"] == "stopped" and again["epoch"] > status["epoch"]

    elsewhere = {"datasets": tmp_path / "laptop" / "datasets", "checkpoints": tmp_path / "laptop" / "checkpoints"}
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(elsewhere["checkpoints"]))
    monkeypatch.setenv("GAN_DATASETS_DIR", str(elsewhere["datasets"]))
    assert import_archive(keep / "nb-run.run.zip") == ("run", "nb-run")
    assert read_json(elsewhere["checkpoints"] / "nb-run" / "status.json")["epoch"] == again["epoch"]
    from gan_core.generate import main as generate  # in this process: test_models runs its command line

    assert generate(["nb-run", "--count", "4", "--out", str(tmp_path / "generated")]) == 0
    assert len(list((tmp_path / "generated").glob("*.png"))) == 4
    with zipfile.ZipFile(keep / "nb-run.run.zip") as z:
        assert "state/latest.json" in z.namelist()  # resumable on the laptop too
    for made in (keep / "nb-run.run.zip", here / "faces.dataset.zip"):  # kept to open in a second checkout by hand
        shutil.copy(made, ARTIFACTS / made.name)
