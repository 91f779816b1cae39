"""Example URL arguments for routes that take some, shared by the policy and browser tests.

A GET route with URL arguments must have an entry here, or the policy tests fail: every page is
checked for every role.
"""
EXAMPLE_ARGS: dict[str, dict] = {
    "static": {"filename": "css/coopere.css"},
    "perimeter.set_role_view": {"user_id": 1},
    "perimeter.set_group_role_view": {"user_id": 1},
}
