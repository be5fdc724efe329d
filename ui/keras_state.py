"""Keep Keras' global state across Streamlit script runs.

After every script run, of every session, Streamlit calls `keras.backend.clear_session()`
(`script_runner._clean_problem_modules`). That swaps out Keras' global state for all threads at once,
so a page building a network in another thread at that moment loses its layer-name counters halfway
("The name "batch_normalization" is used 2 times in the model": a CI failure on the Train page's time
estimate), and it throws away TensorFlow's kernel cache between runs. The app builds its networks
itself and shares cached generators between sessions, so it keeps Keras' state and lets Streamlit clean
the rest (matplotlib figures).
"""

import sys

from streamlit.runtime.scriptrunner import script_runner

STREAMLIT_CLEANUP = getattr(script_runner, "_clean_problem_modules", None)  # Streamlit's own, kept for tests


def _clean_problem_modules_except_keras() -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_state() -> None:
    """Stop Streamlit's end-of-run Keras reset (idempotent; a Streamlit without the hook is left alone)."""
    if hasattr(script_runner, "_clean_problem_modules"):
        script_runner._clean_problem_modules = _clean_problem_modules_except_keras
