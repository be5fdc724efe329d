"""Paths through latent space: straight (lerp), along the sphere (slerp), and random walks.

Why slerp is the default: Gaussian z of dimension d concentrates near the sphere of radius sqrt(d);
a straight line between two samples dips towards the origin (its midpoint has norm ~ sqrt(d/2)),
where the generator saw few inputs, so midpoints look washed out. Slerp keeps the norm in range.
"""

import numpy as np

METHODS = ("slerp", "lerp")


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    t = np.asarray(t, np.float64)[:, None]
    return ((1 - t) * a + t * b).astype(np.float32)


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation; the endpoints come out exactly, (almost) parallel vectors fall back to lerp."""
    a64, b64 = np.asarray(a, np.float64), np.asarray(b, np.float64)
    cos = np.dot(a64, b64) / (np.linalg.norm(a64) * np.linalg.norm(b64))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return lerp(a, b, t)
    t = np.asarray(t, np.float64)[:, None]
    out = (np.sin((1 - t) * omega) * a64 + np.sin(t * omega) * b64) / np.sin(omega)
    return out.astype(np.float32)


def path(a: np.ndarray, b: np.ndarray, steps: int, method: str = "slerp") -> np.ndarray:
    """`steps` latent vectors from a to b inclusive."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    if steps < 2:
        raise ValueError("an interpolation needs at least 2 steps")
    t = np.linspace(0.0, 1.0, steps)
    return (slerp if method == "slerp" else lerp)(a, b, t)


def through(points: np.ndarray, steps_between: int, method: str = "slerp") -> np.ndarray:
    """A path visiting several endpoints in turn (each segment shares its end with the next one's start)."""
    segments = [path(points[i], points[i + 1], steps_between, method) for i in range(len(points) - 1)]
    return np.concatenate([segments[0], *[s[1:] for s in segments[1:]]])


def random_walk(start: np.ndarray, steps: int, step_size: float = 0.15, seed: int = 0) -> np.ndarray:
    """A smooth wander: each step turns a little along the sphere, keeping |z| near that of `start`."""
    rng = np.random.default_rng(seed)
    radius = np.linalg.norm(start)
    z, velocity = np.asarray(start, np.float64), np.zeros_like(start, np.float64)
    out = [z]
    for _ in range(steps - 1):
        velocity = 0.8 * velocity + 0.2 * rng.standard_normal(len(z))
        z = z + step_size * velocity
        z = z * radius / np.linalg.norm(z)
        out.append(z)
    return np.asarray(out, np.float32)
