"""Operator functions, one module per family; `apptest.rules.operators` holds the one table."""
