"""The HTTP service of `veiviser serve`: the app factory and its routers (public API, pages, staff API)."""
