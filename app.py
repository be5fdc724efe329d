"""GAN Explorer: the entry point. `streamlit run app.py` serves every page listed here.

Pages are thin: they read run directories and datasets and call `gan_core`; no ML code lives in them.
A page whose file does not exist yet is simply left out of the menu.
"""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent
PAGES = [  # file, title, icon
    ("pages/home.py", "Home", ":material/home:"),
    ("pages/datasets.py", "Datasets", ":material/photo_library:"),
    ("pages/train.py", "Train", ":material/model_training:"),
    ("pages/epochs.py", "Epochs", ":material/slow_motion_video:"),
    ("pages/latent.py", "Latent space", ":material/blur_on:"),
    ("pages/curves.py", "Training curves", ":material/show_chart:"),
    ("pages/compare.py", "Compare films", ":material/compare:"),
]

st.set_page_config(page_title="GAN Explorer", page_icon=":material/blur_on:", layout="wide")
pages = [st.Page(f, title=t, icon=i, default=f == "pages/home.py") for f, t, i in PAGES if (HERE / f).exists()]
st.navigation(pages).run()
