"""Long work in a page: `gan_core.core.progress.Progress`-compatible updates drawn on an `st.progress` bar."""

import time


class BarProgress:
    """Counts done items and redraws the bar (with rate and ETA) at most every 0.2 s."""

    def __init__(self, bar, total: int, what: str = "images"):
        self.bar, self.total, self.what = bar, total, what
        self.done, self._t0, self._last = 0, time.perf_counter(), 0.0

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self._last >= 0.2 or self.done >= self.total:
            self._last = now
            rate = self.done / max(now - self._t0, 1e-9)
            eta = (self.total - self.done) / max(rate, 1e-9)
            text = f"{self.done:,} of {self.total:,} {self.what} · {rate:,.0f}/s · about {eta:.0f} s left"
            self.bar.progress(min(self.done / self.total, 1.0), text=text)

    def close(self) -> None:
        self.bar.empty()
