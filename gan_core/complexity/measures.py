"""Per-frame measures of visual complexity, each from the paper or standard that defines it.

All take uint8 frames (N, H, W, C) with C = 1 (grey) or 3 (RGB) and return one number per frame (or
per pair of frames), so a dataset's value is a plain summary over a sample. No Streamlit, no TensorFlow.

- compressed size: lossless PNG bits per pixel (Pillow, zlib level 9); a flat frame packs into a few
  bits, noise into about 8 per channel.
- spatial / temporal information: ITU-T P.910 (2022) SI and TI on luma: the standard deviation over
  the frame of the Sobel gradient magnitude (SI) or of the difference to the previous frame (TI).
- colourfulness: Hasler and Süsstrunk (2003), from the opponent channels rg = R - G, yb = (R + G) / 2 - B.
- palette entropy: Shannon entropy (bits) of the frame's colours with 8 levels per channel (512 colours).
- edge density: share of pixels that Canny's detector (scikit-image, sigma 1) marks as edges.
- intrinsic dimensionality: PCA components (scikit-learn) that explain 95 % of the variance of a set.
"""

import io

import numpy as np
from PIL import Image
from skimage.feature import canny
from sklearn.decomposition import PCA

PALETTE_LEVELS = 8  # per channel: 512 colours, so a frame's palette entropy is at most 9 bits
PCA_SIDE = 32  # frames are reduced to at most 32 x 32 before PCA, so every resolution is compared alike
EXPLAINED = 0.95


def luma(frames: np.ndarray) -> np.ndarray:
    """Y of ITU-R BT.601 on the 0-255 scale, as float32 (N, H, W)."""
    frames = np.asarray(frames, np.float32)
    if frames.shape[-1] == 1:
        return frames[..., 0]
    return frames[..., 0] * 0.299 + frames[..., 1] * 0.587 + frames[..., 2] * 0.114


def png_bits_per_pixel(frames: np.ndarray) -> np.ndarray:
    out = np.empty(len(frames))
    for i, frame in enumerate(frames):
        buffer = io.BytesIO()
        Image.fromarray(frame[..., 0] if frame.shape[-1] == 1 else frame).save(buffer, "PNG", compress_level=9)
        out[i] = 8 * buffer.tell() / (frame.shape[0] * frame.shape[1])
    return out


def spatial_information(frames: np.ndarray) -> np.ndarray:
    """P.910 SI of each frame on its own: the spread of the Sobel gradient magnitude of its luma.

    The Sobel kernels are applied to each frame alone, inside the frame (the valid 3 x 3 region, one
    pixel short of each border, as P.910 and `siti-tools` crop): a filter run over the whole (N, H, W)
    stack would also smooth across neighbouring frames, which made SI depend on the frames beside it.
    """
    y = luma(frames).astype(np.float64)
    # Sobel = [1, 2, 1] smoothing along one axis times the [-1, 0, 1] difference along the other
    rows = y[:, :-2] + 2 * y[:, 1:-1] + y[:, 2:]  # smoothed down the columns: (N, H-2, W)
    cols = y[:, :, :-2] + 2 * y[:, :, 1:-1] + y[:, :, 2:]  # smoothed along the rows: (N, H, W-2)
    gx = rows[:, :, 2:] - rows[:, :, :-2]
    gy = cols[:, 2:] - cols[:, :-2]
    return np.hypot(gx, gy).reshape(len(y), -1).std(axis=1)


def temporal_information(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """P.910 TI for pairs of consecutive frames."""
    difference = luma(after).astype(np.float64) - luma(before).astype(np.float64)
    return difference.reshape(len(difference), -1).std(axis=1)


def colourfulness(frames: np.ndarray) -> np.ndarray:
    """Hasler and Süsstrunk's M; 0 for grey frames. Their scale: 15 slightly, 33 moderately, 59 quite,
    82 highly, 109 extremely colourful."""
    if frames.shape[-1] == 1:
        return np.zeros(len(frames))
    rgb = np.asarray(frames, np.float32).reshape(len(frames), -1, 3)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    spread = np.sqrt(rg.std(axis=1) ** 2 + yb.std(axis=1) ** 2)
    mean = np.sqrt(rg.mean(axis=1) ** 2 + yb.mean(axis=1) ** 2)
    return spread + 0.3 * mean


def palette_entropy(frames: np.ndarray) -> np.ndarray:
    levels = (np.asarray(frames, np.uint16) * PALETTE_LEVELS) >> 8  # 0..7 per channel
    codes = np.zeros(frames.shape[:3], np.int32)
    for c in range(frames.shape[-1]):
        codes = codes * PALETTE_LEVELS + levels[..., c]
    out = np.empty(len(frames))
    bins = PALETTE_LEVELS ** frames.shape[-1]
    for i, frame in enumerate(codes.reshape(len(frames), -1)):
        p = np.bincount(frame, minlength=bins) / frame.size
        p = p[p > 0]
        out[i] = float(-(p * np.log2(p)).sum())
    return out


def edge_density(frames: np.ndarray) -> np.ndarray:
    y = luma(frames) / 255.0
    return np.array([canny(frame, sigma=1.0).mean() for frame in y])


def for_pca(frames: np.ndarray) -> np.ndarray:
    """Frames as float rows, reduced by box averaging to at most PCA_SIDE pixels a side."""
    frames = np.asarray(frames, np.float32) / 255.0
    side = frames.shape[1]
    factor = max(1, side // PCA_SIDE)
    if factor > 1:
        n, _, _, c = frames.shape
        frames = frames.reshape(n, side // factor, factor, side // factor, factor, c).mean(axis=(2, 4))
    return frames.reshape(len(frames), -1)


def intrinsic_dimension(rows: np.ndarray, explained: float = EXPLAINED) -> int:
    """How many principal components it takes to explain `explained` of the variance of the rows."""
    if len(rows) < 2 or rows.var(axis=0).sum() < 1e-8:  # every frame the same: nothing varies
        return 0
    # more frames than pixels: eigenvectors of the covariance are much faster and give the same spectrum
    pca = PCA(svd_solver="covariance_eigh" if len(rows) > rows.shape[1] else "full").fit(rows)
    return int(np.searchsorted(np.cumsum(pca.explained_variance_ratio_), explained - 1e-9) + 1)
