"""The test harness: the pytest plugin, the in-process server and the handle tests hold."""
