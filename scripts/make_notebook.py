"""Write the hosted-GPU notebook (Colab, Kaggle) from the cells below, with nbformat.

    python scripts/make_notebook.py          # writes gan_core/cloud/train_on_gpu.ipynb and notebooks/train_on_gpu.ipynb

The package ships gan_core/cloud/train_on_gpu.ipynb (the Train page fills in its parameters cell:
gan_core/cloud/notebook.py); notebooks/train_on_gpu.ipynb is the same file for people who open it from the
repository. tests/test_notebook.py checks both are what this script writes, and runs the notebook.
"""

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from gan_core.cloud.notebook import parameters_source  # noqa: E402

OUTPUTS = (ROOT / "gan_core" / "cloud" / "train_on_gpu.ipynb", ROOT / "notebooks" / "train_on_gpu.ipynb")

INTRO = """# Train a GAN Explorer run on a hosted GPU (Colab, Kaggle)

This notebook trains one run of GAN Explorer on the GPU of a hosted notebook and gives you the run back as
one archive, to open in the app on your laptop (the Datasets page: *Import a run or dataset archive*) or with
`python -m gan_core.transfer import RUN.run.zip`.

1. **Upload** the files from the app's *Train on a cloud GPU* download beside this notebook: the dataset
   archive (`*.dataset.zip`) and, if there is one, the package wheel (`gan_explorer-*.whl`). On Colab: the
   folder icon on the left, then *Upload*. On Kaggle: *Add Input > Upload* (they appear under `/kaggle/input`).
2. **Choose a GPU**: Colab: *Runtime > Change runtime type > T4 GPU*. Kaggle: *Settings > Accelerator > GPU*.
3. **Run all** (*Runtime > Run all*). Training stops by itself after `MINUTES`, with a checkpoint. If the
   session ends early, run all again: the run continues from its last finished epoch.

Nothing here needs changing for the run the app filled in; the parameters are in the next cell."""

WHERE_MD = """## Where progress is kept

A hosted session can disconnect. The run folder is written where a disconnect does not lose it: on Colab,
your Google Drive (you are asked once; say no and it goes to `/content`, which lasts as long as the session);
on Kaggle, `/kaggle/working` (kept as the notebook's output when you *Save Version*). The dataset goes to
the machine's fast local disk: it is imported again in a new session, in seconds."""

WHERE = """import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ON_COLAB = "google.colab" in sys.modules or os.path.isdir("/content/sample_data")
ON_KAGGLE = os.path.isdir("/kaggle/working")
work = KEEP_PROGRESS_IN
if not work and ON_COLAB and USE_GOOGLE_DRIVE:
    try:
        from google.colab import drive
        drive.mount("/content/drive")
        work = "/content/drive/MyDrive/gan-explorer"
    except Exception as exc:  # refused, or no Drive: the session's own disk
        print(f"Google Drive not mounted ({exc}); progress stays in /content while this session lasts")
if not work and ON_KAGGLE:
    work = "/kaggle/working/gan-explorer"
if not work:
    work = "/content/gan-explorer" if ON_COLAB else "gan-explorer-work"
WORK = Path(work).resolve()
os.environ["GAN_CHECKPOINTS_DIR"] = str(WORK / "checkpoints")
os.environ["GAN_DATASETS_DIR"] = str(Path(tempfile.gettempdir()) / "gan-explorer-datasets")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
(WORK / "checkpoints").mkdir(parents=True, exist_ok=True)
print("runs are kept in", os.environ["GAN_CHECKPOINTS_DIR"])
print("datasets go to  ", os.environ["GAN_DATASETS_DIR"])


def beside_notebook(pattern):
    \"\"\"Files matching `pattern` uploaded beside the notebook (Colab: the working folder; Kaggle: its inputs).\"\"\"
    found = glob.glob(pattern) + glob.glob(os.path.join("/kaggle/input", "**", pattern), recursive=True)
    return sorted(found, key=os.path.getmtime)


def sh(*args):
    \"\"\"Run a command and show what it printed; if it fails, also its errors, and stop the notebook there.\"\"\"
    print("$", " ".join(map(str, args)).replace(sys.executable, "python"))
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    print(done.stdout.strip()[-4000:])
    if done.returncode != 0:
        print(done.stderr.strip()[-4000:])
        raise RuntimeError(f"{args[1] if len(args) > 1 else args[0]} ... failed ({done.returncode}); see above")"""

INSTALL_MD = """## Install GAN Explorer

A wheel uploaded beside the notebook is installed, else `SOURCE`. Colab and Kaggle already have TensorFlow
with the GPU libraries that match their drivers: pip is told to keep the TensorFlow and Keras that are there
(a fresh TensorFlow would be a 600 MB download that may not match the GPU driver)."""

