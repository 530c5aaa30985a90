"""The HTTP layer: app factory, middlewares, body and parameter reading, auth, error rendering."""
