"""Policy conditions: one module per family, one interface, one explicit registry."""
