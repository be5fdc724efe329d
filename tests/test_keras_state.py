"""Streamlit's end-of-run Keras reset must not reach the app's model building (a CI failure, stop 20).

Streamlit calls `keras.backend.clear_session()` after every script run of every session; a page building
a network in another thread at that moment lost its layer-name counters ("The name "batch_normalization"
is used 2 times in the model"). `ui.keras_state` keeps Keras' state across runs.
"""

import threading

from keras.src.backend.common import global_state
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from gan_core import models
from ui import keras_state


def test_streamlit_still_resets_keras_after_each_run():
    """If this fails, Streamlit renamed or dropped its hook: check ui/keras_state.py still does its job."""
    assert keras_state.STREAMLIT_CLEANUP is not None
    before = global_state.GLOBAL_STATE_TRACKER
    keras_state.STREAMLIT_CLEANUP()
    assert global_state.GLOBAL_STATE_TRACKER is not before


def test_a_page_run_keeps_keras_state(tiny_dirs):
    before = global_state.GLOBAL_STATE_TRACKER
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/train.py")
    at.run()
    assert not at.exception
    assert script_runner._clean_problem_modules is not keras_state.STREAMLIT_CLEANUP
    assert global_state.GLOBAL_STATE_TRACKER is before


def test_networks_build_while_other_sessions_finish_runs():
    """The race itself: one thread ends script runs back to back while another builds every family's networks."""
    keras_state.keep_keras_state()
    stop = threading.Event()

    def end_runs():
        while not stop.is_set():
            script_runner._clean_problem_modules()

    other_session = threading.Thread(target=end_runs)
    other_session.start()
    try:
        for name in models.names():
            family = models.get(name)
            for _ in range(3):
                family.build_generator(32, 3, 100, 8)
                family.build_discriminator(32, 3, 8)
    finally:
        stop.set()
        other_session.join()
