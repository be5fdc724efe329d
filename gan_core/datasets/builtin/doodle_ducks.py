"""Hand-drawn-looking duck doodles, as in the "draw a duck" challenge.

Why: a download-free RGB set of simple line drawings with real stylistic variety. Each duck is a
body with a pointed tail, a head, a beak, an eye, and maybe a wing, legs or a water line, drawn in
dark pen strokes on white or off-white paper. Outlines wobble with smooth low-frequency noise and
vary in width; some ducks are coloured in with a slightly sloppy marker fill, some are pure line art.
Ducks face left or right and vary in size and place. Each image depends only on (seed, index).
"""

from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageDraw

from gan_core.datasets.builtin.supersample import render

PAPERS = [(255, 255, 255), (250, 248, 240), (246, 242, 226), (240, 240, 236), (252, 246, 232)]
INKS = [(20, 20, 24), (34, 40, 90), (70, 70, 74), (50, 30, 24), (20, 60, 40)]
FILLS = [
    (255, 214, 40),
    (255, 226, 90),
    (250, 196, 30),
    (240, 240, 240),
    (150, 110, 70),
    (120, 190, 120),
    (120, 170, 230),
    (240, 150, 60),
]
BEAKS = [(250, 140, 30), (245, 110, 20), (250, 180, 40)]
WATER = (90, 150, 220)


def _wobble(rng: np.random.Generator, n: int, amount: float) -> np.ndarray:
    """Smooth low-frequency noise over a closed loop of n points, roughly within +-amount."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    noise = np.zeros(n)
    for k in (1, 2, 3, 4):
        noise += rng.normal(0, 1 / k) * np.sin(k * t + rng.uniform(0, 2 * np.pi))
    return amount * noise / 1.6


def _blob(rng, cx, cy, rx, ry, wobble, n=48, bump=None) -> np.ndarray:
    """A wobbly closed ellipse as (n, 2) points; `bump` = (angle, height, width) pulls out a point."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = 1 + _wobble(rng, n, wobble)
    if bump is not None:
        angle, height, width = bump
        dist = np.angle(np.exp(1j * (t - angle)))
        r = r + height * np.exp(-((dist / width) ** 2))
    return np.stack([cx + rx * r * np.cos(t), cy + ry * r * np.sin(t)], axis=1)


def _stroke(draw: ImageDraw.ImageDraw, points: np.ndarray, colour, width: int, closed: bool = True) -> None:
    pts = [tuple(p) for p in points.tolist()]
    if closed:
        pts.append(pts[0])
    draw.line(pts, fill=colour, width=width, joint="curve")


def _wavy(rng, x0, x1, y, amp, size) -> np.ndarray:
    xs = np.linspace(x0, x1, 40)
    phase, freq = rng.uniform(0, 2 * np.pi), rng.uniform(3, 6) * 2 * np.pi / size
    return np.stack([xs, y + amp * np.sin(xs * freq + phase) + _wobble(rng, 40, amp * 0.5)], axis=1)


