"""Procedurally drawn cartoon faces in the spirit of Simpsons frames.

Why: a download-free RGB set that a DCGAN visibly learns in stages: the flat, muted background first,
then a big yellow head, then the large white eyes with black pupils, then hair, nose and mouth.
Heads vary in skin tone (mostly yellow), size, place, tilt and turn; hair in style and colour; mouths,
ears, nose and stubble come and go. Each face is drawn with thick dark outlines on a supersampled
canvas and downscaled with Lanczos filtering, and depends only on (seed, index).
"""

from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageDraw

from gan_core.datasets.builtin.supersample import render

OUTLINE = (30, 24, 22)
WHITE = (252, 252, 248)
YELLOW = (255, 217, 15)
OTHER_SKINS = [
    (255, 208, 168),
    (236, 176, 128),
    (186, 126, 84),
    (128, 86, 58),
    (248, 230, 210),
    (160, 204, 96),
]
HAIR = {
    "black": (40, 36, 40),
    "brown": (112, 70, 36),
    "blue": (66, 104, 214),
    "grey": (160, 160, 166),
    "red": (206, 80, 36),
    "blonde": (250, 228, 120),
    "purple": (130, 80, 170),
}
SHIRTS = [(250, 250, 250), (238, 110, 40), (210, 40, 50), (70, 150, 80), (60, 90, 170), (130, 200, 230)]
WALLS = [
    (200, 160, 196),
    (160, 196, 170),
    (222, 200, 150),
    (150, 180, 212),
    (214, 170, 150),
    (186, 186, 160),
    (120, 162, 204),
    (204, 140, 120),
    (236, 214, 180),
    (140, 150, 190),
]


def _jitter(rng: np.random.Generator, colour, amount: float) -> tuple[int, int, int]:
    return tuple(int(v) for v in np.clip(np.asarray(colour) + rng.uniform(-amount, amount, 3), 0, 255))


def _mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(int(round(x * (1 - t) + y * t)) for x, y in zip(a, b, strict=True))


