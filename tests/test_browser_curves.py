"""The Training Curves page in headless Chromium: a real run trained to diverge, smoothing, overlay, flags.

Screenshots go to `test-artifacts/screenshots/curves-*.png` (the paths are printed; run with `-s`).
"""

import shutil

import pytest
from conftest import chromium_page, screenshot, streamlit_server
from helpers import read_jsonl
from playwright.sync_api import expect
from test_curves_page import make_flagged_run
from test_metrics import absurd_run

pytestmark = pytest.mark.browser

PLOT = ".st-key-curves_chart .js-plotly-plot"  # the page's main chart by its widget key, never another plot


@pytest.fixture(scope="module")
def runs(tiny_run, tmp_path_factory):
    """The tiny run, a run trained with absurd learning rates (it diverges), and a collapsed one (written)."""
    trained = absurd_run(tmp_path_factory)
    assert "diverging" in read_jsonl(trained["checkpoints"] / "absurd" / "epochs.jsonl")[-1]["flags"]
    checkpoints = tmp_path_factory.mktemp("curves_browser") / "checkpoints"
    shutil.copytree(trained["checkpoints"] / "absurd", checkpoints / "absurd")
    shutil.copytree(tiny_run["checkpoints_dir"] / tiny_run["run"], checkpoints / tiny_run["run"])
    make_flagged_run(tiny_run, checkpoints, "collapsed")
    return {"datasets": trained["datasets"], "checkpoints": checkpoints}


def plot_data(page) -> list[dict]:
    """Each trace's name, opacity and values as plotly holds them in the page (decoded)."""
    return page.evaluate(f"""() => document.querySelector('{PLOT}')._fullData.map(t => (
        {{name: t.name, opacity: t.opacity, y: Array.from(t.y || []), x: Array.from(t.x || [])}}))""")


def wait_for_plot(page, predicate: str, arg=None) -> None:
    page.wait_for_function(f"(arg) => {{ const el = document.querySelector('{PLOT}'); "
                           f"return el && el.data && ({predicate}); }}", arg=arg)


def test_curves_smoothing_overlay_and_flags(runs):
    with streamlit_server(runs["datasets"], runs["checkpoints"]) as url, chromium_page(1600, 1100) as page:
        page.goto(f"{url}/curves?run=absurd", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Training curves").wait_for()
        wait_for_plot(page, "el.data.some(t => t.name === 'Training diverged')")

        # the flag: a banner in plain words, and a marker on the curves (in the legend too)
        banner = page.locator(".st-key-flag-diverging-absurd")
        expect(banner).to_contain_text("Training diverged")
        expect(banner).to_contain_text("What to try")
        expect(page.locator(".st-key-flags-absurd")).to_contain_text("--lr-d 0.0001")
        expect(page.locator(f"{PLOT} .legendtext", has_text="Training diverged").first).to_be_visible()
        expect(page.locator(f"{PLOT} .scatterlayer path.point").first).to_be_attached()
        screenshot(page, "curves-diverged.png")

        # log scale, for losses in the tens of thousands
        page.locator(".st-key-curves_log").get_by_text("Log scale", exact=True).click()
        wait_for_plot(page, "el.layout.yaxis.type === 'log'")

        # smoothing: the smoothed G loss changes, the raw one (faint) does not
        def g_traces():
            data = plot_data(page)
            raw = next(t for t in data if t["opacity"] < 1)  # the first faint trace: raw G loss
            smooth = next(t for t in data if t["name"] == "G loss")
            return raw["y"], smooth["y"]

        raw_before, smooth_before = g_traces()
        thumb = page.get_by_role("slider", name="Smoothing (moving average, logged points)")
        thumb.focus()
        page.keyboard.press("Home")  # 5 -> 1: no smoothing, so the line meets the raw values
        # (the chart is replaced while the page reruns: wait_for_plot tolerates the moment it is missing)
        wait_for_plot(page, "(() => { const t = (el._fullData || []).find(t => t.name === 'G loss');"
                            "return t && Array.from(t.y).every((v, i) => Math.abs(v - arg[i]) < 1e-6); })()",
                      arg=raw_before)
        raw_after, smooth_after = g_traces()
        assert raw_after == raw_before
        assert smooth_after == pytest.approx(raw_after)
        assert smooth_before != pytest.approx(raw_before)

        # overlay: add the tiny run and the collapsed one, align by images seen
        box = page.locator(".st-key-curves_runs").get_by_role("combobox")  # the run picker, by its key
        for name in ("tiny", "collapsed"):
            box.click()
            page.get_by_role("option", name=name, exact=True).click()
            page.keyboard.press("Escape")
        wait_for_plot(page, "['absurd · G loss', 'tiny · G loss', 'collapsed · Mode collapse']"
                            ".every(n => el.data.some(t => t.name === n))")
        # KID, the distance to the real pictures, on its own panel under the scores (row 4), for the runs that
        # have it; "collapsed" has epoch rows from before KID and simply has no KID line
        names = [t["name"] for t in plot_data(page)]
        assert "absurd · KID, distance to the real pictures" in names, names
        assert "collapsed · KID, distance to the real pictures" not in names, names
        page.locator(".st-key-curves_x").get_by_text("Images seen", exact=True).click()
        wait_for_plot(page, "el.layout.xaxis4.title.text === 'images seen'")
        expect(page.locator(".st-key-flag-mode_collapse-collapsed")).to_contain_text("Mode collapse")
        expect(page.locator(f"{PLOT} .legendtext", has_text="collapsed · Mode collapse").first).to_be_visible()
        grids = page.get_by_role("img", name="Samples of")
        expect(grids).to_have_count(3)
        screenshot(page, "curves-overlay.png")

        # click a point: that epoch's samples appear beside the plot
        page.locator(".st-key-curves_x").get_by_text("Epochs", exact=True).click()
        wait_for_plot(page, "el.layout.xaxis4.title.text === 'epochs'")
        page.set_viewport_size({"width": 1600, "height": 2600})  # the whole chart on screen, to click in it
        page.locator(PLOT).scroll_into_view_if_needed()
        # a condition, not a pause: the chart is whole on screen and plotly has laid it out at this size
        page.wait_for_function(f"""() => {{ const el = document.querySelector('{PLOT}'), r = el.getBoundingClientRect();
            return r.top >= 0 && r.bottom <= window.innerHeight && el._fullLayout
                   && Math.abs(el._fullLayout.width - r.width) < 2; }}""")
        point = page.evaluate(f"""() => {{
            const el = document.querySelector('{PLOT}');
            const t = el._fullData.find(t => t.name === 'absurd · diversity');
            const xa = el._fullLayout.xaxis3, ya = el._fullLayout.yaxis3, box = el.getBoundingClientRect();
            return {{x: box.left + xa._offset + xa.l2p(t.x[0]), y: box.top + ya._offset + ya.l2p(t.y[0]),
                     epoch: t.customdata[0][0]}};
        }}""")
        page.mouse.click(point["x"], point["y"])
        page.get_by_role("img", name=f"Samples of absurd at epoch {point['epoch']}").wait_for()
        # and the chart marks that epoch with a dashed line
        wait_for_plot(page, "el.layout.shapes.some(s => s.line && s.line.dash === 'dash' && s.x0 === arg)",
                      point["epoch"])
        page.mouse.move(10, 10)  # no tooltip in the screenshot
        screenshot(page, "curves-clicked.png")
