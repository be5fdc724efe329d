"""Visual complexity of datasets (films): established measures on a sample of frames, and one composite.

`measures` holds the per-frame definitions; `profile` samples a dataset, summarises, caches and ranks.
"""

from gan_core.complexity.profile import COMPOSITE, EXPLANATION, MEASURES, cached, compare, profile, ranked

__all__ = ["COMPOSITE", "EXPLANATION", "MEASURES", "cached", "compare", "profile", "ranked"]