INSTALL = """from importlib import metadata

wheels = beside_notebook("gan_explorer-*.whl")
target = wheels[-1] if wheels else SOURCE
if not target:
    raise FileNotFoundError("no gan_explorer-*.whl beside the notebook and no SOURCE: upload the wheel from the "
                            "app's download, or set SOURCE to the project's git URL")
keep = []
for name in ("tensorflow", "keras"):
    try:
        keep.append(f"{name}=={metadata.version(name)}")
    except metadata.PackageNotFoundError:
        pass
constraints = Path(tempfile.gettempdir()) / "keep-installed.txt"
constraints.write_text("\\n".join(keep) + "\\n")
print("installing", target, "keeping", ", ".join(keep) or "nothing")
sh(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", constraints, target,
   *PIP_OPTIONS.split())
sh(sys.executable, "-m", "gan_core.transfer", "--help")"""

DATA_MD = """## Bring the data

`DATA` is a dataset archive (made by the app or `gan-transfer export-dataset`), a zip of pictures, or a
video; the first is unpacked as it is, the others are imported as a new dataset (pictures squared and
resized to `IMPORT_OPTIONS['resolution']`; a video's frames taken `fps` per second)."""

DATA = """import zipfile

from gan_core.datasets.store import exists as dataset_exists


def flags(options):
    out = []
    for key, value in options.items():
        if value is not None:
            out += [f"--{key.replace('_', '-')}", str(value)]
    return out

run_dir = WORK / "checkpoints" / RUN
resuming = (run_dir / "config.json").exists()  # trained here before: continue it
if dataset_exists(DATASET):
    print(f"dataset {DATASET!r} is already here")
else:
    found = [DATA] if os.path.exists(DATA) else beside_notebook(os.path.basename(DATA))
    if not found:
        raise FileNotFoundError(f"{DATA} is not here: upload it beside the notebook (see the first cell)")
    data = found[-1]
    is_archive = zipfile.is_zipfile(data) and "gan-explorer.json" in zipfile.ZipFile(data).namelist()
    if is_archive:
        sh(sys.executable, "-m", "gan_core.transfer", "import", data, "--name", DATASET)
    elif zipfile.is_zipfile(data):
        sh(sys.executable, "-m", "gan_core.datasets", "import-images", data, "--name", DATASET, *flags(IMPORT_OPTIONS))
    else:
        sh(sys.executable, "-m", "gan_core.datasets", "import-video", data, "--name", DATASET, *flags(IMPORT_OPTIONS))
sh(sys.executable, "-m", "gan_core.datasets", "info", DATASET)"""

GPU_MD = """## Check the GPU

The trainer picks the device by itself (`gan_core/training/device.py`): on a GPU it trains in mixed
float16 with XLA; without one it trains on the CPU, which works but is slow (check the runtime type)."""

GPU = """if shutil.which("nvidia-smi"):
    print(subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv"],
                         capture_output=True, text=True).stdout)
else:
    print("no nvidia-smi: this session has no NVIDIA GPU")
# asked in a separate process: TensorFlow in this kernel would hold the GPU's memory the trainer needs
sh(sys.executable, "-c", "import tensorflow as tf; from gan_core.training import device; "
   "print('GPUs:', tf.config.list_physical_devices('GPU')); print('trains on:', device.setup().describe())")"""

TRAIN_MD = """## Train

The trainer runs in the background (`python -m gan_core.train ... --minutes MINUTES`); this cell only starts
it. If the run already exists where progress is kept, it is resumed with a new time limit instead."""

TRAIN = """command = [sys.executable, "-m", "gan_core.train", "--run", RUN]
if resuming:
    command += ["--resume"] + (["--epochs", str(SETTINGS["epochs"])] if SETTINGS.get("epochs") else [])
else:
    command += ["--dataset", DATASET] + flags(SETTINGS)
if MINUTES:
    command += ["--minutes", str(MINUTES)]
log_file = WORK / f"{RUN}.train.log"
print("resuming" if resuming else "starting", "run", RUN, "\\n$ python", " ".join(command[1:]))
# a session of its own: interrupting a cell of this notebook must not interrupt the trainer
trainer = subprocess.Popen(command, stdout=open(log_file, "a"), stderr=subprocess.STDOUT, start_new_session=True,
                           env={**os.environ, "PYTHONUNBUFFERED": "1"})"""

