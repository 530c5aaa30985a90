"""The pure helpers of bench/bykey.py (the by-key comparison of `make bench`): no timing here."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest
from helpers import REPO


@pytest.fixture(scope="module")
def bykey() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("bench_bykey", REPO / "bench" / "bykey.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_sides_and_operations_take_turns(bykey: ModuleType) -> None:
    plan = bykey.schedule(4, rounds=2)
    assert len(plan) == 4 * len(bykey.OPERATIONS)
    first, second = bykey.OPERATIONS[:2]
    assert plan[:4] == [(first, 0, (0, 1)), (first, 1, (1, 0)), (second, 0, (0, 1)),
                        (second, 1, (1, 0))]  # fmt: skip
    assert plan[2 * len(bykey.OPERATIONS)] == (first, 2, (0, 1))  # the second slice
    for operation in bykey.OPERATIONS:  # every pair once, in order
        assert [index for op, index, _ in plan if op == operation] == [0, 1, 2, 3]


def test_the_ratio_is_the_median_of_the_pairs_ratios(bykey: ModuleType) -> None:
    # the machine slows down 3x halfway: each pair still reads 1.0 except one outlier
    small = [0.1, 0.1, 0.1, 0.3, 0.3, 0.3, 0.3]
    big = [0.1, 0.1, 0.5, 0.3, 0.3, 0.3, 0.3]
    found = bykey.compare(small, big)
    assert found.ratio == pytest.approx(1.0)
    assert (found.low, found.high) == (pytest.approx(1.0), pytest.approx(1.0))
    assert (found.small_ms, found.big_ms) == (pytest.approx(0.3), pytest.approx(0.3))
    assert bykey.compare([0.1, 0.2], [0.2, 0.4]).ratio == pytest.approx(2.0)


def test_customers_are_spread_over_the_tenant_in_three_disjoint_groups(bykey: ModuleType) -> None:
    groups = bykey.spread(1000, 40)
    assert [len(group) for group in groups] == [40, 40, 40]
    numbers = [n for group in groups for n in group]
    assert len(set(numbers)) == 120 and min(numbers) == 0 and max(numbers) >= 990
    with pytest.raises(AssertionError):
        bykey.spread(100, 40)
