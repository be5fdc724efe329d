"""Which of several datasets a GAN should learn faster, and why, in one sentence a workshop follows.

The order is the composite's (lower = faster); the reason is the composite measure on which the two
datasets differ most, as a share of noise, named in plain words with both values.
"""

from gan_core.complexity.profile import COMPOSITE, frames_share

REASONS = {
    "intrinsic_dimension": ("its frames vary in fewer ways", "dimensionality {a:.0f} against {b:.0f}"),
    "count": ("it has fewer frames to learn", "{a:,.0f} against {b:,.0f}"),
    "compressed_bits_per_pixel": ("its frames hold less fine detail", "{a:.1f} against {b:.1f} bits per pixel"),
    "palette_entropy": ("its frames use fewer colours", "palette {a:.1f} against {b:.1f} bits"),
    "edge_density": ("its frames have fewer edges", "{a:.0%} against {b:.0%} of pixels"),
    "spatial_information": ("its frames have weaker edges", "SI {a:.0f} against {b:.0f}"),
    "colourfulness": ("its frames are less colourful", "{a:.0f} against {b:.0f}"),
}


def share(profile: dict, measure: str) -> float:
    if measure == "count":
        return frames_share(profile["count"])
    return (profile.get("shares") or {}).get(measure) or 0.0


def faster(profiles: dict[str, dict]) -> str:
    """'A should learn faster than B: <reason> (<values>).' for the simplest and the most complex dataset."""
    order = sorted(profiles, key=lambda n: profiles[n]["complexity"])
    easy, hard = order[0], order[-1]
    a, b = profiles[easy], profiles[hard]
    if a["complexity"] == b["complexity"]:
        return f"{easy} and {hard} score the same, so neither should learn clearly faster."
    key = max(COMPOSITE, key=lambda m: share(b, m) - share(a, m))
    words, values = REASONS[key]
    if share(b, key) <= share(a, key):  # the sum decides, no single measure does
        return f"{easy} should learn faster than {hard}: it scores lower on the complexity measures taken together."
    return f"{easy} should learn faster than {hard}: {words} ({values.format(a=a[key], b=b[key])})."
