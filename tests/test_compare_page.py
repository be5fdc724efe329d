"""The Compare films page with AppTest: real datasets, a real tiny run, measures cached on disk."""

import re

from streamlit.testing.v1 import AppTest

from gan_core.complexity.profile import CACHE_FILE
from gan_core.datasets.build import build


def compare_page(**query) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.switch_page("pages/compare.py")
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def texts(at: AppTest) -> str:
    return " ".join(e.value for kind in ("markdown", "caption", "info", "warning") for e in at.get(kind))


def test_one_dataset_is_not_enough(tiny_dirs):
    at = compare_page()
    assert not at.exception
    assert "Comparing needs at least two datasets" in texts(at)


def test_two_datasets_side_by_side_with_their_gans(tiny_dirs):
    build("photo-patches", count=64, resolution=32)
    at = compare_page()
    assert not at.exception, at.exception
    assert at.multiselect(key="compare_datasets").value == ["cartoon-faces", "photo-patches"]
    assert [m.label for m in at.metric] == ["Variety between frames", "Complexity"] * 2
    assert {m.delta for m in at.metric} == {"should learn fastest", "should learn slowest", "simplest",
                                            "most complex"}
    page = texts(at)
    assert "Run **tiny**" in page, "the cartoon-faces card shows its run"
    assert "No run trained on it yet." in page, "photo-patches has none"
    assert "averages four measures" in page
    assert len(at.get("plotly_chart")) >= 2  # radar and bars (and the outcome chart once a run is scored)
    for name in ("cartoon-faces", "photo-patches"):
        assert (tiny_dirs["datasets"] / name / CACHE_FILE).is_file(), "measured once, then kept"


def test_picking_one_asks_for_another_and_links_choose_datasets(tiny_dirs):
    build("photo-patches", count=64, resolution=32)
    build("digits", count=64, resolution=32)
    at = compare_page(dataset=["digits", "photo-patches"])
    assert at.multiselect(key="compare_datasets").value == ["digits", "photo-patches"]
    assert not at.warning  # both at 32 px
    at.multiselect(key="compare_datasets").set_value(["digits"]).run()
    assert "Pick at least two datasets" in texts(at)
    assert not at.metric


def test_the_page_says_which_set_should_learn_faster_and_shows_what_runs_reached(tiny_dirs):
    build("photo-patches", count=64, resolution=32)
    build("digits", count=64, resolution=32)
    at = compare_page(dataset=["photo-patches", "digits"])
    assert not at.exception, at.exception
    page = texts(at)
    assert "**digits should learn faster than photo\\-patches\\: its frames vary in fewer ways" in page, \
        "grey digits vary in fewer ways than photo texture"
    assert "docs/complexity.md" in page
    # the cards follow the sentence: the set that should learn fastest first, its variety the smaller
    cards = [h.value for h in at.markdown if h.value in ("### digits", "### photo\\-patches")]
    assert cards == ["### digits", "### photo\\-patches"], cards
    variety = [m for m in at.metric if m.label == "Variety between frames"]
    assert [m.delta for m in variety] == ["should learn fastest", "should learn slowest"]
    ways = [int(m.value.split()[0]) for m in variety]
    assert ways[0] < ways[1], ways


def test_a_run_shows_what_it_reached_pass_as_real_first(tiny_dirs):
    build("digits", count=64, resolution=32)
    at = compare_page()
    assert not at.exception, at.exception
    page = texts(at)
    assert "KID **" in page and "coverage **" in page
    shares = re.findall(r"pass as real \*\*(\d+)%\*\* · KID", page)  # the trainer scored it; first in line
    assert shares and all(0 <= int(s) <= 100 for s in shares), page
