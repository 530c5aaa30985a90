"""The only source of ids and randomness; seedable, so equal seeds give equal ids."""

from __future__ import annotations

import base64
import random
import string
import sys
from array import array
from bisect import bisect_left
from typing import Final

_ALNUM = string.ascii_letters + string.digits
_SIZE = float(len(_ALNUM))
_UNSURE = "?"  # (not in _ALNUM)


def _char_index(m: int) -> int:
    """The index `_ALNUM[int(random() * _SIZE)]` takes when random() draws m / 2**53: CPython's
    random() is ((a >> 5) * 2**26 + (b >> 6)) / 2**53 for two 32-bit words a, b (exact in a
    float), and the product is the float product, rounding included."""
    return int(m / 9007199254740992 * _SIZE)


def _by_top_bits() -> list[str]:
    """The character for each value of a draw's first word's top 16 bits (m from t << 37 up to
    (t + 1) << 37), or _UNSURE for the 60 values whose range holds a step from one character
    to the next: the rest of the draw decides those. The steps are found by bisection."""
    steps = [bisect_left(range(2**53), k, key=_char_index) for k in range(1, len(_ALNUM))]
    pieces, start = [], 0
    for k, step in enumerate(steps):
        top = step >> 37
        pieces.append(_ALNUM[k] * (top - start))
        if step & ((1 << 37) - 1):  # the step is inside top's range
            pieces.append(_UNSURE)
            top += 1
        start = top
    pieces.append(_ALNUM[-1] * (2**16 - start))
    return list("".join(pieces))  # (a list: its __getitem__ is the fastest to map over)


_BY_TOP_BITS: Final = _by_top_bits()  # never written
_LITTLE_ENDIAN = sys.byteorder == "little"


def _exact(bits: int, count: int) -> str:
    """`count` characters as random() draws them, from 2 * count drawn 32-bit words (the first
    drawn is the least significant, as getrandbits puts them)."""
    words = [(bits >> shift) & 0xFFFFFFFF for shift in range(0, 64 * count, 32)]
    pairs = zip(words[0::2], words[1::2], strict=True)
    return "".join([_ALNUM[_char_index((a >> 5) * 67108864 + (b >> 6))] for a, b in pairs])


def _fast(bits: int, count: int) -> str:
    """Each character looked up by its first word's top 16 bits (the upper half of every other
    16-bit half of the words as native little-endian memory); _UNSURE in 60 of 65,536 cases."""
    if not _LITTLE_ENDIAN:
        return _UNSURE
    halves = memoryview(bits.to_bytes(8 * count, "little")).cast("H")
    return "".join(map(_BY_TOP_BITS.__getitem__, halves[1::4]))


class IdGenerator:
    def __init__(self, seed: int | str | None = None) -> None:
        self._random = random.Random(seed)

    def alnum(self, prefix: str, count: int = 24) -> str:
        """What random.choices(_ALNUM, k=count) draws (one random() a character), from one
        getrandbits of the same words: the same text and the generator left where it would
        be, in half the time (an import makes 100,000 of these)."""
        bits = self._random.getrandbits(64 * count)
        text = _fast(bits, count)
        return prefix + (_exact(bits, count) if _UNSURE in text else text)

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
