"""The only source of ids and randomness; seedable, so equal seeds give equal ids."""

from __future__ import annotations

import random
import string

_ALNUM = string.ascii_letters + string.digits


class IdGenerator:
    def __init__(self, seed: int | str | None = None) -> None:
        self._random = random.Random(seed)

    def alnum(self, prefix: str, count: int = 24) -> str:
        return prefix + "".join(self._random.choices(_ALNUM, k=count))

    def hex(self, prefix: str, count: int = 18) -> str:
        return prefix + format(self._random.getrandbits(4 * count), f"0{count}x")

    def customer(self) -> str:
        return self.alnum("cust_")

    def campaign(self) -> str:
        return self.alnum("camp_")

    def voucher(self) -> str:
        return self.alnum("v_")

    def deletion(self) -> str:
        return self.alnum("del_")

    def segment(self) -> str:
        return self.alnum("seg_")

    def customer_list(self) -> str:
        return self.hex("custlist_")

    def event(self) -> str:
        return self.hex("evcus_")

    def async_action(self) -> str:
        return self.hex("aa_")

    def request(self) -> str:
        return self.hex("v-")

    def random(self) -> float:
        return self._random.random()

    def export(self) -> list[object]:
        version, internal, gauss = self._random.getstate()
        return [version, list(internal), gauss]

    def load(self, state: list[object]) -> None:
        version, internal, gauss = state
        self._random.setstate((version, tuple(internal), gauss))  # type: ignore[arg-type]


def tenant_seed(seed: int | None, tenant: str) -> str | None:
    """Each tenant draws from its own stream, so parallel tenants never perturb each other's ids."""
    return None if seed is None else f"{seed}:{tenant}"
