"""Operators over the app's privacy policy: is what the evidence shows declared in it?

Both read the policy index the judgement built from the bundle's `declares` observations
(`apptest.rules.policy`); the statuses they test are defined there, once, for the rules
and the declared-vs-observed matrix alike.
"""

from __future__ import annotations

from typing import Any

from apptest.rules.context import Facts, Item
from apptest.rules.ops.compare import as_list


def op_policy_data_type_status(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    """The policy's status for this data type, as collected by this observation's actor
    (declared, unclear, other_party, undeclared), is one of `expected`."""
    if not isinstance(actual, str) or item.obs is None:
        return False
    return facts.policy.data_type_status(actual, item.obs.actor) in as_list(expected)


def op_policy_sdk_status(actual: Any, expected: Any, item: Item, facts: Facts) -> bool:
    """The policy's status for this SDK id (listed, unclear, unlisted, library) is one of `expected`."""
    return isinstance(actual, str) and facts.policy.sdk_status(actual) in as_list(expected)
