"""Ids: the vendor's shapes, and one seed giving one sequence."""

from __future__ import annotations

import functools
import random
import re
import string
from collections.abc import Callable

import pytest

import emulator.jobs.ids as ids_module
from emulator.jobs.ids import IdGenerator, tenant_seed


def test_shapes() -> None:
    ids = IdGenerator(1)
    assert re.fullmatch(r"cust_[A-Za-z0-9]{24}", ids.customer())
    assert re.fullmatch(r"aa_[0-9a-f]{18}", ids.async_action())
    assert re.fullmatch(r"v-[0-9a-f]{18}", ids.request())
    assert re.fullmatch(r"evcus_[0-9a-f]{18}", ids.event())
    assert re.fullmatch(r"del_[A-Za-z0-9]{24}", ids.deletion())


def test_same_seed_same_sequence_and_tenants_apart() -> None:
    def draw(seed: str | None) -> list[str]:
        ids = IdGenerator(seed)
        return [ids.customer(), ids.async_action(), ids.request()]

    assert draw(tenant_seed(5, "a")) == draw(tenant_seed(5, "a"))
    assert draw(tenant_seed(5, "a")) != draw(tenant_seed(5, "b"))
    assert tenant_seed(None, "a") is None


def test_hex_ids_are_the_seeded_bits_written_with_leading_zeros() -> None:
    """The same text as the first formulation (format of the drawn bits), so seeded ids and
    the README's seeded output stay as they were."""
    ids, reference = IdGenerator(11), random.Random(11)
    for count in [18, 18, 1, 2, 9, 18, 32] * 300:
        bits = reference.getrandbits(4 * count)
        assert ids.hex("evcus_", count) == "evcus_" + format(bits, f"0{count}x")
    assert ids.random() == reference.random()


_ALNUM = string.ascii_letters + string.digits


def _drawn_one_by_one(generator: random.Random, prefix: str, count: int) -> str:
    """The first formulation of alnum, kept as the reference: one random() a character."""
    return prefix + "".join(_ALNUM[int(generator.random() * 62.0)] for _ in range(count))


def _interleaved(ids: IdGenerator, seed: int, alnum: Callable[[str, int], str]) -> list[str]:
    """Alnum ids of several lengths among the generator's other draws, as tenants make them."""
    shapes = random.Random(seed)
    drawn = []
    for _ in range(300):
        count = shapes.choice((24, 24, 24, 32, 16, 1, 0))
        drawn += [alnum("cust_", count), ids.event(), ids.request()]
        if shapes.random() < 0.1:
            drawn += [ids.code("ABC123", 8), str(ids.random()), ids.hex("x_", 7)]
    return drawn


def _generators(seed: int) -> tuple[IdGenerator, random.Random]:
    ids = IdGenerator(tenant_seed(seed, "t"))
    return ids, ids._random


def test_alnum_ids_are_the_one_by_one_draws_and_leave_the_generator_where_they_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Seeded ids replay as before, and every later draw too: over many seeds and positions
    (with the other draws between), the same text and the same generator state afterwards,
    both from the top bits and from the fallback that draws an id from all its bits."""
    exact_calls = []
    exact = ids_module._exact

    def counted(bits: int, count: int) -> str:
        exact_calls.append(count)
        return exact(bits, count)

    monkeypatch.setattr(ids_module, "_exact", counted)
    for seed in range(60):
        fast, fast_random = _generators(seed)
        slow, slow_random = _generators(seed)
        one_by_one = functools.partial(_drawn_one_by_one, slow_random)
        assert _interleaved(fast, seed, fast.alnum) == _interleaved(slow, seed, one_by_one)
        assert fast_random.getstate() == slow_random.getstate()
        assert fast.customer() == _drawn_one_by_one(slow_random, "cust_", 24)
    assert 100 < len(exact_calls) < 1000  # the fallback ran, for some 2% of 24-character ids


def test_the_top_16_bits_decide_a_character_unless_its_range_reaches_the_next_one() -> None:
    """The argument `_fast` rests on, checked for each of the 65,536 values of a draw's top 16
    bits: the lowest and highest draws with them (random() as m / 2**53) give the character
    62t >> 16 unless 62 (t + 1) reaches the next multiple of 2**16, which `_fast` refers to
    the fallback. And it does refer them: an id whose first character has such a t."""
    index, decided = ids_module._char_index, 0
    for top in range(2**16):
        if (62 * top) % 2**16 + 62 >= 2**16:
            assert ids_module._fast(top << 16, 1) is None
            continue
        decided += 1
        assert index(top << 37) == index(((top + 1) << 37) - 1) == (62 * top) >> 16
        assert ids_module._fast(top << 16, 1) == _ALNUM[(62 * top) >> 16]
    assert decided == 2**16 - 62
    assert index(2**53 - 1) == 61
