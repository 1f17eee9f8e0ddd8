"""The closed vocabulary of rule conditions: one table from operator name to a function.

Rules are data; what they may say is fixed here. An item operator answers for one item
(an observation through one data type or permission); a group operator answers for all
items a rule grouped together (counts, rates). A few operators encode a legal concept the
plain comparisons cannot (necessary for the category, sensitive, a refusal the basic
function did not need); they are named for that concept so a rule reads like its law.
`apptest/schemas/rule.schema.json` lists the same names, and a test keeps both equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apptest.rules.ops.compare import (
    op_contains_any,
    op_equals,
    op_exists,
    op_greater_than,
    op_in,
    op_less_than,
    op_not_equals,
    op_not_in,
    op_starts_with,
)
from apptest.rules.ops.groups import group_count_at_least, group_distinct_at_least, group_rate_per_minute_above
from apptest.rules.ops.marks import (
    op_before_first_mark,
    op_category_allows,
    op_covered_by_denied_permission,
    op_denied_earlier,
    op_refusal_not_needed,
    op_separately_consented,
    op_within_seconds_after,
)
from apptest.rules.ops.necessity import (
    op_identifier,
    op_necessary,
    op_not_necessary,
    op_permission_not_needed,
    op_permission_protection_in,
    op_reaches_personal_data,
    op_sensitive,
)
from apptest.rules.ops.policy import op_policy_data_type_status, op_policy_sdk_status


@dataclass(frozen=True)
class Operator:
    """`kind` item|group; `fn` the function; `field` the default field; `value` required|optional|none.

    An item function is `fn(actual, expected, item, facts) -> bool`; a group function is
    `fn(items, facts, field, expected) -> (bool, what it measured)`.
    """

    kind: str
    fn: Any
    field: str | None = None
    value: str = "required"


OPERATORS: dict[str, Operator] = {
    "equals": Operator("item", op_equals),
    "not_equals": Operator("item", op_not_equals),
    "in": Operator("item", op_in),
    "not_in": Operator("item", op_not_in),
    "contains_any": Operator("item", op_contains_any),
    "exists": Operator("item", op_exists, value="optional"),
    "starts_with": Operator("item", op_starts_with),
    "less_than": Operator("item", op_less_than),
    "greater_than": Operator("item", op_greater_than),
    "necessary": Operator("item", op_necessary, field="data_type", value="none"),
    "not_necessary": Operator("item", op_not_necessary, field="data_type", value="none"),
    "sensitive": Operator("item", op_sensitive, field="data_type", value="none"),
    "identifier": Operator("item", op_identifier, field="data_type", value="none"),
    "separately_consented": Operator("item", op_separately_consented, field="data_type", value="none"),
    "covered_by_denied_permission": Operator("item", op_covered_by_denied_permission, field="data_type", value="none"),
    "permission_protection_in": Operator("item", op_permission_protection_in, field="permission"),
    "reaches_personal_data": Operator("item", op_reaches_personal_data, field="permission", value="none"),
    "permission_not_needed": Operator("item", op_permission_not_needed, field="permission", value="none"),
    "refusal_not_needed": Operator("item", op_refusal_not_needed, field="after.raw", value="none"),
    "denied_earlier": Operator("item", op_denied_earlier, field="permission"),
    "within_seconds_after": Operator("item", op_within_seconds_after, field="ts"),
    "before_first_mark": Operator("item", op_before_first_mark, field="ts"),
    "category_allows": Operator("item", op_category_allows, field="data_type"),
    "policy_data_type_status": Operator("item", op_policy_data_type_status, field="data_type"),
    "policy_sdk_status": Operator("item", op_policy_sdk_status, field="actor.id"),
    "count_at_least": Operator("group", group_count_at_least),
    "distinct_at_least": Operator("group", group_distinct_at_least),
    "rate_per_minute_above": Operator("group", group_rate_per_minute_above),
}
