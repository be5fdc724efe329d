"""Pages opened at once on a freshly started server import their libraries without breaking them.

CPython cannot import scikit-learn, SciPy or TensorFlow with Keras from several threads at once (a
`_DeadlockError`, or a module left half-initialised for the server's lifetime); `ui/preload.py` is each
page's first import, so one thread imports them while the others wait.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]

RACE = r"""
import ast, json, sys, threading, traceback
sys.path.insert(0, ROOT)
pages = json.loads(sys.argv[1])
LATER = ["sklearn.metrics", "tensorflow", "keras", "sklearn.neighbors", "scipy.ndimage", "skimage.feature",
         "gan_core.metrics", "gan_core.complexity.measures"]
barrier, errors = threading.Barrier(len(pages)), []

def imports_of(path):  # a page's leading import statements: what Streamlit runs first in its script thread
    body = ast.parse(open(path).read()).body
    lead = [n for n in body if isinstance(n, (ast.Import, ast.ImportFrom))
            or (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    return compile(ast.Module(body=lead[: next((i for i, n in enumerate(body) if n not in lead), len(body))],
                              type_ignores=[]), path, "exec")

def open_page(path, later):
    code = imports_of(path)
    barrier.wait()
    try:
        exec(code, {"__name__": "__page__"})
        __import__(later)  # what the page's code then imports inside its functions
    except Exception as exc:
        errors.append(f"{path}, then {later}: {type(exc).__name__}: {exc}")

threads = [threading.Thread(target=open_page, args=(p, LATER[i % len(LATER)])) for i, p in enumerate(pages)]
[t.start() for t in threads]
[t.join() for t in threads]
print(json.dumps(errors))
"""


def test_every_page_imports_the_preload_first():
    for page in PAGES:
        first = next(n for n in ast.parse(page.read_text()).body if isinstance(n, ast.Import | ast.ImportFrom))
        assert isinstance(first, ast.Import) and first.names[0].name == "ui.preload", page.name


def test_pages_opened_at_once_on_a_fresh_process_import_cleanly(tmp_path):
    """Each thread runs a page's imports, then imports a library the pages load lazily (scikit-learn, TensorFlow,
    Keras, SciPy...). The pages as they were before the preload raced into `_DeadlockError` in 5 of 5 tries."""
    env_code = RACE.replace("ROOT", repr(str(ROOT)))
    pages = [str(p) for p in PAGES + PAGES[:1]]  # eight threads: one more than pages, twice the Home page
    result = subprocess.run([sys.executable, "-c", env_code, json.dumps(pages)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3", "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_the_server_has_imported_them_before_anyone_visits(tmp_path):
    """`python -m ui.server` (how the app is started) imports the preload before it answers: the first people
    to open a page do not wait for TensorFlow. `streamlit run app.py` alone would fail this (it imports nothing
    until a session runs a page)."""
    from conftest import streamlit_server

    from scripts import served_app

    with streamlit_server(tmp_path / "datasets", tmp_path / "checkpoints") as url:
        maps = Path(f"/proc/{served_app.SERVERS[url].pid}/maps").read_text()
    assert "_pywrap_tensorflow_internal" in maps and "sklearn" in maps
