"""The control plane under /_emulator: reset, seed, clock, faults, journal, snapshots, fixtures."""