def _background(rng: np.random.Generator, size: int) -> Image.Image:
    """A plain wall, a two-tone wall, a sky or wall gradient, or a wall with a window."""
    wall = _jitter(rng, WALLS[rng.integers(len(WALLS))], 18)
    kind = rng.choice(4, p=[0.3, 0.3, 0.25, 0.15])
    if kind == 2:  # vertical gradient: a sky, or a lit wall
        if rng.random() < 0.5:
            top, bottom = _jitter(rng, (86, 140, 214), 20), _jitter(rng, (196, 220, 238), 15)
        else:
            top, bottom = _mix(wall, (40, 40, 50), 0.35), wall
        t = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
        rows = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
        return Image.fromarray(np.broadcast_to(rows, (size, size, 3)).astype(np.uint8))
    image = Image.new("RGB", (size, size), wall)
    draw = ImageDraw.Draw(image)
    if kind == 1:  # wall over a darker panel or floor, sometimes with a trim line
        y = int(size * rng.uniform(0.55, 0.85))
        lower = _mix(wall, _jitter(rng, (90, 70, 60), 30), rng.uniform(0.3, 0.6))
        draw.rectangle((0, y, size, size), fill=lower)
        if rng.random() < 0.5:
            draw.rectangle((0, y - size // 60, size, y + size // 60), fill=_mix(wall, (255, 255, 255), 0.4))
    elif kind == 3:  # a window with a bit of sky
        w, h = size * rng.uniform(0.25, 0.45), size * rng.uniform(0.25, 0.45)
        x, y = size * rng.uniform(-0.05, 0.95) - w / 2, size * rng.uniform(0.05, 0.5) - h / 2
        frame = _mix(wall, (255, 255, 255), 0.6)
        draw.rectangle(
            (x, y, x + w, y + h),
            fill=_jitter(rng, (140, 190, 236), 15),
            outline=frame,
            width=max(2, size // 40),
        )
        draw.line((x + w / 2, y, x + w / 2, y + h), fill=frame, width=max(1, size // 60))
    return image


def _head_outline(cx, cy, a, b, n, jaw, points=40) -> list[tuple[float, float]]:
    """A superellipse (a rounded, can-shaped head); the lower half is `jaw` times as wide."""
    t = np.linspace(0, 2 * np.pi, points, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    x = a * np.sign(c) * np.abs(c) ** (2 / n) * np.where(s > 0, jaw, 1.0)
    y = b * np.sign(s) * np.abs(s) ** (2 / n)
    return list(zip((cx + x).tolist(), (cy + y).tolist(), strict=True))


def _half_width(a, b, n, y) -> float:
    """Half the head width at height y from the centre (upper half)."""
    return a * max(0.0, 1 - abs(y / b) ** n) ** (1 / n)


def _draw_face(rng: np.random.Generator, size: int) -> Image.Image:
    u = rng.uniform
    image = _background(rng, size)
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    ow = max(2, round(size * u(0.018, 0.026)))  # outline width
    pen = dict(fill=OUTLINE, width=ow)  # for lines and arcs
    stroke = dict(outline=OUTLINE, width=ow)  # for filled shapes

    skin = _jitter(rng, YELLOW, 8) if rng.random() < 0.8 else _jitter(rng, OTHER_SKINS[rng.integers(6)], 10)
    w = size * u(0.44, 0.6)
    h = w * u(1.05, 1.35)
    a, b = w / 2, h / 2
    cx, cy = size * u(0.36, 0.64), size * u(0.5, 0.62)
    n, jaw = u(2.3, 3.6), u(0.92, 1.1)
    turn = u(-0.8, 0.8) if rng.random() < 0.7 else 0.0
    top = cy - b
    hair_style = rng.choice(
        ["spiky", "tower", "bald", "strands", "cap", "star", "none"],
        p=[0.22, 0.14, 0.16, 0.1, 0.22, 0.1, 0.06],
    )
    hair_colour = HAIR[rng.choice(list(HAIR))]
    if hair_style == "tower" and rng.random() < 0.75:
        hair_colour = _jitter(rng, HAIR["blue"], 20)
    if hair_style in ("spiky", "star") and rng.random() < 0.7:
        hair_colour = skin

    # Shirt and neck, when the chin leaves room for them.
    chin = cy + b
    if chin < size * 1.02:
        shirt = _jitter(rng, SHIRTS[rng.integers(len(SHIRTS))], 12)
        d.ellipse((cx - w * 0.95, chin + w * 0.05, cx + w * 0.95, chin + w * 1.2), fill=shirt, **stroke)
        d.rectangle((cx - w * 0.2, chin - b * 0.4, cx + w * 0.2, chin + w * 0.12), fill=skin, **stroke)

    # Hair that sits behind the head.
    if hair_style == "tower":
        tw, th = w * u(0.75, 1.0), h * u(0.7, 1.3)
        tx = cx + u(-0.08, 0.08) * w
        box = (tx - tw / 2, top - th, tx + tw / 2, top + b * 0.5)
        d.rounded_rectangle(box, radius=tw * 0.45, fill=hair_colour, **stroke)
        for k in range(3):  # a few curls drawn into the hair
            yy = top - th * (0.25 + 0.22 * k)
            d.arc(
                (tx - tw * 0.3, yy - tw * 0.15, tx + tw * 0.3, yy + tw * 0.15),
                200,
                340,
                fill=OUTLINE,
                width=max(1, ow // 2),
            )
    elif hair_style == "star":
        for ang in np.linspace(-160, -20, int(rng.integers(6, 10))):
            r = np.deg2rad(ang + u(-6, 6))
            base = np.array([cx + np.cos(r) * a * 0.8, cy + np.sin(r) * b * 0.8])
            tip = base + np.array([np.cos(r), np.sin(r)]) * h * u(0.3, 0.45)
            side = np.array([-np.sin(r), np.cos(r)]) * w * 0.1
            d.polygon(
                [tuple(base + side), tuple(tip), tuple(base - side)],
                fill=hair_colour,
                outline=OUTLINE,
                width=ow,
            )

    # Ears: drawn before the head so that only the outer half shows.
    ear_y, ear_r = cy + b * u(-0.05, 0.15), w * u(0.08, 0.12)
    for side in (-1, 1):
        if rng.random() < 0.85 and (abs(turn) < 0.35 or side * turn < 0):
            ex = cx + side * (_half_width(a, b, n, ear_y - cy) * (jaw if ear_y > cy else 1) - ear_r * 0.2)
            d.ellipse((ex - ear_r, ear_y - ear_r * 1.2, ex + ear_r, ear_y + ear_r * 1.2), fill=skin, **stroke)
            d.arc(
                (ex - ear_r * 0.5, ear_y - ear_r * 0.6, ex + ear_r * 0.5, ear_y + ear_r * 0.6),
                90 + side * 90 - 60,
                90 + side * 90 + 60,
                fill=OUTLINE,
                width=max(1, ow // 2),
            )

    head = _head_outline(cx, cy, a, b, n, jaw)
    d.polygon(head, fill=skin)
    d.line(head + head[:1], joint="curve", **pen)

    # Hair that sits on top of the head.
    hair_y = top + h * u(0.1, 0.2)
    hw = _half_width(a, b, n, hair_y - cy)
    if hair_style == "spiky":
        k = int(rng.integers(6, 10))
        xs = np.linspace(cx - hw - w * 0.03, cx + hw + w * 0.03, 2 * k + 1)
        spike = h * u(0.12, 0.22)
        ys = [top - spike * u(0.7, 1.1) if j % 2 else top + h * u(0.0, 0.05) for j in range(2 * k + 1)]
        zig = [(cx - hw, hair_y)] + list(zip(xs.tolist(), ys, strict=True)) + [(cx + hw, hair_y)]
        d.polygon(zig, fill=hair_colour)
        d.line(zig if hair_colour == skin else zig + zig[:1], joint="curve", **pen)
    elif hair_style == "cap":
        hair_y = top + h * u(0.18, 0.3)
        hw = _half_width(a, b, n, hair_y - cy)
        puff = u(1.0, 1.12)
        cap = [(cx + (x - cx) * puff, hair_y + (y - hair_y) * u(1.05, 1.25)) for x, y in head if y < hair_y]
        bumps = int(rng.integers(2, 5))
        edge = [
            (cx + hw - 2 * hw * j / (2 * bumps), hair_y + (h * 0.05 if j % 2 else 0))
            for j in range(2 * bumps + 1)
        ]
        shape = cap + edge
        d.polygon(shape, fill=hair_colour)
        d.line(shape + shape[:1], joint="curve", **pen)
    elif hair_style in ("bald", "strands"):
        hairs = 2 if hair_style == "bald" else int(rng.integers(3, 7))
        for j in range(hairs):
            x0 = cx + (j - (hairs - 1) / 2) * w * 0.12 + u(-0.03, 0.03) * w
            r = w * u(0.1, 0.18)
            d.arc(
                (x0 - r * 0.4, top - r * 1.6, x0 + r * 1.6, top + r * 0.4),
                180,
                270 + u(0, 60),
                fill=OUTLINE if hair_style == "bald" else _mix(hair_colour, OUTLINE, 0.3),
                width=ow,
            )

    # Stubble muzzle around the mouth (Homer-like), sometimes.
    mx = cx + turn * w * 0.15
    my = cy + b * u(0.45, 0.62)
    if rng.random() < 0.25:
        stubble = _mix(skin, (120, 96, 60), u(0.25, 0.5))
        mw, mh = w * u(0.32, 0.42), b * u(0.3, 0.45)
        d.ellipse((mx - mw, my - mh * 0.8, mx + mw, my + mh), fill=stubble, **stroke)

    # Mouth.
    mouth = rng.choice(["smile", "open", "line", "overbite", "grin"], p=[0.32, 0.2, 0.16, 0.16, 0.16])
    mw = w * u(0.14, 0.24)
    if mouth == "smile":
        d.arc((mx - mw, my - mw * 0.8, mx + mw, my + mw * 0.5), 15, 165, **pen)
    elif mouth == "line":
        dy = u(-0.1, 0.1) * mw
        d.line((mx - mw, my - dy, mx + mw, my + dy), **pen)
    elif mouth == "open":
        mh = mw * u(0.5, 1.0)
        d.chord((mx - mw, my - mh, mx + mw, my + mh), 0, 180, fill=(110, 28, 30), **stroke)
        d.chord((mx - mw * 0.6, my + mh * 0.3, mx + mw * 0.6, my + mh * 0.95), 180, 360, fill=(230, 110, 120))
        d.line((mx - mw, my, mx + mw, my), **pen)
    elif mouth == "grin":
        mh = mw * u(0.5, 0.8)
        d.chord((mx - mw, my - mh * 0.3, mx + mw, my + mh), 0, 180, fill=WHITE, **stroke)
        d.line(
            (mx - mw, my - mh * 0.3 + mh * 0.65, mx + mw, my - mh * 0.3 + mh * 0.65),
            fill=OUTLINE,
            width=max(1, ow // 2),
        )
        d.line((mx - mw, my, mx + mw, my), **pen)
    else:  # overbite: a wide upper lip over a small lower lip
        d.arc((mx - mw * 1.2, my - mw * 0.5, mx + mw * 1.2, my + mw * 0.5), 0, 180, **pen)
        d.arc((mx - mw * 0.5, my + mw * 0.2, mx + mw * 0.5, my + mw * 0.8), 20, 160, **pen)

    # Eyes: big white discs with black pupils, all looking the same way (the gaze).
    er = w * u(0.15, 0.19)  # radius: each eye about a third of the head width
    ey = cy - b * u(0.05, 0.3)
    ex = cx + turn * w * 0.18
    gap = er * u(0.9, 1.15)
    gaze = u(-1, 1, 2)
    gaze = gaze / max(1.0, float(np.hypot(*gaze)))
    lids = rng.random() < 0.3
    lid = u(0.25, 0.5)
    pr = er * u(0.2, 0.3)
    for side in (-1, 1):
        r = er * (1 - 0.2 * abs(turn) * (side * turn < 0))  # the far eye looks a little smaller
        x = ex + side * gap
        d.ellipse((x - r, ey - r, x + r, ey + r), fill=WHITE, **stroke)
        px, py = x + gaze[0] * (r - pr - ow) * 0.9, ey + gaze[1] * (r - pr - ow) * 0.9
        d.ellipse((px - pr, py - pr, px + pr, py + pr), fill=OUTLINE)
        if lids:  # half-closed lids
            ang = np.degrees(np.arcsin(1 - 2 * lid))
            d.chord((x - r, ey - r, x + r, ey + r), 180 + ang, 360 - ang, fill=skin, **stroke)

    # Nose: a rounded bump below the eyes, shifted towards the turn.
    if rng.random() < 0.85:
        nx, ny = cx + turn * w * 0.26, ey + er * u(0.9, 1.2)
        nr = w * u(0.055, 0.085)
        nh = nr * u(0.9, 1.4)
        d.ellipse((nx - nr, ny - nh, nx + nr, ny + nh), fill=skin)
        d.arc((nx - nr, ny - nh, nx + nr, ny + nh), -40 + 40 * turn, 220 + 40 * turn, **pen)

    angle = u(-12, 12)
    if abs(angle) > 1:
        # Nearest-neighbour is enough: the Lanczos downscale smooths the supersampled edges.
        layer = layer.rotate(angle, resample=Image.Resampling.NEAREST, center=(cx, cy))
    image.paste(layer, (0, 0), layer)
    return image


def generate(count: int, resolution: int, seed: int) -> Iterator[np.ndarray]:
    return render(lambda rng, size, _: _draw_face(rng, size), count, resolution, seed)
