"""What every page does first: page config, the menu, the facilitator lock in the sidebar (and Keras'
state kept across script runs, `ui.keras_state`).

The menu is drawn here with `st.page_link` (Streamlit's own sidebar menu is switched off in
.streamlit/config.toml): classic `pages/` discovery serves every page at its own URL reliably on the
first load, and this keeps the order and names in one place. Pages not written yet are left out.
"""


import streamlit as st

from ui import lock
from ui.app_files import app_dir
from ui.keras_state import keep_keras_state

ROOT = app_dir()  # the checkout, or the installed copy in ui/app/
PAGES = [  # file, title, icon
    ("app.py", "Home", ":material/home:"),
    ("pages/datasets.py", "Datasets", ":material/photo_library:"),
    ("pages/train.py", "Train", ":material/model_training:"),
    ("pages/epochs.py", "Epochs", ":material/slow_motion_video:"),
    ("pages/latent.py", "Latent space", ":material/blur_on:"),
    ("pages/curves.py", "Training curves", ":material/show_chart:"),
    ("pages/compare.py", "Compare films", ":material/compare:"),
]


def setup(title: str) -> None:
    keep_keras_state()
    st.set_page_config(page_title=f"{title} · GAN Explorer" if title != "Home" else "GAN Explorer",
                       page_icon=":material/blur_on:", layout="wide")
    with st.sidebar:
        st.markdown("### GAN Explorer")
        for file, label, icon in PAGES:
            if (ROOT / file).exists():
                st.page_link(file, label=label, icon=icon)
    lock.sidebar()
    damaged_notice()


def damaged_notice() -> None:
    """Runs and datasets whose own files are damaged are left out of every list; say which, why, and what is kept."""
    from gan_core.core.runs import list_runs
    from gan_core.datasets.store import list_datasets
    from ui.common import md_escape

    items = [f"- run **{md_escape(r.name)}**: {md_escape(r.problem())}. Its samples and weights are kept on disk "
             f"(`checkpoints/{r.name}/`); restore the file or delete the folder." for r in list_runs(damaged=True)]
    items += [f"- dataset **{md_escape(d.name)}**: {md_escape(d.problem())}. Runs trained on it keep their "
              f"pictures; delete it with `python -m gan_core.datasets delete {d.name}` and import it again."
              for d in list_datasets(damaged=True)]
    if items:
        st.warning(f"{len(items)} damaged, left out of the lists:\n" + "\n".join(items), icon=":material/report:")
