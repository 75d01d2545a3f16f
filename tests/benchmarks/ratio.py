"""The groups list against the minimal page, timed in turn (ten requests to each, again and again).

    python -m tests.benchmarks.ratio [--requests N] [DATABASE_URL ...]

pytest-benchmark times each page in its own run; on a machine whose speed drifts (these do, by
2x within minutes) the two medians can come from different moments. Here both pages are timed in
turn, N requests each, so a drift slows both alike: `make bench` judges its ratio this way too.
Without a URL: every benchmark dataset built (tests.benchmarks.datasets). Prints one line per
dataset; asserts nothing.
"""
import argparse
import statistics
import time

from app import create_app
from models import db

from .datasets import BENCH_DIR, available
from .minimal_app import create_minimal_app

PAGE_URL, FLOOR_URL = "/admin/groups/", "/groups/"


def _timed(client, url):
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, url
    return elapsed


def in_turns(page, floor, requests, turn=10, warmup=20):
    """(groups list median ms, minimal page median ms): `turn` requests to one page, then `turn`
    to the other, until each had `requests`. Turns of ten keep each page as warm in the CPU's
    caches as when it is timed alone (one request each in turn slowed the small page most: the
    ratio read ~0.2 lower) while a drift of the machine's speed still slows both alike."""
    for _ in range(warmup):
        _timed(page, PAGE_URL)
        _timed(floor, FLOOR_URL)
    page_times, floor_times = [], []
    for _ in range(max(1, requests // turn)):
        page_times += [_timed(page, PAGE_URL) for _ in range(turn)]
        floor_times += [_timed(floor, FLOOR_URL) for _ in range(turn)]
    return statistics.median(page_times) * 1000, statistics.median(floor_times) * 1000


def measure(url, requests):
    """(groups list median ms, minimal page median ms) on the database at `url`."""
    from . import bench_pages  # which imports in_turns from here

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "k" * 40,
                      "INSTANCE_PATH": str(BENCH_DIR / "instance")})
    with db.connection_context():
        bench_pages._ensure_accounts()
    page, floor = bench_pages._login(app, bench_pages.COORDINATION), create_minimal_app(url).test_client()
    return in_turns(page, floor, requests)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*", help="database URLs (default: every benchmark dataset)")
    parser.add_argument("--requests", type=int, default=400, help="requests to each page (default 400)")
    args = parser.parse_args()
    targets = [(url, url) for url in args.urls] or [(f"{d} {b}", url) for d, b, url in available()]
    for name, url in targets:
        page_ms, floor_ms = measure(url, args.requests)
        print(f"{name}: groups list {page_ms:.2f} ms, minimal page {floor_ms:.2f} ms, "
              f"ratio {page_ms / floor_ms:.2f}x", flush=True)


if __name__ == "__main__":
    main()
