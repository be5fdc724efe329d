"""A room of thirty on one machine: N sessions open the app's pages at once while a run trains.

    .venv/bin/python scripts/load_bench.py                     # 30 sessions spread over every page
    .venv/bin/python scripts/load_bench.py --pages latent      # all of them on the Latent space page
    .venv/bin/python scripts/load_bench.py --client browser    # each session a real (headless) Chromium tab
    .venv/bin/python scripts/load_bench.py --sessions 10 --trainer-nice 0 --json

What it does, all on 127.0.0.1 in a temporary folder: builds `cartoon-faces` (1,000 images, 32 px) and
`doodle-ducks` (300; Compare needs two), trains a finished run `demo` (4 epochs) for the pages to show,
starts a second run `live` that keeps training (at the niceness the app gives its trainers), starts the
app, and measures the trainer's
images/s alone for `--baseline` seconds. Then N sessions open their page at the same moment ("cold":
the server's caches are empty), and once every one has drawn, open it again ("warm"). Reported per
page: median and p95 of the times, cold and warm, and the trainer's images/s under load against alone.

Two kinds of session. `light` (the default) asks of the server exactly what a participant's browser
asks of it: the page's HTML, a Streamlit session over the websocket with a rerun request for the page,
every message until the script run has finished, then every picture the page refers to; it renders
nothing, as in a workshop the browsers run on the participants' laptops. `browser` opens each session
as a context of one headless Chromium on the same cores (harsher than a real room: thirty software-
rendered tabs compete with the server and the trainer); a visit counts as drawn when Streamlit has
finished its script run and every picture on the page has loaded. Every wait is bounded (`--timeout`
per visit), and a visit that times out is counted and reported, not hidden.
"""

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.served_app import CHROMIUM, CHROMIUM_ARGS, SERVERS, AppDidNotStart, serve, stop  # noqa: E402  (after the path above)

PAGES = {"home": "/", "datasets": "/datasets", "train": "/train", "epochs": "/epochs", "curves": "/curves",
         "latent": "/latent", "compare": "/compare"}
DRAWN = """() => {
  if (document.querySelector('[data-testid=stStatusWidgetRunningIcon]')) return false;
  if (document.querySelector('[data-stale=true]')) return false;
  const main = document.querySelector('[data-testid=stMain]');
  if (!main) return false;
  const images = [...main.querySelectorAll('img')];
  const charts = main.querySelectorAll('.js-plotly-plot').length;
  return images.length + charts > 0 && images.every(i => i.complete && i.naturalWidth > 0);
}"""


