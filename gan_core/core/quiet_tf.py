"""Import TensorFlow without its start-up chatter, so a command's stderr holds only what matters.

TensorFlow's C++ side prints absl and CUDA-stub lines while it loads, before `TF_CPP_MIN_LOG_LEVEL`
takes effect; every CLI promises one clear line on stderr for bad input, and a terminal full of
"Could not find cuda drivers" hides the trainer's own progress. stderr is pointed at /dev/null for the
import and the first device query only; `GAN_TF_VERBOSE=1` keeps everything (for CUDA set-up trouble).
"""

import os
import sys


def import_tensorflow():
    if "tensorflow" in sys.modules or os.environ.get("GAN_TF_VERBOSE") == "1":
        import tensorflow

        return tensorflow
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow

        tensorflow.config.list_physical_devices()  # CUDA platform start-up messages come here
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow
