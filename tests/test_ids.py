"""Ids: the vendor's shapes, and one seed giving one sequence."""

from __future__ import annotations

import random
import re

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
