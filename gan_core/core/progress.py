"""A terminal progress line with rate and ETA, for long dataset work (redrawn in place on a TTY).

Also a plain callable, so the app can pass its own `on_update(done, total, rate, eta)` instead.
"""

import sys
import time


class Progress:
    def __init__(self, total: int | None, what: str = "images", stream=None, every: float = 0.5):
        self.total, self.what, self.every = total, what, every
        self.stream = stream or sys.stderr
        self.done = 0
        self._t0 = self._last = time.perf_counter()
        self._tty = self.stream.isatty()

    @property
    def rate(self) -> float:
        return self.done / max(time.perf_counter() - self._t0, 1e-9)

    @property
    def eta(self) -> float | None:
        if not self.total or not self.done:
            return None
        return (self.total - self.done) / max(self.rate, 1e-9)

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self._last >= self.every or (self.total and self.done >= self.total):
            self._last = now
            self._draw()

    def _draw(self, end: str = "") -> None:
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(24 * frac)
            eta = self.eta
            line = f"[{bar:<24}] {self.done}/{self.total} {self.what}  {self.rate:.0f}/s"
            if eta is not None:
                line += f"  ETA {duration(eta)}"
        else:
            line = f"{self.done} {self.what}  {self.rate:.0f}/s"
        if self._tty:
            self.stream.write("\r" + line + "   " + end)
        elif end:
            self.stream.write(line + end)
        self.stream.flush()

    def close(self) -> None:
        self._draw(end="\n")


def duration(seconds: float | None) -> str:
    """A duration for people: "under 0.1 s", "4.2 s", "45 s", "12 min", "1 h 05 min" ("?" when unknown)."""
    if seconds is None:
        return "?"
    if 0 < seconds < 0.05:  # "0.0 s per epoch" reads as nothing measured
        return "under 0.1 s"
    if seconds < 10:
        return f"{max(seconds, 0):.1f} s"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"

