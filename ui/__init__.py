"""Page-side helpers shared by `app.py` and `pages/*.py`: reading runs and datasets for display,
the device line, state badges, and crisp upscaling of small image grids.

Why a package at the repo root and not `pages/_common.py`: Streamlit 1.67 turns every `pages/*.py`
except `__init__.py` and dot-files into a page (a leading `_` no longer hides one), so helpers there
would show up in the sidebar. Nothing here trains or imports TensorFlow; it only reads files.
"""
