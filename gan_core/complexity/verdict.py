"""Which of several datasets a GAN should learn faster, and why, in one sentence a workshop follows.

The order is by variety between frames (intrinsic dimensionality: how many independent ways the frames
differ), not by the composite: detail within a frame (grass, texture) raises the composite without making
a set harder for a GAN, and in the learnability benchmark no composite of the measures predicted what the
GAN reached on held-out datasets (docs/complexity.md, "Learnability"); dimensionality was the measure
chosen most often there, and it is the one that put a street clip with cuts above a single animated shot.
"""


def faster(profiles: dict[str, dict]) -> str:
    """'A should learn faster than B: its frames vary in fewer ways (...)' for the least and most varied set."""
    order = sorted(profiles, key=lambda n: (profiles[n]["intrinsic_dimension"], profiles[n]["count"]))
    easy, hard = order[0], order[-1]
    a, b = profiles[easy]["intrinsic_dimension"], profiles[hard]["intrinsic_dimension"]
    if a == b:
        return (f"{easy} and {hard} vary between frames in as many ways (dimensionality {a:.0f}), so neither "
                "should clearly learn faster.")
    return (f"{easy} should learn faster than {hard}: its frames vary in fewer ways (dimensionality {a:.0f} "
            f"against {b:.0f}), and variety between frames, more than detail within a frame, is what a GAN "
            "has to learn.")