WATCH_MD = """## Watch it learn

Redrawn every `POLL_SECONDS`: the newest fixed-noise sample grid, the losses, epoch and time left.
Interrupting this cell (the stop button) only stops watching: the trainer goes on. To stop the trainer
early, run the *Stop early* cell further down; it keeps a checkpoint."""

WATCH = """import plotly.graph_objects as go
from IPython.display import Image, clear_output, display

from gan_core.core.runs import Run


def show(run):
    status, rows = run.status(), run.metrics()
    epoch, epochs = status.get("epoch") or 0, status.get("epochs") or "?"
    line = f"{status.get('state', 'starting')}: epoch {epoch} of {epochs}, step {status.get('step') or 0:,}"
    if status.get("images_per_sec"):
        line += f", {status['images_per_sec']:,.0f} images/s"
    if status.get("eta_seconds") and status.get("state") == "running":
        line += f", about {status['eta_seconds'] / 60:.0f} min left"
    if status.get("deadline") and status.get("state") == "running":
        line += f" (stops after the epoch in progress at {status['deadline']} UTC)"
    print(line, "\\n", status.get("device") or "")
    shown = run.sample_epochs()
    if shown:
        print(f"samples after epoch {shown[-1]}")
        display(Image(filename=str(run.sample_file(shown[-1]))))
    if rows:
        fig = go.Figure(layout=dict(height=300, width=700, margin=dict(l=40, r=10, t=30, b=30),
                                    title="losses", xaxis_title="step"))
        for key in ("g_loss", "d_loss"):
            fig.add_scatter(x=[r["step"] for r in rows], y=[r.get(key) for r in rows], name=key, mode="lines")
        display(fig)


run = Run(RUN)
try:
    while trainer.poll() is None:
        time.sleep(POLL_SECONDS if run.status().get("state") == "running" else 2)
        clear_output(wait=True)
        show(run)
except KeyboardInterrupt:
    print("stopped watching; the trainer goes on (run this cell again to watch)")
    raise  # so that "Run all" stops here too, instead of going on to wait in the export cell
else:
    clear_output(wait=True)
    show(run)
    print("".join(open(log_file).readlines()[-5:]))
    print("the trainer exited with", trainer.returncode)"""

STOP_MD = """## Stop early (only if you want to)

Set `STOP_NOW = True` and run this cell to ask the trainer to stop at its next step, with a checkpoint,
exactly as the app's Stop button does. As it is, it stops nothing: the time limit stops the run."""

STOP = """STOP_NOW = False
if STOP_NOW and trainer.poll() is None:
    Run(RUN).request_stop()
    trainer.wait()
print("the trainer is", "still running" if trainer.poll() is None else f"done ({Run(RUN).status().get('state')})")"""

EXPORT_MD = """## Take the run home

The whole run (settings, curves, sample grids, generators and the training state, so it can be resumed
anywhere) as one archive. Import it in the app (*Datasets > Import a run or dataset archive*) or with
`python -m gan_core.transfer import RUN.run.zip`."""

EXPORT = """trainer.wait()
archive = WORK / f"{RUN}.run.zip"
sh(sys.executable, "-m", "gan_core.transfer", "export-run", RUN, "--out", archive)
try:
    from google.colab import files
    files.download(str(archive))
except ImportError:
    where = "the notebook's Output tab after Save Version" if ON_KAGGLE else "this folder"
    print(f"the run archive is {archive} ({archive.stat().st_size / 2**20:.1f} MB): download it from {where}")"""


def build() -> nbformat.NotebookNode:
    parameters = new_code_cell(parameters_source(), metadata={"tags": ["parameters"]})
    cells = [new_markdown_cell(INTRO), parameters,
             new_markdown_cell(WHERE_MD), new_code_cell(WHERE),
             new_markdown_cell(INSTALL_MD), new_code_cell(INSTALL),
             new_markdown_cell(DATA_MD), new_code_cell(DATA),
             new_markdown_cell(GPU_MD), new_code_cell(GPU),
             new_markdown_cell(TRAIN_MD), new_code_cell(TRAIN),
             new_markdown_cell(WATCH_MD), new_code_cell(WATCH),
             new_markdown_cell(STOP_MD), new_code_cell(STOP),
             new_markdown_cell(EXPORT_MD), new_code_cell(EXPORT)]
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "accelerator": "GPU", "colab": {"provenance": [], "gpuType": "T4"}})
    for k, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{k:02d}"  # stable ids: the file changes only when a cell does
    nbformat.validate(notebook)
    return notebook


def text() -> str:
    return nbformat.writes(build()) + "\n"


if __name__ == "__main__":
    for path in OUTPUTS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text(), encoding="utf-8")
        print("wrote", path.relative_to(ROOT))
