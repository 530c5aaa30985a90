"""The parsed contract kept between runs (emulator/contract/doccache.py): used when the document
is the same, never when it changed, and never trusted when it is damaged or cannot be kept; a
folder that cannot be written only means parsing every time. The real process is checked too:
it keeps the copy in $XDG_CACHE_HOME and serves validated requests from it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from helpers import REPO

from emulator.contract import doccache
from emulator.contract.doccache import KEEP, SUFFIX, DocumentCache, user_cache_folder
from emulator.contract.document import SpecError
from emulator.contract.spec import load_spec

CONTRACT = REPO / "openapi" / "customers.yaml"
AUTH = {"X-App-Id": "cache", "X-App-Token": "cache"}


class Parser:
    """yaml.safe_load that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> Any:
        self.calls += 1
        return yaml.safe_load(text)


def copies(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{SUFFIX}"))


def test_the_same_text_is_parsed_once_and_read_back_equal(tmp_path: Path) -> None:
    text, parse = CONTRACT.read_text(encoding="utf-8"), Parser()
    cache = DocumentCache(tmp_path / "cache")
    first = cache.load(text, parse)
    second = cache.load(text, parse)
    assert parse.calls == 1
    assert second == first == yaml.safe_load(text)
    assert second is not first
    assert len(copies(tmp_path / "cache")) == 1


def test_a_changed_text_is_parsed_again(tmp_path: Path) -> None:
    cache, parse = DocumentCache(tmp_path), Parser()
    assert cache.load("a: 1\n", parse) == {"a": 1}
    assert cache.load("a: 2\n", parse) == {"a": 2}
    assert cache.load("a: 1\n", parse) == {"a": 1}
    assert parse.calls == 2


def test_a_copy_kept_by_another_python_or_parser_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = DocumentCache(tmp_path)
    key = cache.key("a: 1\n")
    assert key == cache.key("a: 1\n")
    assert key != cache.key("a: 1 \n")
    with monkeypatch.context() as patched:
        patched.setattr(sys, "version", sys.version + " (another build)")
        assert cache.key("a: 1\n") != key
    with monkeypatch.context() as patched:
        patched.setattr(doccache, "_parser_identity", lambda: b"another yaml")
        assert cache.key("a: 1\n") != key
    assert cache.key("a: 1\n") == key


def damage_truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def damage_flip(data: bytes) -> bytes:
    return data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]


def damage_garbage(data: bytes) -> bytes:
    return b"\x00" * len(data)


def damage_empty(data: bytes) -> bytes:
    return b""


def damage_valid_but_not_a_mapping(data: bytes) -> bytes:
    import hashlib
    import marshal

    from emulator.contract.doccache import FORMAT

    key = data[len(FORMAT) : len(FORMAT) + hashlib.sha256().digest_size]
    payload = marshal.dumps(["not", "a", "document"])
    return FORMAT + key + hashlib.sha256(payload).digest() + payload


