"""clock.ExternalClock: the lease clock, read from the store's database and extrapolated in between."""

from __future__ import annotations

import time

from riverbed.clock import ExternalClock


def test_reads_the_authority_once_per_resync_and_moves_with_real_time_in_between():
    reads: list[float] = []

    def authority() -> float:
        reads.append(time.perf_counter())
        return 5_000.0

    clock = ExternalClock(authority, resync_seconds=0.2)
    first = clock.now()
    assert abs(first - 5_000.0) < 0.05 and len(reads) == 1
    time.sleep(0.05)
    second = clock.now()
    assert len(reads) == 1 and 0.04 < second - first < 0.2   # extrapolated, not read again
    time.sleep(0.2)
    clock.now()
    assert len(reads) == 2                                    # resynced


def test_never_goes_backwards_when_the_authority_is_behind_the_extrapolation():
    values = iter([1_000.0, 999.0])
    clock = ExternalClock(lambda: next(values), resync_seconds=0.05)
    first = clock.now()
    time.sleep(0.06)
    assert clock.now() >= first
