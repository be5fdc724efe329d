"""The app served on 127.0.0.1 for the browser tests and the load benchmark: one way to start it.

`serve(env)` runs the app (`python -m ui.server`: `streamlit run app.py`, its libraries preloaded) on a
free loopback port, waits until it answers its health check (bounded), yields the base URL and stops the
server after, whatever happened. Both the tests (tests/conftest.py) and scripts/load_bench.py use it, with
the same headless Chromium flags.
"""

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package: Playwright never downloads a browser
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


SERVERS: dict[str, subprocess.Popen] = {}  # base URL -> the server process, while `serve` runs it


class AppDidNotStart(RuntimeError):
    """The server exited or did not answer in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Ask a child to end, and make it end if it has not within `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.read().decode().strip() == "ok"
    except OSError:
        return False


@contextlib.contextmanager
def serve(env: dict, start_timeout: float = 120):
    """The app (`python -m ui.server`, i.e. `streamlit run app.py`) with `env`; yields the base URL once it is
    healthy, stops it after."""
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.server", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def failure(why: str) -> AppDidNotStart:
        log.seek(0)
        return AppDidNotStart(f"streamlit {why}:\n{log.read()[-5000:]}")

    try:
        deadline = time.monotonic() + start_timeout
        while not _healthy(url):
            if proc.poll() is not None:
                raise failure(f"exited with {proc.returncode} before answering")
            if time.monotonic() > deadline:
                raise failure(f"did not answer {url}/_stcore/health within {start_timeout:.0f}s")
            time.sleep(0.25)
        SERVERS[url] = proc
        try:
            yield url
        except Exception:  # what went wrong while it served, for the failing test's output
            log.seek(0)
            print(f"--- streamlit's log, last 4000 characters ---\n{log.read()[-4000:]}")
            raise
    finally:
        SERVERS.pop(url, None)
        stop(proc)
        log.close()