@pytest.mark.parametrize(
    "damage",
    [damage_truncate, damage_flip, damage_garbage, damage_empty, damage_valid_but_not_a_mapping],
)
def test_a_damaged_copy_is_parsed_again_and_replaced(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    text, parse, cache = "paths: {}\nlist: [1, 2]\n", Parser(), DocumentCache(tmp_path)
    cache.load(text, parse)
    [kept] = copies(tmp_path)
    kept.write_bytes(damage(kept.read_bytes()))
    assert cache.load(text, parse) == {"paths": {}, "list": [1, 2]}
    assert parse.calls == 2
    assert cache.load(text, parse) == {"paths": {}, "list": [1, 2]}
    assert parse.calls == 2  # the damaged copy was replaced by a good one


def test_a_folder_that_cannot_be_written_means_parsing_every_time(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cache, parse = DocumentCache(blocker / "cache"), Parser()
    for _ in range(2):
        assert cache.load("a: 1\n", parse) == {"a": 1}
    assert parse.calls == 2
    assert blocker.read_text() == "not a folder"


def test_a_document_marshal_cannot_keep_is_parsed_every_time(tmp_path: Path) -> None:
    cache, parse = DocumentCache(tmp_path), Parser()
    for _ in range(2):
        assert str(cache.load("day: 2026-01-01\n", parse)["day"]) == "2026-01-01"
    assert parse.calls == 2
    assert copies(tmp_path) == []


def test_a_failed_parse_keeps_nothing(tmp_path: Path) -> None:
    def broken(text: str) -> Any:
        raise SpecError("broken")

    with pytest.raises(SpecError):
        DocumentCache(tmp_path).load("a: [\n", broken)
    assert list(tmp_path.iterdir()) == []


def test_the_folder_keeps_only_the_newest_copies(tmp_path: Path) -> None:
    cache, parse = DocumentCache(tmp_path), Parser()
    for n in range(KEEP + 3):
        cache.load(f"n: {n}\n", parse)
    assert len(copies(tmp_path)) == KEEP
    cache.load(f"n: {KEEP + 2}\n", parse)  # the newest is still there
    assert parse.calls == KEEP + 3
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(SUFFIX)] == []


def test_the_copy_is_of_the_document_before_the_repairs(tmp_path: Path) -> None:
    """The loader repairs the document in place; the copy must be the file's own content."""
    cache = DocumentCache(tmp_path)
    fresh = load_spec(CONTRACT, cache)
    again = load_spec(CONTRACT, cache)
    assert len(copies(tmp_path)) == 1
    assert again.document == fresh.document
    assert again.report.text() == fresh.report.text()
    assert sorted(again.operations) == sorted(fresh.operations)


def test_load_spec_sees_a_change_of_the_file(tmp_path: Path) -> None:
    cache, spec = DocumentCache(tmp_path / "cache"), tmp_path / "spec.yaml"
    text = CONTRACT.read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    assert "get-customer" in load_spec(spec, cache).operations
    spec.write_text(text.replace("operationId: get-customer\n", "operationId: read-customer\n"))
    changed = load_spec(spec, cache).operations
    assert "read-customer" in changed and "get-customer" not in changed
    spec.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\n")  # a broken one after
    with pytest.raises(SpecError, match="no paths"):
        load_spec(spec, cache)


def test_the_user_cache_folder() -> None:
    assert user_cache_folder({"XDG_CACHE_HOME": "/x"}) == Path("/x/voucherify-emulator")
    home = Path(os.path.expanduser("~"))
    assert user_cache_folder({}) == home / ".cache" / "voucherify-emulator"
    assert user_cache_folder({"XDG_CACHE_HOME": "relative"}) == user_cache_folder({})


async def serve_once(env: dict[str, str], port: int) -> None:
    """Start `python -m emulator`, answer a validated API request, stop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", "--port", str(port), cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        assert b"ready on" in line, line
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as session:
            body = {"source_id": "c1", "name": 5}
            async with session.post("/v1/customers", json=body, headers=AUTH) as reply:
                assert reply.status == 400
                assert "name" in str(await reply.json())
            async with session.post("/v1/customers", json={"source_id": "c1"}, headers=AUTH) as r:
                assert r.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert b"Traceback" not in stderr


async def test_the_process_keeps_the_contract_in_the_users_cache(tmp_path: Path) -> None:
    from processes import free_port

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    await serve_once(env, free_port())
    [kept] = copies(tmp_path / "voucherify-emulator")
    written = kept.stat().st_mtime_ns
    await serve_once(env, free_port())
    assert copies(tmp_path / "voucherify-emulator") == [kept]
    assert kept.stat().st_mtime_ns == written  # read, not written again
    kept.write_bytes(b"damaged")
    await serve_once(env, free_port())
    assert kept.read_bytes() != b"damaged"


async def test_the_process_starts_when_the_cache_cannot_be_written(tmp_path: Path) -> None:
    from processes import free_port

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    await serve_once({**os.environ, "XDG_CACHE_HOME": str(blocker)}, free_port())


def test_no_home_folder_means_no_copy_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process with no HOME, run as a user the password database does not know (a container
    started with an arbitrary uid): expanduser("~") stays "~", and a cache folder made from it
    would be `./~/.cache/...` in whatever folder the emulator was started from."""
    import pwd

    def unknown(uid: int) -> Any:
        raise KeyError(uid)

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", unknown)
    monkeypatch.chdir(tmp_path)
    folder = user_cache_folder()
    assert folder is None or folder.is_absolute()
    load_spec()  # parses, keeps no copy in the working folder
    assert list(tmp_path.iterdir()) == []
