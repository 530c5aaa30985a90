"""The only source of ids and randomness; seedable, so equal seeds give equal ids."""

from __future__ import annotations

import base64
import random
import string
from array import array

_ALNUM = string.ascii_letters + string.digits
_SIZE = float(len(_ALNUM))


class IdGenerator:
    def __init__(self, seed: int | str | None = None) -> None:
        self._random = random.Random(seed)

    def alnum(self, prefix: str, count: int = 24) -> str:
        # What random.choices(_ALNUM, k=count) draws, without its per-call set-up (an import
        # makes 100,000 of these).
        draw = self._random.random
        return prefix + "".join([_ALNUM[int(draw() * _SIZE)] for _ in range(count)])

    def hex(self, prefix: str, count: int = 18) -> str:
        # One f-string: what prefix + format(bits, f"0{count}x") gives, in 60% of the time (an
        # import draws two for each customer's creation event).
        return f"{prefix}{self._random.getrandbits(4 * count):0{count}x}"

    def customer(self) -> str:
        return self.alnum("cust_")

    def campaign(self) -> str:
        return self.alnum("camp_")

    def voucher(self) -> str:
        return self.alnum("v_", 32)

    def publication(self) -> str:
        return self.alnum("pub_", 32)

    def holder(self) -> str:
        """A redeemable holder (a voucher published to a customer): rh_ + 18 hex."""
        return self.hex("rh_")

    def assignment(self) -> str:
        return self.alnum("asgm_", 16)

    def promotion_tier(self) -> str:
        return self.alnum("promo_")

    def category(self) -> str:
        return self.hex("cat_")

    def code(self, charset: str, count: int) -> str:
        """`count` characters drawn from `charset`: the random part of a voucher code."""
        return "".join(self._random.choices(charset, k=count))

    def deletion(self) -> str:
        return self.alnum("del_")

    def segment(self) -> str:
        return self.alnum("seg_")

    def metadata_schema(self) -> str:
        return self.alnum("ms_")

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
        """The generator's position, compactly: [version, base64 of its 625 words, gauss]."""
        version, internal, gauss = self._random.getstate()
        words = base64.b64encode(array("I", internal).tobytes()).decode("ascii")
        return [version, words, gauss]

    def load(self, state: list[object]) -> None:
        version, words, gauss = state
        internal = tuple(array("I", base64.b64decode(str(words), validate=True)))
        self._random.setstate((version, internal, gauss))


def tenant_seed(seed: int | None, tenant: str) -> str | None:
    """Each tenant draws from its own stream, so parallel tenants never perturb each other's ids."""
    return None if seed is None else f"{seed}:{tenant}"
