"""The feature space for precision, recall, density, coverage and KID: thumbnail, HOG, statistics, structure.

Kynkäänniemi et al. 2019 measure precision and recall with k-nearest-neighbour balls in a feature
space where distance means "looks different"; they use VGG-16 features. We use a hand-made one, on
every image brought to 32 x 32 px first (so runs at any resolution are measured with the same ruler):

- `thumbnail`: the image shrunk to 8 x 8 (area average), per channel: layout and colour.
- `hog`: histograms of oriented gradients (Dalal and Triggs 2005) of the grey image, lightly blurred
  (Gaussian, sigma 1 px), 9 unsigned orientation bins in 4 x 4 cells of 8 x 8 px, the whole descriptor
  L2-normalised: shape and edges, indifferent to brightness and to shifts of a pixel or two.
- `statistics`: sharpness, contrast and colourfulness, three numbers a viewer notices at once.
- `structure`: how fine the detail is: the RMS difference between pixels 1, 2 and 4 px apart (at 32 px;
  measured on the image at its own size), each as a ratio to the difference 8 px apart, the log of that
  8 px difference, and one-pixel detail above 32 px (a structure function, the pixel-space cousin of the
  power spectrum). Real pictures sit between two extremes that a viewer
  rejects at a glance: noise and pixel-shuffled pictures change as much from one pixel to the next as
  across 8 px (ratios near 1), blurred ones hardly change at 1 px (ratios near 0), blank and flat ones
  not at all.

Each block is centred on the *real* reference images and divided by their root-mean-square distance
from that centre (one number per block for the thumbnail and HOG, one per measure for the statistics and structure),
so the four blocks count the same, and a pixel that never changes in the data (a doodle's white
margin) cannot turn a little generator grain into a huge distance. The statistics block is there
because of a weakness of k-NN precision with few samples: in a space of a few hundred dimensions each
real image's neighbourhood ball is so wide that the *average* of the data sits inside most of them, and
without it a grid of identical blurry blobs from epoch 1 scored precision 1.0; with it, 0.0.

Why the structure block, decided by measurement (256 real images of each built-in set against 256 other
pictures; the full table is in benchmarks/LOG.md, "Known answers"): without it, at 64 px, uniform noise
scored precision 0.97 against cartoon faces and pixel-shuffled faces 0.78, and at 32 px pixel-shuffled
crops of `photo-patches` 0.95 (same colours, random HOG: just like the textured crops). With it, every
such case scores 0.00-0.04 on every built-in set at 32 and 64 px, while held-out real images keep all
four scores at 0.89 or more. It is measured at the image's own size because shrinking 64 px noise to 32 px
averages away exactly the pixel-to-pixel change that gives it away (shuffled photo crops still scored 0.20
when it was measured at 32 px). Tried and dropped: the structure measures as plain logs in the statistics
block (heavily blurred photos 0.43), a rank (quantile) transform of the scalar measures (flat colours and
blank pictures then landed inside cartoon faces: clipping the tails pulls them in), and a heavier weight
for the block. Not tried: a feature network trained on the dataset itself; the hand-made space already
meets every known answer, costs no training, and stays the same ruler for every run.

What the space cannot fix alone: k-NN precision trusts the real set's outliers. `photo-patches` once held
a few out-of-focus crops (the flower's blurred background, haze) with wide balls, and heavily blurred
crops fell into them (precision 0.41); the set's builder now redraws such crops. Read density next to
precision when a real set has odd members (a film's fades, black frames): Naeem et al. made it for that.

The blur and the whole-descriptor normalisation serve robustness: with them, real images with added
noise (sigma 8/255) keep precision and recall near 0.9 on every built-in set, where per-dimension
standardisation and per-cell normalisation dropped them to ~0 on digits and doodles.

Why not a pretrained network (Inception, VGG): workshops run offline on laptops and we download no
weights; ImageNet features are also a poor ruler for 32 px doodles and cartoon faces. Why not the run's
own discriminator: it changes every epoch (scores would not be comparable across epochs or runs), it is
trained to be fooled in exactly the ways the generator found, and a folder of images has none. A fixed,
documented, hand-made space is the same for every run, epoch, folder and machine, costs well under a
millisecond per image in numpy, and ties the numbers to what a viewer sees: how the picture is laid out
and coloured, and where its edges run.
"""

import numpy as np
from PIL import Image
from scipy import ndimage

