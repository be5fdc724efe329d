"""Datasets: the store (raw uint8 shards + manifest), the built-in sets, imports, and the tf.data input.

Run `python -m gan_core.datasets --help` for the command line.
"""
