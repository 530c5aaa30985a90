"""The dashboard: plain HTML, CSS and JavaScript served by the emulator itself (no build step,
nothing from a CDN), using only the emulator's own HTTP routes."""