SIZE = 32  # every image is measured at this size
THUMB = 8
CELL = 8
BINS = 9
BLUR = 1.0  # px, before the gradients
EPS = 1.0  # in the descriptor's L2 norm: an almost flat image gets an almost zero descriptor
LAGS = (1, 2, 4, 8)  # px at 32 px: the structure function's distances
FLOOR = 0.004  # added to each RMS difference (about 1/255): a flat image's ratios are 1, its log finite


def conform(images: np.ndarray, size: int, channels: int) -> np.ndarray:
    """uint8 images (N, H, W, C) to (N, size, size, channels), as the training pipeline sees its data.

    Grey to RGB repeats the plane; RGB to grey uses the ITU-R 601 luma weights (as
    `tf.image.rgb_to_grayscale`); the size changes by area averaging (`PIL` BOX) down, bilinear up.
    """
    x = np.asarray(images)
    if x.ndim == 3:
        x = x[..., None]
    if x.shape[-1] == 3 and channels == 1:
        x = np.rint(x.astype(np.float32) @ np.array([0.2989, 0.587, 0.114], np.float32))[..., None]
        x = np.clip(x, 0, 255).astype(np.uint8)
    elif x.shape[-1] == 1 and channels == 3:
        x = np.repeat(x, 3, axis=-1)
    if x.shape[1] == x.shape[2] == size:
        return x
    method = Image.Resampling.BOX if x.shape[1] >= size else Image.Resampling.BILINEAR
    out = np.empty((len(x), size, size, x.shape[-1]), np.uint8)
    for i, image in enumerate(x):
        for k in range(x.shape[-1]):
            out[i, ..., k] = np.asarray(Image.fromarray(np.ascontiguousarray(image[..., k])).resize((size, size),
                                                                                                      method))
    return out


