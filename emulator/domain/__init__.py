"""Pure rules per resource. Nothing in this package knows about HTTP."""
