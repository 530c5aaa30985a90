"""Voucher codes: a campaign's `code_config`, checked and completed, and codes generated from it.

The vendor documents the fields (`length`, `charset`, `prefix`, `postfix`, `pattern`, where `#`
stands for a random character and a pattern overrides `length`) but publishes no upper bound.
The emulator enforces what makes a config usable: a whole, positive `length`; a non-empty
charset; at most MAX_CODE_LENGTH characters in a whole code; and room in the pattern for the
codes asked for (the vendor's own generator refuses "Not possible to generate requested number
of codes"). A config that breaks one of these is a 400, never a 50 MB response.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from emulator.domain.errors import InvalidInput
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]
ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
DEFAULT_LENGTH = 8
MAX_CODE_LENGTH = 100  # the emulator's bound on a whole code (prefix + pattern + postfix)
_ATTEMPTS = 50  # random draws tried for one unused code before giving up


def _text(config: Json, name: str, where: str) -> str | None:
    value = config.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"Property {where}.{name} must be string")
    return value


def _length(config: Json, where: str) -> int | None:
    value = config.get("length")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InvalidInput(f"Property {where}.length must be integer")
    if not 1 <= value <= MAX_CODE_LENGTH:
        raise InvalidInput(f"Property {where}.length must be >= 1 and <= {MAX_CODE_LENGTH}")
    return int(value)


def complete_code_config(raw: object, where: str = ".voucher.code_config") -> Json:
    """The config the campaign keeps: length, charset and pattern filled in, bounds checked."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidInput(f"Property {where} must be object")
    length = _length(raw, where)
    charset = _text(raw, "charset", where)
    pattern = _text(raw, "pattern", where)
    prefix, postfix = _text(raw, "prefix", where), _text(raw, "postfix", where)
    if charset is not None and not charset:
        raise InvalidInput(f"Property {where}.charset must NOT have fewer than 1 characters")
    if pattern is not None and "#" not in pattern:
        raise InvalidInput(f"Property {where}.pattern must contain at least one #")
    pattern = pattern if pattern is not None else "#" * (length or DEFAULT_LENGTH)
    whole = len(prefix or "") + len(pattern) + len(postfix or "")
    if whole > MAX_CODE_LENGTH:
        raise InvalidInput(
            f"Property {where} describes codes of {whole} characters; at most "
            f"{MAX_CODE_LENGTH} are allowed"
        )
    config: Json = {"length": pattern.count("#"), "charset": charset or ALPHANUMERIC}
    config.update({k: v for k, v in (("prefix", prefix), ("postfix", postfix)) if v is not None})
    config["pattern"] = pattern
    return config


def capacity(config: Json) -> int:
    """How many distinct codes the config can produce."""
    return int(len(set(config["charset"])) ** config["length"])


def check_capacity(config: Json, wanted: int) -> None:
    if wanted > capacity(config):
        raise InvalidInput(
            f"Not possible to generate {wanted} codes: the code_config allows "
            f"{capacity(config)} distinct codes",
            key="invalid_campaign",
        )


def generate_code(config: Json, ids: IdGenerator, taken: Container[str]) -> str | None:
    """A code from the config that `taken` does not hold yet; None when none was found in a
    bounded number of draws."""
    charset = "".join(dict.fromkeys(config["charset"]))
    pattern = config["pattern"]
    slots = pattern.count("#")
    for _ in range(_ATTEMPTS):
        drawn = iter(ids.code(charset, slots))
        body = "".join(next(drawn) if char == "#" else char for char in pattern)
        code = f"{config.get('prefix', '')}{body}{config.get('postfix', '')}"
        if code not in taken:
            return code
    return None
