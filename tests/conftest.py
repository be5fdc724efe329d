"""Shared fixtures: a real tiny dataset and a real tiny finished run, made once per test session.

They are made with the command lines (as a user would), in temporary folders, so tests never touch the
project's own `checkpoints/` and `datasets/`.
"""

import contextlib
import os
import shutil
import sys
from pathlib import Path

import helpers
import pytest

# `--xla auto` on a CPU measures XLA against the plain step once per model shape (gan_core/training/
# xla_probe.py): an XLA compile per tiny test run would outweigh the run. tests/test_xla_probe.py measures.
os.environ.setdefault("GAN_XLA_AUTO", "off")
# On a CPU with AMX, `--precision auto` trains in bfloat16 (gan_core/training/device.py): the suite's reference
# pictures were drawn in float32 and CI machines differ, so float32 everywhere unless a test asks.
os.environ.setdefault("GAN_CPU_BF16", "off")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `import app`, `ui`, `gan_core` however pytest was started

from scripts import served_app  # noqa: E402  (after the path above)
from scripts.served_app import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def cli_env(datasets_dir: Path, checkpoints_dir: Path) -> dict:
    """The environment for a `python -m gan_core...` or `streamlit run` child process."""
    return helpers.cli_env({"datasets": datasets_dir, "checkpoints": checkpoints_dir})


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> dict:
    """A 64-image cartoon-faces dataset at 32 px and a finished 1-epoch run `tiny` trained on it."""
    base = tmp_path_factory.mktemp("tiny_run")
    datasets_dir, checkpoints_dir = base / "datasets", base / "checkpoints"
    dirs = {"datasets": datasets_dir, "checkpoints": checkpoints_dir}
    helpers.cli(dirs, "gan_core.datasets", "build", "cartoon-faces", "--count", "64", "--resolution", "32")
    helpers.cli(dirs, "gan_core.train", "--dataset", "cartoon-faces", "--run", "tiny", "--epochs", "1",
                "--resolution", "32", "--batch-size", "32")
    return {"datasets_dir": datasets_dir, "checkpoints_dir": checkpoints_dir, "run": "tiny",
            "dataset": "cartoon-faces"}


@pytest.fixture
def empty_dirs(tmp_path, monkeypatch) -> Path:
    """Empty data folders, the env pointed there, no facilitator lock."""
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(tmp_path / "checkpoints"))
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tmp_path / "datasets"))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    return tmp_path


@pytest.fixture
def tiny_run_env(tiny_run, monkeypatch) -> dict:
    """The env pointed at the shared tiny run itself, for tests that only read it (no copy, no lock)."""
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(tiny_run["checkpoints_dir"]))
    monkeypatch.setenv("GAN_DATASETS_DIR", str(tiny_run["datasets_dir"]))
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    return tiny_run


@pytest.fixture
def tiny_dirs(tiny_run, tmp_path, monkeypatch) -> dict:
    """The tiny dataset and its finished run, copied so a test may change them, and the env pointed there."""
    d = {"datasets": tmp_path / "datasets", "checkpoints": tmp_path / "checkpoints"}
    shutil.copytree(tiny_run["datasets_dir"], d["datasets"])
    shutil.copytree(tiny_run["checkpoints_dir"], d["checkpoints"])
    monkeypatch.setenv("GAN_DATASETS_DIR", str(d["datasets"]))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(d["checkpoints"]))
    return d


@pytest.fixture
def queue_dirs(tiny_run, tmp_path, monkeypatch):
    """A private checkpoints folder beside a copy of the session's tiny dataset, one run training at a time."""
    d = {"datasets": tmp_path / "datasets", "checkpoints": tmp_path / "checkpoints"}
    shutil.copytree(tiny_run["datasets_dir"], d["datasets"])
    monkeypatch.setenv("GAN_DATASETS_DIR", str(d["datasets"]))
    monkeypatch.setenv("GAN_CHECKPOINTS_DIR", str(d["checkpoints"]))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.setenv("GAN_MAX_RUNNING", "1")
    return d


# -- the app in a real browser ------------------------------------------------------------------------
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@contextlib.contextmanager
def streamlit_server(datasets_dir: Path, checkpoints_dir: Path, start_timeout: float = 120, env: dict | None = None):
    """The app (`python -m ui.server`) on a free port with the data folders moved; yields the base URL, stops it
    after."""
    try:
        with served_app.serve({**cli_env(datasets_dir, checkpoints_dir), **(env or {})}, start_timeout) as url:
            yield url
    except served_app.AppDidNotStart as exc:
        pytest.fail(str(exc))


@contextlib.contextmanager
def chromium_page(width: int = 1600, height: int = 1000):
    """A page in the system's headless Chromium (Debian package); Playwright never downloads a browser."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` "
                    "(the browser tests use the Debian package, never a downloaded browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            page.add_init_script(SCRIPT_RUNS_JS)
            try:
                yield page
            except Exception:
                show_failure(page)
                raise
        finally:
            browser.close()


def show_failure(page) -> None:
    """What the page showed when a browser test failed: a screenshot, and its text in the test's output (CI keeps
    the log, not the pictures)."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "browser-test").split(" ")[0]
    name = test.rsplit("::", 1)[-1].replace("/", "-")[:80]
    with contextlib.suppress(Exception):
        screenshot(page, f"failed-{name}.png")
    with contextlib.suppress(Exception):
        text = page.get_by_test_id("stMain").inner_text(timeout=5_000)
        print(f"--- the page when {name} failed ---\n{text[-4000:]}")


