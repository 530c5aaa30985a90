"""An emulator of the Voucherify Customers API, validated against its OpenAPI contract."""

from emulator.settings import Settings

__all__ = ["Settings", "create_app"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # create_app pulls in aiohttp; import it lazily so the domain stays importable alone.
    if name == "create_app":
        from emulator.http.app import create_app

        return create_app
    raise AttributeError(name)