def say(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


def cli(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def trainer_rows(checkpoints: Path) -> list[dict]:
    try:
        lines = (checkpoints / "live" / "metrics.jsonl").read_text().splitlines()
    except OSError:
        return []
    rows = []
    for line in lines:
        try:
            rows.append(json.loads(line))
        except ValueError:
            pass  # a line being written
    return rows


def images_per_sec(rows: list[dict]) -> float | None:
    rates = [r["images_per_sec"] for r in rows if r.get("images_per_sec")]
    return statistics.median(rates) if rates else None


async def visit(browser, url: str, timeout: float) -> float | None:
    """Seconds from opening `url` in a new session until its pictures are drawn; None if it timed out."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    t0 = time.perf_counter()
    try:
        await page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        await page.wait_for_function(DRAWN, timeout=timeout * 1000, polling=100)
        return time.perf_counter() - t0
    except Exception:  # noqa: BLE001 - a timeout or a closed page: the visit failed, which is reported
        return None
    finally:
        await context.close()


BROWSER_CONNECTIONS = 6  # parallel HTTP/1.1 connections a browser opens to one host
MEDIA_URL = re.compile(rb"/media/[0-9a-f]+\.[a-z0-9]+")


async def light_visit(url: str, page: str, timeout: float) -> float | None:
    """Seconds until a light session has drawn `page` (`light_session`), or None if it failed or drew nothing."""
    try:
        async with asyncio.timeout(timeout):
            drawn = await light_session(url, page)
    except (TimeoutError, OSError, ValueError) as error:
        say(f"{page}: visit failed ({type(error).__name__})")
        return None
    if drawn["pictures"] or drawn["charts"]:
        return drawn["seconds"]
    say(f"{page}: drew no picture ({'; '.join(a[:120] for a in drawn['alerts']) or 'no message'})")
    return None


async def light_session(url: str, page: str) -> dict:
    """What a participant's browser asks of the server, without a browser: the page's HTML, a Streamlit
    session over the websocket (opened as the frontend opens it: a rerun request for the page), every
    message until the script run has finished, then every picture the page refers to."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    t0 = time.perf_counter()
    await asyncio.to_thread(fetch, url + PAGES[page])
    media, charts, title, alerts = set(), 0, None, []
    async with connect(url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                       max_size=None) as ws:
        hello = BackMsg()
        hello.rerun_script.page_name = PAGES[page].strip("/")
        await ws.send(hello.SerializeToString())
        while True:
            raw = await ws.recv()
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            media.update(MEDIA_URL.findall(raw))
            if kind == "delta" and msg.delta.new_element.WhichOneof("type") in ("alert", "exception"):
                element = msg.delta.new_element
                alerts.append(element.alert.body if element.HasField("alert") else element.exception.message)
            charts += kind == "delta" and msg.delta.new_element.WhichOneof("type") == "plotly_chart"
            if kind == "page_config_changed" and msg.page_config_changed.title:
                title = msg.page_config_changed.title
            if kind == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                break
    # a browser fetches a page's pictures side by side (six connections per host), not one after another
    await asyncio.gather(*(asyncio.to_thread(fetch, url + path.decode()) for path in media))
    return {"seconds": time.perf_counter() - t0, "title": title, "pictures": len(media), "charts": charts,
            "alerts": alerts}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process and all its threads so far (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def fetch(url: str) -> None:
    with urllib.request.urlopen(url, timeout=60) as r:
        r.read()


async def room(url: str, pages: list[str], sessions: int, timeout: float, client: str,
               watch: dict[str, int] | None = None) -> dict:
    """Every session opens its page at once, cold then warm; also the CPU seconds each process in `watch`
    (name -> PID), and this client itself, spent in each phase: who was busy while people waited."""
    plan = [pages[i % len(pages)] for i in range(sessions)]
    watch = {**(watch or {}), "clients": os.getpid()}
    results = {"cpu_s": {}}
    if client == "light":
        # Each participant's browser has its own connections; Python's default pool (a few threads shared by
        # every session) would queue thirty people's requests behind each other inside this one client.
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=BROWSER_CONNECTIONS * sessions))
        for phase in ("cold", "warm"):
            t0, cpu0 = time.perf_counter(), {k: cpu_seconds(pid) for k, pid in watch.items()}
            times = await asyncio.gather(*(light_visit(url, name, timeout) for name in plan))
            wall = time.perf_counter() - t0
            after = {k: cpu_seconds(pid) for k, pid in watch.items()}
            cpu = {k: round(after[k] - cpu0[k], 2) if None not in (after[k], cpu0[k]) else None for k in watch}
            say(f"{phase}: {sessions} sessions drawn in {wall:.1f}s; CPU seconds meanwhile: {cpu}")
            results[phase] = list(zip(plan, times, strict=True))
            results["cpu_s"][phase] = {"wall": round(wall, 2), **cpu}
        return results
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        for phase in ("cold", "warm"):
            t0 = time.perf_counter()
            times = await asyncio.gather(*(visit(browser, url + PAGES[name], timeout) for name in plan))
            say(f"{phase}: {sessions} sessions drawn in {time.perf_counter() - t0:.0f}s")
            results[phase] = list(zip(plan, times, strict=True))
        await browser.close()
    return results


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summarise(results: dict, pages: list[str]) -> dict:
    out = {}
    for name in pages:
        row = {}
        for phase in ("cold", "warm"):
            times = [t for page, t in results[phase] if page == name]
            done = [t for t in times if t is not None]
            row[phase] = {"visits": len(times), "timed_out": len(times) - len(done),
                          "median_s": round(statistics.median(done), 2) if done else None,
                          "p95_s": round(p95(done), 2) if done else None}
        out[name] = row
    return out


def report(data: dict) -> str:
    m, t = data["machine"], data["trainer"]
    who = "light protocol-level clients" if data["client"] == "light" else "one headless Chromium"
    lines = [f"machine: {m['cpu']} ({m['vector_units']}); {data['sessions']} sessions of {who} on the same machine",
             f"trainer (--nice {data['trainer_nice']}) images/s: alone {t['alone']}, under load {t['under_load']} "
             f"({t['kept']:.0%} kept)",
             f"CPU seconds per phase (wall, then each process): {data.get('cpu_s')}", "",
             "page       cold median / p95 (s)   warm median / p95 (s)   timed out (cold, warm)"]
    for name, row in data["pages"].items():
        c, w = row["cold"], row["warm"]
        lines.append(f"{name:<10} {c['median_s']!s:>8} / {c['p95_s']!s:<12} {w['median_s']!s:>8} / {w['p95_s']!s:<12}"
                     f" {c['timed_out']}, {w['timed_out']}  ({c['visits']} sessions)")
    return "\n".join(lines)


def main(argv=None) -> int:
    from gan_core.core.hardware import cpu_name, cpu_vector_units
    from gan_core.training.jobs import APP_NICENESS

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES))
    ap.add_argument("--baseline", type=float, default=40, help="seconds of the trainer alone")
    ap.add_argument("--timeout", type=float, default=300, help="seconds one visit may take before it counts as failed")
    ap.add_argument("--client", choices=("light", "browser"), default="light",
                    help="light: protocol-level sessions (what each browser asks of the server, no rendering); "
                    "browser: one headless Chromium with a context per session, on the same cores")
    ap.add_argument("--trainer-nice", type=int, default=APP_NICENESS,
                    help=f"the live trainer's --nice (the app starts its trainers at {APP_NICENESS})")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="gan-load-") as tmp:
        checkpoints = Path(tmp) / "checkpoints"
        env = {**os.environ, "GAN_DATASETS_DIR": str(Path(tmp) / "datasets"), "GAN_CHECKPOINTS_DIR": str(checkpoints),
               "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}
        say("building cartoon-faces and training the run the pages show (demo, 4 epochs)")
        cli(env, "gan_core.datasets", "build", "cartoon-faces", "--count", "1000", "--resolution", "32")
        cli(env, "gan_core.datasets", "build", "doodle-ducks", "--count", "300", "--resolution", "32")  # Compare: two
        cli(env, "gan_core.train", "--dataset", "cartoon-faces", "--run", "demo", "--epochs", "4", "--resolution", "32",
            "--save-every", "1")
        live = ["--dataset", "cartoon-faces", "--run", "live", "--epochs", "1000", "--resolution", "32",
                "--nice", str(args.trainer_nice)]
        trainer = subprocess.Popen([sys.executable, "-m", "gan_core.train", *live], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            with serve(env) as url:
                while len(trainer_rows(checkpoints)) < 3:  # compiled and past its first rows
                    if trainer.poll() is not None:
                        raise SystemExit("error: the live trainer stopped before the load")
                    time.sleep(1)
                start = len(trainer_rows(checkpoints))
                say(f"trainer alone for {args.baseline:.0f}s")
                time.sleep(args.baseline)
                rows = trainer_rows(checkpoints)
                alone, start = images_per_sec(rows[start:]), len(rows)
                say(f"{args.sessions} sessions on {', '.join(args.pages)} at {url}")
                t0 = time.perf_counter()
                watch = {"server": SERVERS[url].pid, "trainer": trainer.pid}
                results = asyncio.run(room(url, args.pages, args.sessions, args.timeout, args.client, watch))
                under_load = images_per_sec(trainer_rows(checkpoints)[start:])
                seconds = time.perf_counter() - t0
        except AppDidNotStart as exc:
            raise SystemExit(f"error: the app did not start: {str(exc).splitlines()[0]}") from None
        finally:
            stop(trainer, timeout=30)
    data = {"machine": {"cpu": cpu_name(), "vector_units": cpu_vector_units(), "python": platform.python_version()},
            "sessions": args.sessions, "client": args.client, "trainer_nice": args.trainer_nice,
            "seconds": round(seconds, 1),
            "trainer": {"alone": alone, "under_load": under_load,
                        "kept": (under_load or 0) / alone if alone else 0.0},
            "cpu_s": results.get("cpu_s"), "pages": summarise(results, args.pages)}
    print(json.dumps(data, indent=2) if args.json else report(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