IMAGES_LOADED = "() => [...document.images].every(img => img.complete && img.naturalWidth > 0)"


def _script_runs_js() -> str:
    """Counts, in the page, the reruns it asks for and the script runs the server starts and finishes.

    The page's own signs (the running icon, stale elements) appear only once the server has answered, so
    just after a typed value or a click they still say "idle" while the asked-for rerun has not begun. The
    websocket says it at once: a BackMsg `rerun_script` is sent, then a ForwardMsg `new_session` starts a run
    and a `script_finished` (other than "finished early for a rerun") ends it. Only the top-level protobuf
    field numbers are read, taken from Streamlit's own message descriptors.
    """
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    numbers = {"RERUN": BackMsg.DESCRIPTOR.fields_by_name["rerun_script"].number,
               "NEW_SESSION": ForwardMsg.DESCRIPTOR.fields_by_name["new_session"].number,
               "SCRIPT_FINISHED": ForwardMsg.DESCRIPTOR.fields_by_name["script_finished"].number,
               "EARLY": ForwardMsg.FINISHED_EARLY_FOR_RERUN}
    return "(() => {\n" + "".join(f"const {k} = {v};\n" for k, v in numbers.items()) + """
const runs = window.__streamlitRuns = {asked: 0, started: 0, finished: 0, seq: 0};
const bytesOf = d => d instanceof ArrayBuffer ? new Uint8Array(d)
  : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : null;
function fields(bytes) {  // [field number, varint value or null] of a message's top level
  const out = []; let i = 0;
  const varint = () => { let v = 0, scale = 1, b; do { b = bytes[i++]; v += (b & 0x7f) * scale; scale *= 128; }
                         while (b & 0x80 && i < bytes.length); return v; };
  while (i < bytes.length) {
    const tag = varint(), wire = tag % 8; let value = null;
    if (wire === 0) value = varint(); else if (wire === 2) { const length = varint(); i += length; }
    else if (wire === 1) i += 8; else if (wire === 5) i += 4; else break;
    out.push([Math.floor(tag / 8), value]);
  }
  return out;
}
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  const b = bytesOf(data);
  if (b && fields(b).some(([f]) => f === RERUN)) runs.asked = ++runs.seq;
  return send.call(this, data);
};
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", event => {
      const b = bytesOf(event.data);
      for (const [f, v] of b ? fields(b) : []) {
        if (f === NEW_SESSION) runs.started = ++runs.seq;
        if (f === SCRIPT_FINISHED && v !== EARLY) runs.finished = ++runs.seq;
      }
    });
  }
};
})();"""


SCRIPT_RUNS_JS = _script_runs_js()
IDLE_JS = """() => {
  const runs = window.__streamlitRuns;  // absent in a page not opened by chromium_page(): its signs alone
  const idle = (!runs || (runs.started > runs.asked && runs.finished > runs.started))
    && !document.querySelector('[data-testid=stStatusWidgetRunningIcon]')
    && !document.querySelector('[data-stale=true]')
    && document.getAnimations().every(a => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity);
  const now = performance.now();
  if (!idle) { window.__idleSince = null; return false; }
  window.__idleSince = window.__idleSince ?? now;
  return now - window.__idleSince >= 150;
}"""


def wait_until_idle(page, timeout: float = 120_000) -> None:
    """Wait until the page has settled: the last rerun it asked for has run to its end (no stale element left),
    nothing is moving, and it has stayed so for 150 ms.

    A click landing while a rerun runs, or while an expander still unfolds (a 0.5 s animation that keeps the
    widgets in it clipped), can be lost: nothing happens. While a rerun runs the page still shows the previous
    run's elements (marked stale): a download button among them points at a media file the new run drops, so
    clicking it cancels the download. The 150 ms cover a typed value's rerun, which the page asks for a frame or
    two after the key press.
    """
    page.evaluate("() => { window.__idleSince = null; }")
    page.wait_for_function(IDLE_JS, timeout=timeout)


def screenshot(page, name: str) -> Path:
    """The whole page into `test-artifacts/screenshots/<name>`; returns (and prints) the path.

    Streamlit scrolls inside its main section, not the document, so a "full page" shot alone would stop
    at the window: the window is made as tall as the content for the shot, then put back.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    viewport = page.viewport_size
    height = page.evaluate("() => (document.querySelector('[data-testid=stMain]') || document.documentElement)"
                           ".scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], int(height))})
    try:
        page.wait_for_timeout(500)  # let the layout settle at the new size
        page.wait_for_function(IMAGES_LOADED)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
    print(f"screenshot: {path}")
    return path
