"""The test harness: the pytest plugin, the in-process server and the handle tests hold."""

from emulator.testing.connection import ControlConnection
from emulator.testing.handle import ControlError, EmulatorHandle

__all__ = ["ControlConnection", "ControlError", "EmulatorHandle"]
