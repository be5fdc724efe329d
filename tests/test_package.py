"""`pip install` of the project: the wheel holds the app, the commands work from any folder, the ranges hold.

The wheel is built from a copy of the checkout (so the build leaves nothing in it) and installed into a fresh
virtual environment outside the checkout. That environment sees the project's own environment's packages
through a `.pth` file and installs with `--no-index`: pip must find every declared dependency already there
(the pinned set of requirements.txt satisfies the declared ranges) and downloads nothing.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP_LEFT_OUT = {".venv", ".git", "checkpoints", "datasets", "test-artifacts", "build", "dist", ".pytest_cache",
                ".ruff_cache", "tests", "docs", "gan_explorer.egg-info"}
COMMANDS = ["gan-explorer", "gan-train", "gan-generate", "gan-datasets", "gan-evaluate", "gan-timelapse",
            "gan-complexity", "gan-bench", "gan-transfer"]


APP_CHECK = """
import json
from streamlit.testing.v1 import AppTest
from ui.app_files import app_script
at = AppTest.from_file(str(app_script()), default_timeout=120)
at.run()
at.switch_page("pages/epochs.py")
at.run()
links = [e for e in at.sidebar if getattr(e, "type", None) == "page_link"]
print(json.dumps({"exceptions": [str(e.value) for e in at.exception], "menu": len(links),
                  "pictures": bool(at.get("image"))}))
"""


def run(args: list, **kwargs) -> subprocess.CompletedProcess:
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)
    assert p.returncode == 0, f"{args} exited {p.returncode}:\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    return p


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("package")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=lambda folder, names: {
        n for n in names if n == "__pycache__" or (Path(folder) == ROOT and n in TOP_LEFT_OUT)})
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", base / "wheels", source], cwd=base)
    wheel = next((base / "wheels").glob("gan_explorer-*.whl"))
    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "project-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # the deps, not reinstalled
    p = run([python, "-m", "pip", "install", "--no-index", wheel], cwd=base)
    assert "Successfully installed gan-explorer-" in p.stdout
    return {"base": base, "wheel": wheel, "venv": venv, "python": python, "site": site}


def test_the_wheel_holds_the_packages_and_the_app_beside_its_pages(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert "ui/app/app.py" in names and ".streamlit" not in {n.split("/")[0] for n in names}
    assert {f"ui/app/pages/{p.name}" for p in (ROOT / "pages").glob("*.py")} <= set(names)
    assert "ui/app/.streamlit/config.toml" in names
    assert {"gan_core/transfer/__init__.py", "gan_core/datasets/builtin/cartoon_faces.py", "ui/server.py"} <= set(names)
    top = {n.split("/")[0] for n in names}
    assert top == {"gan_core", "ui", next(n for n in top if n.endswith(".dist-info"))}  # no `app`, no `pages`
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    scripts = zipfile.ZipFile(installed["wheel"]).read(entry_points).decode()
    assert all(f"{c} = " in scripts for c in COMMANDS)


def test_the_commands_build_and_train_from_any_folder(installed, tmp_path):
    bin_ = installed["venv"] / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(GAN_DATASETS_DIR=str(tmp_path / "ds"), GAN_CHECKPOINTS_DIR=str(tmp_path / "ck"),
               TF_CPP_MIN_LOG_LEVEL="3", GAN_XLA_AUTO="off", GAN_CPU_BF16="off")
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    run([bin_ / "gan-datasets", "build", "cartoon-faces", "--count", "64", "--resolution", "32"], cwd=cwd, env=env)
    run([bin_ / "gan-train", "--dataset", "cartoon-faces", "--run", "tiny", "--epochs", "1", "--resolution", "32",
         "--batch-size", "32"], cwd=cwd, env=env)
    status = json.loads((tmp_path / "ck" / "tiny" / "status.json").read_text())
    assert status["state"] == "finished" and (tmp_path / "ck" / "tiny" / "samples" / "epoch_0001.png").is_file()
    exported = json.loads(run([bin_ / "gan-transfer", "export-run", "tiny", "--json"], cwd=cwd, env=env).stdout)
    assert Path(cwd, exported["archive"]).is_file()

    where = run([installed["python"], "-c", "import gan_core, ui.app_files as a; print(gan_core.__file__); "
                 "print(a.app_script())"], cwd=cwd, env=env).stdout.split()
    assert all(Path(w).is_relative_to(installed["site"]) for w in where), where  # the venv's copy, not the checkout
    assert Path(where[1]).is_file() and (Path(where[1]).parent / "pages" / "epochs.py").is_file()
    help_text = run([bin_ / "gan-explorer", "--help"], cwd=cwd, env=env).stdout
    assert where[1] in help_text and str(tmp_path / "ck") in help_text
    drawn = run([installed["python"], "-c", APP_CHECK], cwd=cwd, env=env).stdout.strip().splitlines()[-1]
    assert json.loads(drawn) == {"exceptions": [], "menu": 7, "pictures": True}
    bad = subprocess.run([bin_ / "gan-transfer", "import", "nothing.zip"], cwd=cwd, env=env, capture_output=True,
                         text=True)
    assert bad.returncode == 2 and bad.stderr.strip() == "error: no such archive: nothing.zip"
