"""The room-of-thirty harness's light client (scripts/load_bench.py) against a real app server.

It stands in for thirty browsers, so it must ask the server what a browser asks: if Streamlit's protocol
changed under it, its timings would quietly measure the wrong page, or nothing. Here each session must
get its own page's script run to the end and fetch every picture that page drew.
"""

import asyncio
import importlib.util

from conftest import streamlit_server
from helpers import ROOT

spec = importlib.util.spec_from_file_location("load_bench", ROOT / "scripts" / "load_bench.py")
load_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load_bench)


async def sessions(url: str) -> dict:
    pages = ("home", "epochs", "curves")
    return dict(zip(pages, await asyncio.gather(*(load_bench.light_session(url, p) for p in pages)), strict=True))


def test_light_sessions_draw_each_page_with_its_pictures(tiny_run):
    with streamlit_server(tiny_run["datasets_dir"], tiny_run["checkpoints_dir"]) as url:
        drawn = asyncio.run(sessions(url))
        again = asyncio.run(load_bench.room(url, ["epochs"], sessions=2, timeout=120, client="light"))
    assert drawn["home"]["title"] == "GAN Explorer" and drawn["home"]["pictures"] >= 1  # the run's newest grid
    assert drawn["epochs"]["title"].startswith("Epochs") and drawn["epochs"]["pictures"] >= 1
    assert drawn["curves"]["title"].startswith("Training curves") and drawn["curves"]["charts"] >= 1
    assert all(seconds is not None for phase in ("cold", "warm") for _, seconds in again[phase])
    assert again["cpu_s"]["warm"]["clients"] >= 0  # its own CPU, told apart from the server's
