"""The benchmarks, all in one place: they may import every layer of gan_core, so no domain package
imports upward for a benchmark's sake (docs/architecture.md).

    python -m gan_core.bench                 engine.py: the training engine per family, beside its bare train step
    python -m gan_core.bench --sweep         step_sweep.py: one change at a time to the bare step, one process each
    python -m gan_core.bench.families        families.py: quality per minute of GAN families (judged by digit_judge.py)
    python -m gan_core.bench.datasets        datasets.py: how fast a film becomes a dataset, and its memory
    python -m gan_core.bench.explore         explore.py: how fast the Latent space page answers
    python -m gan_core.bench.metrics         metrics.py: what scoring costs, next to training
    python -m gan_core.bench.complexity      complexity.py: how long measuring a 10,000-frame dataset takes

The room-of-thirty load harness serves the whole app, so it lives beside the app: scripts/load_bench.py.
Today's figures: docs/benchmarks.md; every result file, and the dated log of how each came about: benchmarks/.
"""
