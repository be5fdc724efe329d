"""GAN Explorer's core: datasets, DCGAN training, run directories and the tools that read them.

Everything here works without Streamlit, so the same code trains headless on a GPU server and
serves the app. Heavy imports (TensorFlow) happen inside the modules that need them.
"""

__version__ = "0.2.0"
