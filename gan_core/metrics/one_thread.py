"""scikit-learn's distance searches on one thread, without rescanning the process's libraries each time.

On a busy 2-core machine (a trainer next door) OpenMP's spinning threads made a 256-point neighbour query
10x slower, so every search in this package runs on one thread. `threadpoolctl.threadpool_limits(1)` builds
a new controller on every call, which reads /proc/self/maps and opens each loaded BLAS and OpenMP library:
4 ms a call, eight calls per scored epoch, a fifth of the scoring (benchmarks/LOG.md). One controller,
made on first use (after scikit-learn, scipy and numpy have loaded theirs), limits the same libraries.
"""

import functools

from threadpoolctl import ThreadpoolController


@functools.cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


def one_thread():
    """A context manager: BLAS and OpenMP on one thread inside it, as before it outside."""
    return _controller().limit(limits=1)
