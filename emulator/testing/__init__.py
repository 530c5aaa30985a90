"""The test harness: the pytest plugin, the in-process server and the handle tests hold."""

from emulator.testing.handle import ControlError, EmulatorHandle

__all__ = ["ControlError", "EmulatorHandle"]
