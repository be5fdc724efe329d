"""Sample diversity: mean MS-SSIM over random pairs of images, put in proportion to the real data's.

The method is Odena et al. 2017 ("Conditional Image Synthesis with Auxiliary Classifier GANs", sec. 4.2):
the mean multi-scale structural similarity (MS-SSIM, Wang et al. 2003) of random pairs of samples is high
when the samples look alike and low when they vary, and a generator is judged against the same figure
for real images of the data it learned from. Here that becomes one number,

    diversity = (1 - MS-SSIM of generated pairs) / (1 - MS-SSIM of real pairs),

so 1 means "as varied as the real pictures", 0 means "every sample is the same picture", and values
above 1 mean more varied than the data (often noise: precision tells those apart).

MS-SSIM at small sizes, our choice: the standard recipe (11-tap Gaussian window, sigma 1.5, five scales
halving the size each time, Wang's exponents 0.0448, 0.2856, 0.3001, 0.2363, 0.1333) was made for
images of 176 px and more; at 32 px its fifth scale would be 2 px, smaller than the window. We keep
the window and the exponents, filter with reflected borders (so no "valid" crop eats the image), and
use only the scales whose side stays at least 8 px: three scales at 32 px, four at 64 px, five from
128 px up; the exponents of the scales used are rescaled to sum to one (as `pytorch-msssim` and
`tf.image.ssim_multiscale` users do for small images). Images larger than 128 px are first shrunk to
128 px: five scales are all MS-SSIM has, and it keeps the cost flat. Upsampling 32 px images to reach
five scales would only add scales that carry no information. Colour images are scored per channel and
averaged, as `tf.image.ssim_multiscale` does. Because real and generated images go through exactly
the same function, the ratio above does not depend much on these choices.
"""

import numpy as np
from scipy import ndimage

WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])
SIGMA = 1.5
TRUNCATE = 5 / SIGMA  # an 11-tap window, as in Wang et al.
K1, K2 = 0.01, 0.03
MIN_SCALE_PX = 8
MAX_PX = 128


def scales_for(size: int) -> int:
    """How many MS-SSIM scales fit an image of `size` px (each scale halves it; the last is >= 8 px)."""
    n = 1
    while n < len(WEIGHTS) and size // 2**n >= MIN_SCALE_PX:
        n += 1
    return n


def _prepare(images: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W, C) to float32 in [0, 255], shrunk by 2 x 2 averaging to at most MAX_PX."""
    x = np.asarray(images)
    if x.ndim == 3:
        x = x[..., None]
    x = x.astype(np.float32)
    while x.shape[1] > MAX_PX and x.shape[1] % 2 == 0:
        x = _halve(x)
    return x


def _halve(x: np.ndarray) -> np.ndarray:
    """2 x 2 average pooling (the downsampling between MS-SSIM scales); odd edges are dropped."""
    h, w = x.shape[1] // 2 * 2, x.shape[2] // 2 * 2
    x = x[:, :h, :w]
    return 0.25 * (x[:, 0::2, 0::2] + x[:, 1::2, 0::2] + x[:, 0::2, 1::2] + x[:, 1::2, 1::2])


def _blur(x: np.ndarray) -> np.ndarray:
    return ndimage.gaussian_filter(x, sigma=(0, SIGMA, SIGMA, 0), truncate=TRUNCATE, mode="reflect")


class _Pyramid:
    """Each image at every scale with its local means and local mean squares, computed once per image.

    Pairs reuse their images' statistics; only the cross term E[xy] is blurred per pair.
    """

    def __init__(self, images: np.ndarray):
        x = _prepare(images)
        self.n_scales = scales_for(min(x.shape[1], x.shape[2]))
        self.levels = []
        for scale in range(self.n_scales):
            self.levels.append((x, _blur(x), _blur(x * x)))
            if scale < self.n_scales - 1:
                x = _halve(x)

    def ms_ssim(self, i: np.ndarray, j: np.ndarray, other: "_Pyramid | None" = None) -> np.ndarray:
        """MS-SSIM of images i[k] (of this pyramid) and j[k] (of `other`, default this one)."""
        other = other or self
        weights = WEIGHTS[: self.n_scales] / WEIGHTS[: self.n_scales].sum()
        c1, c2 = (K1 * 255) ** 2, (K2 * 255) ** 2
        result = np.ones((len(i), self.levels[0][0].shape[-1]))
        for scale, ((x, mx, xx), (y, my, yy)) in enumerate(zip(self.levels, other.levels, strict=True)):
            mx, my = mx[i], my[j]
            mxy = mx * my
            sxx, syy = xx[i] - mx * mx, yy[j] - my * my
            sxy = _blur(x[i] * y[j]) - mxy
            term = (2 * sxy + c2) / (sxx + syy + c2)
            if scale == self.n_scales - 1:
                term = term * (2 * mxy + c1) / (mx * mx + my * my + c1)
            # negative similarity (anti-correlated structure) counts as none, as in tf.image.ssim_multiscale
            result *= np.maximum(term.mean(axis=(1, 2)), 0.0) ** weights[scale]
        return result.mean(axis=1)


def ms_ssim(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MS-SSIM of each pair (a[k], b[k]) of uint8 images (N, H, W, C): an array of N values in [0, 1]."""
    if np.shape(a) != np.shape(b):
        raise ValueError(f"image pairs differ in shape: {np.shape(a)} and {np.shape(b)}")
    k = np.arange(len(a))
    return _Pyramid(a).ms_ssim(k, k, _Pyramid(b))


def random_pairs(n: int, pairs: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`pairs` random index pairs (i, j), i != j, from n items (all pairs if there are fewer)."""
    if n < 2:
        raise ValueError("diversity needs at least 2 images")
    if n * (n - 1) // 2 <= pairs:
        i, j = np.triu_indices(n, k=1)
        return i, j
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, pairs)
    j = (i + rng.integers(1, n, pairs)) % n  # never i itself
    return i, j


def mean_ms_ssim(images: np.ndarray, pairs: int = 256, seed: int = 0) -> float:
    """Mean MS-SSIM over random pairs of distinct samples (Odena et al. 2017 use 100 pairs per class)."""
    i, j = random_pairs(len(images), pairs, seed)
    pyramid = _Pyramid(images)
    return float(np.mean(np.concatenate([pyramid.ms_ssim(i[s : s + 512], j[s : s + 512])
                                         for s in range(0, len(i), 512)])))


def diversity(ms_ssim_generated: float, ms_ssim_real: float) -> float:
    """(1 - generated MS-SSIM) / (1 - real MS-SSIM): 1 = as varied as the real images, 0 = all the same."""
    return float((1.0 - ms_ssim_generated) / max(1.0 - ms_ssim_real, 1e-6))
