"""The pytest plugin, used exactly as a user would: a small test file run by pytester."""

from __future__ import annotations

import json
import urllib.request

import pytest

from emulator.testing.pytest_plugin import tenant_for

USER_TESTS = """
import voucherify
import pytest


@pytest.fixture
def customers(voucherify_emulator):
    config = voucherify.Configuration(
        host=voucherify_emulator.url,
        api_key={"X-App-Id": voucherify_emulator.app_id,
                 "X-App-Token": voucherify_emulator.app_token},
    )
    with voucherify.ApiClient(config) as client:
        yield voucherify.CustomersApi(client), voucherify.AsyncActionsApi(client)
        client.rest_client.pool_manager.clear()


def test_create_and_get(customers, voucherify_emulator):
    api, _ = customers
    body = voucherify.CustomersCreateRequestBody(source_id="ann@example.com", name="Ann")
    created = api.create_customer(body)
    assert api.get_customer("ann@example.com").id == created.id
    sent = voucherify_emulator.requests()
    assert [(r["method"], r["status"]) for r in sent] == [("GET", 200), ("POST", 200)]


def test_each_test_starts_empty(customers):
    api, _ = customers
    assert api.list_customers().total == 0


def test_import_runs_until_idle(customers, voucherify_emulator):
    api, actions = customers
    started = api.import_customers_using_csv(file=b"Source_id,Name\\nz1,Zed\\n")
    assert actions.get_async_action(started.async_action_id).status == "IN_PROGRESS"
    finished = voucherify_emulator.run_until_idle()
    assert [job["id"] for job in finished] == [started.async_action_id]
    assert actions.get_async_action(started.async_action_id).status == "DONE"
    assert api.get_customer("z1").name == "Zed"


def test_clock_and_fail_next(customers, voucherify_emulator):
    api, actions = customers
    assert voucherify_emulator.clock.now() == "2026-01-01T00:00:00.000Z"
    voucherify_emulator.fail_next("CUSTOMERS.BULK_UPDATE", "Simulated outage")
    started = api.update_customers_in_bulk([
        voucherify.CustomersUpdateInBulkRequestBody(source_id="b1", name="B"),
    ])
    voucherify_emulator.clock.advance(60)
    job = actions.get_async_action(started.async_action_id)
    assert job.status == "FAILED" and job.result["errors"][0]["message"] == "Simulated outage"


def test_seed_and_fault(customers, voucherify_emulator):
    api, _ = customers
    voucherify_emulator.seed(customers=[{"source_id": "seeded", "name": "Seeded"}])
    assert api.get_customer("seeded").name == "Seeded"
    voucherify_emulator.fault(path="/v1/customers", status=503, times=1)
    with pytest.raises(voucherify.ApiException) as raised:
        api.list_customers()
    assert raised.value.status == 503
    assert api.list_customers().total == 1
"""


def test_a_user_test_file_passes_with_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_a_failing_user_test_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user="""
def test_wrong(voucherify_emulator):
    assert voucherify_emulator.run_until_idle() == ["something"]
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)


def test_a_bad_clock_in_the_ini_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """Not an emulator whose every clock call is a 500 internal_error."""
    pytester.makeini("[pytest]\nvoucherify_emulator_clock = fast\n")
    pytester.makepyfile(
        test_user="""
def test_clock(voucherify_emulator):
    voucherify_emulator.clock.now()
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*voucherify_emulator_clock must be manual, real or scaled, not 'fast'*"]
    )
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_tenants_are_stable_per_test_and_distinct() -> None:
    assert tenant_for("t.py::a") == tenant_for("t.py::a")
    assert tenant_for("t.py::a") != tenant_for("t.py::b")


def test_an_emulator_running_elsewhere_can_be_used(pytester: pytest.Pytester) -> None:
    from helpers import settings_for

    from emulator.testing.inprocess import BackgroundEmulator

    with BackgroundEmulator(settings_for(port=0)) as server:
        pytester.makepyfile(
            test_user=f"""
def test_uses_the_given_server(voucherify_emulator):
    assert voucherify_emulator.url == "{server.url}"
    voucherify_emulator.seed(customers=[{{"source_id": "x"}}])
"""
        )
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "--voucherify-emulator-url", server.url
        )
        result.assert_outcomes(passed=1)
        with urllib.request.urlopen(server.url + "/_emulator/health") as response:
            assert json.loads(response.read())["tenants"] == 1  # the user's tenant lives here


def test_every_control_call_carries_json_and_both_credentials() -> None:
    """So that the handle keeps working behind a control-plane guard."""
    from recording_server import Recorder

    from emulator.testing.handle import EmulatorHandle

    with Recorder() as server:
        handle = EmulatorHandle(server.url, "app-x", "token-x")
        handle.reset()
        handle.clock.now()
        handle.run_until_idle()
        handle.rules()
        handle.requests(method="POST", path="/v1/customers")
        EmulatorHandle(server.url, "app-x", "token-x", admin_token="admin-x").clock.advance(5)
    assert [(s.method, s.path, s.body) for s in server.seen] == [
        ("POST", "/_emulator/reset", b""),
        ("GET", "/_emulator/clock", b""),
        ("POST", "/_emulator/async-actions/run-until-idle", b""),
        ("GET", "/_emulator/async-actions/rules", b""),
        ("GET", "/_emulator/requests?tenant=app-x&method=POST&path=%2Fv1%2Fcustomers", b""),
        ("POST", "/_emulator/clock", b'{"advance_seconds": 5}'),
    ]
    for seen in server.seen:
        assert seen.headers["x-app-id"] == "app-x" and seen.headers["x-app-token"] == "token-x"
        assert seen.headers["content-type"] == "application/json"
        assert seen.headers["x-emulator-client"] == "pytest"
    assert [s.headers.get("x-emulator-token") for s in server.seen] == [None] * 5 + ["admin-x"]


def test_the_session_shares_one_connection(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test's handle sends its control calls over the session's one connection, which
    the session closes (else its socket's ResourceWarning shows when pytest collects it)."""
    from recording_server import Recorder

    pytester.makepyfile(
        test_user="""
import pytest

@pytest.mark.parametrize("n", range(5))
def test_seeds(voucherify_emulator, n):
    voucherify_emulator.seed(customers=[{"source_id": f"c{n}"}])
"""
    )
    monkeypatch.setenv("PYTHONWARNINGS", "always::ResourceWarning")
    with Recorder() as server:
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "--voucherify-emulator-url", server.url
        )
        result.assert_outcomes(passed=5)
        assert [s.path for s in server.seen] == ["/_emulator/reset", "/_emulator/seed"] * 5
        assert server.connections == 1
    assert "ResourceWarning" not in result.stderr.str() + result.stdout.str()
