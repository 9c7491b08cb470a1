from node.conftest import county, now  # noqa: F401  (the same county endpoint and clock as the node tests)