def _draw_duck(rng: np.random.Generator, size: int, min_pen: float) -> Image.Image:
    u = rng.uniform
    paper = PAPERS[rng.integers(len(PAPERS))]
    image = Image.new("RGB", (size, size), paper)
    d = ImageDraw.Draw(image)
    ink = INKS[rng.integers(len(INKS))]
    pen = round(max(min_pen, size * u(0.016, 0.03)))  # stroke width
    wob = u(0.02, 0.07)

    if rng.random() < 0.2:  # lined notebook paper
        gap = size * u(0.08, 0.14)
        for y in np.arange(u(0, gap), size, gap):
            d.line((0, y, size, y), fill=(190, 210, 235), width=max(1, size // 128))

    # 0: line art, 1: marker fill, 2: marker fill with sketchy double lines
    style = rng.choice(3, p=[0.45, 0.4, 0.15])
    body_fill = FILLS[rng.integers(len(FILLS))] if rng.random() < 0.75 else FILLS[0]
    beak_fill = BEAKS[rng.integers(len(BEAKS))]

    # The duck faces right here; the image is mirrored at the end half of the time.
    s = size * u(0.52, 0.76)  # overall duck size
    brx, bry = s * u(0.36, 0.44), s * u(0.2, 0.27)
    hr = s * u(0.14, 0.19)
    head_dx, head_dy = brx * u(0.5, 0.75), -bry * u(0.9, 1.5) - hr * 0.3
    water = rng.random() < 0.35
    legs = not water and rng.random() < 0.6
    leg_len = s * u(0.12, 0.2)
    # Centre the whole duck (tail to beak, head to feet), then move it within the room that is left.
    left, right = brx * 1.3, head_dx + hr * 1.9
    up, down = hr - head_dy, bry + (leg_len if legs else 0)
    bx = (size + left - right) / 2 + u(-0.45, 0.45) * max(0.0, size - left - right) + u(-0.03, 0.03) * size
    by = (size + up - down) / 2 + u(-0.45, 0.45) * max(0.0, size - up - down) + u(-0.03, 0.03) * size
    tail = (np.pi + u(0.35, 0.7), u(0.3, 0.55), u(0.25, 0.4))  # pointing back and up
    body = _blob(rng, bx, by, brx, bry, wob, bump=tail)
    hx, hy = bx + head_dx, by + head_dy
    head = _blob(rng, hx, hy, hr, hr * u(0.92, 1.08), wob)

    if legs:  # two stick legs with webbed feet, under the body
        for lx in (bx - brx * 0.2, bx + brx * 0.2):
            top, foot = by + bry * 0.85, by + bry + leg_len * u(0.85, 1.0)
            d.line((lx, top, lx + u(-0.02, 0.02) * s, foot), fill=ink, width=pen)
            fw = s * u(0.07, 0.11)
            feet = [(lx - fw * 0.2, foot), (lx + fw, foot + fw * 0.15), (lx + fw * 0.7, foot - fw * 0.35)]
            d.polygon(feet, fill=beak_fill if style else None, outline=ink, width=pen)

    filled = style != 0
    offset = np.array([u(-0.03, 0.03), u(-0.03, 0.03)]) * s  # a marker rarely stays inside the lines
    for shape in (body, head):
        if filled:
            d.polygon([tuple(p) for p in (shape + offset).tolist()], fill=body_fill)
        elif shape is head:  # line art: paper hides the body strokes behind the head
            d.polygon([tuple(p) for p in shape.tolist()], fill=paper)
        _stroke(d, shape, ink, pen)
        if style == 2:  # sketchy: a second, thinner pass that does not quite follow the first
            shift = _wobble(rng, len(shape), pen * 1.5)[:, None] * np.array([[1.0, -0.7]])
            _stroke(d, shape + shift, ink, max(1, pen // 2))

    # Beak: a rounded wedge sticking out of the front of the head.
    bl, bh = hr * u(0.6, 1.1), hr * u(0.3, 0.5)
    ang = u(-0.25, 0.2)
    root = np.array([hx + hr * 0.8, hy + hr * 0.15])
    tip = root + bl * np.array([np.cos(ang), np.sin(ang)])
    normal = np.array([-np.sin(ang), np.cos(ang)])
    beak = np.array(
        [
            root - normal * bh * 0.6,
            tip - normal * bh * 0.15,
            tip + normal * bh * 0.25,
            root + normal * bh * 0.7,
        ]
    )
    beak = beak + rng.normal(0, hr * 0.03, beak.shape)
    d.polygon([tuple(p) for p in beak.tolist()], fill=beak_fill if filled or rng.random() < 0.3 else paper)
    _stroke(d, beak, ink, pen)
    if rng.random() < 0.5:  # the line between upper and lower beak
        _stroke(
            d, np.array([root, root + (tip - root) * 0.8 + normal * bh * 0.05]), ink, max(1, pen // 2), False
        )

    # Eye: a dot, or a ring with a dot.
    er = hr * u(0.12, 0.22)
    ex, ey = hx + hr * u(0.15, 0.4), hy - hr * u(0.05, 0.3)
    if rng.random() < 0.5:
        d.ellipse(
            (ex - er * 1.6, ey - er * 1.6, ex + er * 1.6, ey + er * 1.6),
            fill=(255, 255, 255),
            outline=ink,
            width=max(1, pen // 2 + 1),
        )
    d.ellipse((ex - er, ey - er, ex + er, ey + er), fill=ink)

    if rng.random() < 0.7:  # wing: a wobbly arc or a teardrop on the body
        wing = _blob(
            rng,
            bx - brx * u(0.0, 0.2),
            by - bry * u(-0.1, 0.2),
            brx * u(0.4, 0.6),
            bry * u(0.35, 0.55),
            wob,
            bump=(np.pi + u(-0.2, 0.3), u(0.2, 0.5), 0.3),
        )
        if rng.random() < 0.5:
            _stroke(d, wing[4:28], ink, pen, closed=False)
        else:
            if filled:
                d.polygon([tuple(p) for p in wing.tolist()], fill=tuple(int(c * 0.85) for c in body_fill))
            _stroke(d, wing, ink, pen)

    if water:  # a wavy water line over the lower body, with water below
        wy = by + bry * u(0.2, 0.6)
        wave = _wavy(rng, -size * 0.05, size * 1.05, wy, size * u(0.008, 0.02), size)
        if rng.random() < 0.6:
            below = [tuple(p) for p in wave.tolist()] + [
                (size * 1.05, size * 1.05),
                (-size * 0.05, size * 1.05),
            ]
            d.polygon(below, fill=tuple(int(p * 0.6 + w * 0.4) for p, w in zip(paper, WATER, strict=True)))
        else:
            d.rectangle((0, wy + size * 0.02, size, size), fill=paper)
        _stroke(d, wave, ink if rng.random() < 0.5 else WATER, pen, closed=False)
        for _ in range(int(rng.integers(0, 3))):  # a few ripple strokes
            rx, ry = u(0.1, 0.9) * size, wy + u(0.08, 0.3) * size
            _stroke(
                d,
                _wavy(rng, rx - size * 0.08, rx + size * 0.08, ry, size * 0.01, size),
                ink,
                max(1, pen // 2),
                closed=False,
            )

    if rng.random() < 0.5:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return image


def generate(count: int, resolution: int, seed: int) -> Iterator[np.ndarray]:
    # Strokes at least ~1.1 pixels wide in the final image, so that they stay dark at small sizes.
    return render(lambda rng, size, res: _draw_duck(rng, size, min_pen=1.1 * size / res), count, resolution, seed)
