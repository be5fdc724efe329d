"""The scoring's one-thread limit: it limits every BLAS and OpenMP pool, restores them, and scans once."""

from threadpoolctl import ThreadpoolController, threadpool_info

from gan_core.metrics import epoch_scores  # noqa: F401  (loads scikit-learn's and scipy's libraries first)
from gan_core.metrics.one_thread import one_thread


def pools() -> dict:
    return {(p["internal_api"], p["filepath"]): p["num_threads"] for p in threadpool_info()}


def test_one_thread_limits_every_pool_and_restores_them():
    before = pools()
    with one_thread():
        inside = pools()
    assert inside and set(inside) == set(before)
    assert set(inside.values()) == {1}
    assert pools() == before


def test_the_libraries_are_scanned_once_not_per_search(monkeypatch):
    with one_thread():  # the first use may scan
        pass
    scans = []
    original = ThreadpoolController._load_libraries
    monkeypatch.setattr(ThreadpoolController, "_load_libraries", lambda self: scans.append(1) or original(self))
    for _ in range(3):
        with one_thread():
            pass
    assert scans == []
