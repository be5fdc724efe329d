"""Training on a hosted GPU (Colab, Kaggle): the notebook that does it, filled in, and the bundle to upload.

`train_on_gpu.ipynb` (beside this file, package data) is the notebook; `notebook.py` fills in its parameters
cell; `bundle.py` zips it with a dataset archive and a wheel of this package. docs/cloud-gpu.md says how.
"""