def resize(images: np.ndarray, size: int = SIZE) -> np.ndarray:
    """uint8 (N, H, W, C) to float32 (N, size, size, C) in [0, 1]; area averaging when shrinking."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    n, h, w, c = images.shape
    if h == w == size:
        return images.astype(np.float32) / 255.0
    if h % size == 0 and w % size == 0:  # whole-factor shrink: exact area average, vectorised
        f = h // size
        x = images.reshape(n, size, f, size, w // size, c).astype(np.float32).mean(axis=(2, 4))
        return x / 255.0
    out = np.empty((n, size, size, c), np.float32)
    for i, image in enumerate(images):
        planes = [Image.fromarray(image[..., k]).resize((size, size), Image.Resampling.BOX) for k in range(c)]
        out[i] = np.stack([np.asarray(p, np.float32) for p in planes], axis=-1)
    return out / 255.0


def thumbnail(x: np.ndarray) -> np.ndarray:
    """(N, 32, 32, C) floats to (N, 8 * 8 * C): the area-averaged 8 x 8 picture."""
    n, s, _, c = x.shape
    f = s // THUMB
    return x.reshape(n, THUMB, f, THUMB, f, c).mean(axis=(2, 4)).reshape(n, -1)


def smooth_grey(x: np.ndarray) -> np.ndarray:
    """(N, 32, 32, C) floats to the grey image after a `BLUR` px Gaussian (so pixel noise barely counts)."""
    return ndimage.gaussian_filter(x.mean(axis=-1), sigma=(0, BLUR, BLUR), mode="nearest")


def hog(x: np.ndarray, grey: np.ndarray | None = None) -> np.ndarray:
    """(N, 32, 32, C) floats to (N, 4 * 4 * 9): gradient-orientation histograms per cell, L2-normalised."""
    grey = smooth_grey(x) if grey is None else grey
    gy = np.zeros_like(grey)
    gx = np.zeros_like(grey)
    gy[:, 1:-1] = grey[:, 2:] - grey[:, :-2]
    gx[:, :, 1:-1] = grey[:, :, 2:] - grey[:, :, :-2]
    magnitude = np.hypot(gx, gy)
    angle = np.mod(np.arctan2(gy, gx), np.pi)  # unsigned orientation in [0, pi)
    position = angle / np.pi * BINS - 0.5  # bin centres at (k + 0.5) * pi / BINS; vote split linearly
    low = np.floor(position).astype(np.int64)
    frac = position - low
    n, s, _ = grey.shape
    cells = s // CELL
    cell_of_pixel = ((np.arange(s) // CELL)[:, None] * cells + (np.arange(s) // CELL)[None, :]).ravel()
    base = (np.arange(n)[:, None] * cells * cells + cell_of_pixel[None, :]) * BINS  # (n, s*s)
    magnitude, low, frac = magnitude.reshape(n, -1), low.reshape(n, -1), frac.reshape(n, -1)
    size = n * cells * cells * BINS
    hist = np.bincount((base + np.mod(low, BINS)).ravel(), (magnitude * (1 - frac)).ravel(), size)
    hist += np.bincount((base + np.mod(low + 1, BINS)).ravel(), (magnitude * frac).ravel(), size)
    hist = hist.reshape(n, -1)
    return hist / np.sqrt((hist**2).sum(axis=-1, keepdims=True) + EPS**2)


def statistics(x: np.ndarray, smooth: np.ndarray | None = None) -> np.ndarray:
    """(N, 32, 32, C) floats to (N, 3): sharpness, contrast and colourfulness, the first things one notices.

    sharpness: mean gradient magnitude of the grey image after the same 1 px blur as `hog` (so pixel
    noise barely counts); contrast: standard deviation of the grey image; colourfulness: Hasler and
    Suesstrunk's (2003) measure, 0 for grey images.
    """
    grey = x.mean(axis=-1)
    smooth = smooth_grey(x) if smooth is None else smooth
    gy, gx = np.gradient(smooth, axis=(1, 2))
    sharpness = np.hypot(gx, gy).mean(axis=(1, 2))
    contrast = grey.std(axis=(1, 2))
    if x.shape[-1] >= 3:
        rg = x[..., 0] - x[..., 1]
        yb = 0.5 * (x[..., 0] + x[..., 1]) - x[..., 2]
        colour = (np.hypot(rg.std(axis=(1, 2)), yb.std(axis=(1, 2)))
                  + 0.3 * np.hypot(rg.mean(axis=(1, 2)), yb.mean(axis=(1, 2))))
    else:
        colour = np.zeros(len(x), x.dtype)
    return np.stack([sharpness, contrast, colour], axis=1)


def structure(images: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W, C) to (N, 5): how fine the detail is (see the module docstring).

    Measured on the grey image at its own size (shrinking to 32 px would average pixel noise away): RMS
    difference d(s) between pixels s = 1, 2, 4, 8 x (size / 32) px apart (rows and columns), as d(1)/d(8),
    d(2)/d(8), d(4)/d(8) and log d(8) in those units, and d(one pixel)/d(1): the finest detail, which is 1
    at 32 px and tells noise from texture above it. `FLOOR` is added to every d first.
    """
    x = np.asarray(images)
    grey = (x if x.ndim == 3 else x.mean(axis=-1, dtype=np.float32)).astype(np.float32) / 255.0
    unit = max(1, grey.shape[1] // SIZE)

    def rms(s: int) -> np.ndarray:
        dx = grey[:, :, s:] - grey[:, :, :-s]
        dy = grey[:, s:] - grey[:, :-s]
        return np.sqrt(0.5 * ((dx**2).mean(axis=(1, 2)) + (dy**2).mean(axis=(1, 2)))) + FLOOR

    d = np.stack([rms(s * unit) for s in LAGS], axis=1)
    finest = rms(1)[:, None] / d[:, :1]
    return np.concatenate([d[:, :-1] / d[:, -1:], np.log(d[:, -1:]), finest], axis=1)


def raw_features(images: np.ndarray) -> list[np.ndarray]:
    """The feature blocks of uint8 images, before standardisation."""
    x = resize(images)
    smooth = smooth_grey(x)
    return [thumbnail(x), hog(x, smooth), statistics(x, smooth), structure(images)]


class FeatureSpace:
    """The centring and scale fitted on real images; `embed` maps any images of the same kind into it."""

    def __init__(self, reference: np.ndarray):
        blocks = raw_features(reference)
        self.centre = [b.mean(axis=0) for b in blocks]
        # thumbnail and HOG: one scale for the whole block; statistics and structure: one per measure
        # (they have different units), with a floor so a measure that never varies in the data (colour
        # of grey images) cannot blow up
        self.scale = [max(float(np.sqrt(((b - c) ** 2).sum(axis=1).mean())), 1e-6)
                      for b, c in zip(blocks[:2], self.centre[:2], strict=True)]
        for block, centre in zip(blocks[2:], self.centre[2:], strict=True):
            spread = block.std(axis=0)
            self.scale.append(np.maximum(spread, 0.1 * np.abs(centre) + 1e-3) * np.sqrt(len(spread)))
        self.reference = self._standardise(blocks)

    def _standardise(self, blocks: list[np.ndarray]) -> np.ndarray:
        parts = [(b - c) / s for b, c, s in zip(blocks, self.centre, self.scale, strict=True)]
        return np.concatenate(parts, axis=1).astype(np.float64)

    def embed(self, images: np.ndarray) -> np.ndarray:
        return self._standardise(raw_features(images))
