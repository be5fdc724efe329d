"""Which of several datasets a GAN should learn faster, and why, in one sentence a workshop follows.

The order is by variety between frames (intrinsic dimensionality: how many independent ways the frames
differ), not by the composite. In the learnability benchmark (10 datasets, two seeds, the same training
budget; docs/complexity.md, "Learnability") dimensionality was the measure chosen in every leave-one-out
fold and ranked the held-out datasets by how many of their GAN's samples passed as real (rho 0.81), while
the composite, which counts detail within a frame (grass, texture), did not (0.01).
"""


def by_variety(profiles: dict[str, dict]) -> list[str]:
    """The datasets from the one that should learn fastest (fewest ways to vary; fewer frames on a tie)."""
    return sorted(profiles, key=lambda n: (profiles[n]["intrinsic_dimension"], profiles[n]["count"]))


def faster(profiles: dict[str, dict]) -> str:
    """'A should learn faster than B: its frames vary in fewer ways (...)' for the least and most varied set."""
    order = by_variety(profiles)
    easy, hard = order[0], order[-1]
    a, b = profiles[easy]["intrinsic_dimension"], profiles[hard]["intrinsic_dimension"]
    if a == b:
        return (f"{easy} and {hard} vary between frames in as many ways (dimensionality {a:.0f}), so neither "
                "should clearly learn faster.")
    return (f"{easy} should learn faster than {hard}: its frames vary in fewer ways (dimensionality {a:.0f} "
            f"against {b:.0f}), and variety between frames, more than detail within a frame, is what a GAN "
            "has to learn.")
