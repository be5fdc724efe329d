"""Every heavy library the pages use, imported once, before any page imports anything else.

A room of thirty opening the app at once starts thirty script threads, and CPython cannot import a package
with import cycles inside it (scikit-learn, SciPy, TensorFlow with Keras) from several threads at the same
time: one of them gets `_DeadlockError`, or a half-initialised module that stays broken for the server's
lifetime ("module 'scipy' has no attribute '_lib'", on every page that scores, until a restart; seen in the
room-of-thirty benchmark). Every page imports this module first, so the first session's thread imports all
of this alone while the others wait on this module's import lock, holding no other (tests/test_preload.py).
"""

import gc

from gan_core.core.quiet_tf import import_tensorflow

import_tensorflow()  # before Keras: TensorFlow's start-up chatter kept off the server's log

import av  # noqa: E402, F401
import keras  # noqa: E402, F401
import pandas  # noqa: E402, F401
import plotly.graph_objects  # noqa: E402, F401
import plotly.subplots  # noqa: E402, F401
import scipy.ndimage  # noqa: E402, F401
import skimage.feature  # noqa: E402, F401
import sklearn.decomposition  # noqa: E402, F401
import sklearn.metrics  # noqa: E402, F401
import sklearn.neighbors  # noqa: E402, F401

import gan_core.complexity  # noqa: E402, F401
import gan_core.explore.nearest  # noqa: E402, F401
import gan_core.metrics  # noqa: E402, F401
import gan_core.models  # noqa: E402, F401
import gan_core.models.saved  # noqa: E402, F401
import gan_core.training.device  # noqa: E402, F401

# The ~400,000 objects these imports made live as long as the server. Without this, every full garbage
# collection walks them all (0.23 s with the GIL held, measured), and in a busy room those pauses add up.
gc.freeze()
