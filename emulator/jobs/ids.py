"""The only source of ids and randomness; seedable, so equal seeds give equal ids."""

from __future__ import annotations

import base64
import random
import string
from array import array
from functools import cache

_ALNUM = string.ascii_letters + string.digits
_SIZE = float(len(_ALNUM))
_TO_ALNUM = bytes.maketrans(bytes(range(len(_ALNUM))), _ALNUM.encode("ascii"))


def _char_index(m: int) -> int:
    """The index `_ALNUM[int(random() * _SIZE)]` takes when random() draws m / 2**53: CPython's
    random() is ((a >> 5) * 2**26 + (b >> 6)) / 2**53 for two 32-bit words a, b (exact in a
    float), and the product is the float product, rounding included."""
    return int(m / 9007199254740992 * _SIZE)


def _exact(bits: int, count: int) -> str:
    """`count` characters as random() draws them, from 2 * count drawn 32-bit words (the first
    drawn is the least significant, as getrandbits puts them)."""
    words = [(bits >> shift) & 0xFFFFFFFF for shift in range(0, 64 * count, 32)]
    pairs = zip(words[0::2], words[1::2], strict=True)
    return "".join([_ALNUM[_char_index((a >> 5) * 67108864 + (b >> 6))] for a, b in pairs])


@cache
def _lanes(count: int) -> tuple[int, int, int]:
    """For `count` 64-bit lanes in one int: 0xFFFF in each lane, the alphabet's size in each,
    and each lane's bit 16."""
    ones = int.from_bytes(b"\1\0\0\0\0\0\0\0" * count, "little")
    return 0xFFFF * ones, len(_ALNUM) * ones, (1 << 16) * ones


def _fast(bits: int, count: int) -> str | None:
    """The characters from the top 16 bits t of each draw's first word, all lanes at once.

    Character j's words are bits 64j to 64j + 63 (a low, b high); the lane gets 62 * t (under
    2**22), whose third byte k = 62t >> 16 is the character's index for every m a draw with
    that t can make (t << 37 <= m < (t + 1) << 37), unless 62 (t + 1) reaches (k + 1) << 16:
    otherwise 62m / 2**53 stays at least 2**-15 under k + 1 (both sides are even), far more
    than a float product near 62 rounds by (2**-48), so int() gives k. A lane that reaches
    it (about 1 in 1,000) makes the whole id None: `_exact` then draws it from all the bits."""
    low16, sizes, carries = _lanes(count)
    scaled = ((bits >> 16) & low16) * len(_ALNUM)
    if ((scaled & low16) + sizes) & carries:
        return None
    return scaled.to_bytes(8 * count, "little")[2::8].translate(_TO_ALNUM).decode("ascii")


class IdGenerator:
    def __init__(self, seed: int | str | None = None) -> None:
        self._random = random.Random(seed)

    def alnum(self, prefix: str, count: int = 24) -> str:
        """What random.choices(_ALNUM, k=count) draws (one random() a character), from one
        getrandbits of the same words: the same text and the generator left where it would
        be, in a third of the time (an import makes 100,000 of these)."""
        bits = self._random.getrandbits(64 * count)
        text = _fast(bits, count)
        return prefix + (_exact(bits, count) if text is None else text)

    def hex(self, prefix: str, count: int = 18) -> str:
        """prefix + format(bits, f"0{count}x"): the bytes' hex() writes it in half the time of
        a format (an import draws two for each customer's creation event)."""
        bits = self._random.getrandbits(4 * count)
        return prefix + bits.to_bytes((count + 1) // 2).hex()[count % 2 :]

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
