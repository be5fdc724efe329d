"""The facilitator lock's rules: it fails closed, a locked session writes no shared file, wrong passcodes back
off, favourites saved at once are all kept, and the upload limit is small while the lock is on."""

import subprocess
import sys
import time

import pytest
from helpers import ROOT, cli_env
from streamlit import config
from streamlit.testing.v1 import AppTest

from gan_core.complexity.profile import CACHE_FILE
from gan_core.core.runs import Run
from gan_core.datasets.build import build
from gan_core.explore import favourites
from ui import lock


def page(path: str = "app.py") -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    if path != "app.py":
        at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sidebar_text(at) -> str:
    return " ".join(str(e.value) for kind in ("info", "error", "success") for e in at.sidebar.get(kind))


def labels(at) -> set:
    return {b.label for b in at.button}


@pytest.fixture
def secrets_file(tmp_path):
    """Point Streamlit's secrets at a file of the test's own (and put the setting back after)."""
    import streamlit as st

    path = tmp_path / "secrets.toml"
    before = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(path)])
    st.secrets._reset()  # Streamlit keeps what it parsed: forget it before and after
    yield path
    config.set_option("secrets.files", before)
    st.secrets._reset()


@pytest.fixture
def upload_limit():
    before = config.get_option("server.maxUploadSize")
    yield
    config.set_option("server.maxUploadSize", before)


@pytest.mark.parametrize("content", [b'facilitator_passcode = "ducks', b"\xff\xfe not utf-8", b"= nothing"])
def test_an_unreadable_secrets_file_keeps_the_app_locked(tiny_dirs, monkeypatch, secrets_file, upload_limit,
                                                         content):
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    secrets_file.write_bytes(content)
    at = page("pages/train.py")
    assert "the secrets file cannot be read" in sidebar_text(at) and str(secrets_file) in sidebar_text(at)
    assert not at.sidebar.text_input, "no passcode can unlock it"
    assert not {"Resume", "Stop", "Delete this run…", "Start training"} & labels(at)
    assert config.get_option("server.maxUploadSize") == 50


def test_a_readable_secrets_file_sets_the_passcode(tiny_dirs, monkeypatch, secrets_file, upload_limit):
    monkeypatch.delenv("GAN_FACILITATOR_PASSCODE", raising=False)
    secrets_file.write_text('facilitator_passcode = "ducks"\n')
    at = page()
    assert "Read-only" in sidebar_text(at)
    at.sidebar.text_input[0].set_value("ducks")
    next(b for b in at.sidebar.button if b.label == "Unlock").click().run()
    assert "Facilitator mode" in sidebar_text(at)


def test_wrong_passcodes_back_off(tiny_dirs, monkeypatch, upload_limit):
    monkeypatch.setenv("GAN_FACILITATOR_PASSCODE", "ducks")
    monkeypatch.setattr(lock, "_failures", {})
    at = page()
    unlock = lambda: next(b for b in at.sidebar.button if b.label == "Unlock").click().run()  # noqa: E731
    for _ in range(lock.FREE_TRIES):
        at.sidebar.text_input[0].set_value("geese")
        unlock()
        assert "not right" in sidebar_text(at)
    [client] = lock._failures  # this browser: its address, or its session when Streamlit knows none
    assert lock._failures[client][0] == lock.FREE_TRIES
    # the clock is the test's: a wait still to come, then one that has passed (no sleeping, no timing)
    lock._failures[client] = (lock.FREE_TRIES, time.monotonic() + 3600)
    at.sidebar.text_input[0].set_value("ducks")
    unlock()  # the right passcode, but too soon: refused without being checked
    assert "Too many wrong passcodes: wait" in sidebar_text(at) and "Read-only" in sidebar_text(at)
    assert lock._failures[client][0] == lock.FREE_TRIES, "a refused try is not counted or checked"
    lock._failures[client] = (lock.FREE_TRIES, 0.0)
    unlock()
    assert "Facilitator mode" in sidebar_text(at)
    assert client not in lock._failures
    assert config.get_option("server.maxUploadSize") == 50, "small while the lock is on"


def test_the_backoff_grows_to_a_minute():
    waits = [lock.backoff(n) for n in range(1, 12)]
    assert waits[: lock.FREE_TRIES - 1] == [0.0] * (lock.FREE_TRIES - 1)
    assert waits[lock.FREE_TRIES - 1 : lock.FREE_TRIES + 3] == [5.0, 10.0, 20.0, 40.0]
    assert max(waits) == lock.MAX_WAIT == waits[-1]
    # 300 wrong tries now take hours, not the 170 s they took without a wait
    assert sum(lock.backoff(n) for n in range(1, 301)) > 4 * 3600


def test_a_locked_session_keeps_favourites_to_itself(tiny_dirs, monkeypatch, upload_limit):
    monkeypatch.setenv("GAN_FACILITATOR_PASSCODE", "ducks")
    at = page("pages/latent.py")
    at.text_input[0].set_value("mine")
    next(b for b in at.button if b.label == "Save favourite").click().run()
    assert not at.exception
    assert not (tiny_dirs["checkpoints"] / "tiny" / "favourites.json").exists()
    assert "Yours are kept in this browser only (mine)" in " ".join(c.value for c in at.caption)
    assert "mine" in at.selectbox(key="lat_fav_a").options


def test_a_locked_compare_page_writes_no_cache(tiny_dirs, monkeypatch, upload_limit):
    build("photo-patches", count=64, resolution=32)
    monkeypatch.setenv("GAN_FACILITATOR_PASSCODE", "ducks")
    at = page("pages/compare.py")
    assert [m.label for m in at.metric] == ["Variety between frames", "Complexity"] * 2
    assert not any((tiny_dirs["datasets"] / n / CACHE_FILE).exists() for n in ("cartoon-faces", "photo-patches"))


def test_favourites_saved_by_eight_processes_at_once_are_all_kept(tiny_dirs):
    script = ("import sys, numpy as np\nfrom gan_core.explore import favourites\nfrom gan_core.core.runs import Run\n"
              "favourites.save(Run('tiny'), f'fav {sys.argv[1]}', np.full(100, float(sys.argv[1])))\n")
    env = cli_env(tiny_dirs)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(i)], cwd=ROOT, env=env) for i in range(8)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 8
    saved = favourites.load(Run("tiny"), 100)
    assert sorted(saved) == [f"fav {i}" for i in range(8)]
    assert all(saved[f"fav {i}"][0] == i for i in range(8))
