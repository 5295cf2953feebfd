"""Process steps as data: the default process, the step roles and the limit rule."""

from types import SimpleNamespace

import pytest

from yiwang.catalog.process import default_process, limit_errors, step_errors, total_days


@pytest.mark.parametrize(
    ("promised", "limits"),
    [(0, [1, 1, 1, 0]), (1, [1, 0, 0, 0]), (2, [1, 0, 1, 0]), (3, [1, 1, 1, 0]), (8, [1, 6, 1, 0])],
)
def test_default_process_fits_inside_the_promise(promised, limits):
    steps = default_process(SimpleNamespace(promised_limit=promised))
    assert [s["limit_days"] for s in steps] == limits
    assert step_errors(steps) == []
    assert limit_errors(steps, promised) == []


def test_limit_rule_counts_all_steps_against_the_promise():
    steps = default_process(SimpleNamespace(promised_limit=5))
    assert total_days(steps) == 5
    assert limit_errors(steps, 5) == []
    assert limit_errors(steps, 0) == []  # 即办件: no bound from the promise
    assert limit_errors(steps, None) == []
    (message,) = limit_errors(steps, 4)
    assert "5" in message and "4" in message
    assert total_days([*steps, "junk", {"limit_days": True}]) == 5


def test_steps_are_for_case_handling_roles_only():
    steps = default_process(SimpleNamespace(promised_limit=5))
    for role in ("window", "reviewer", "approver"):
        assert step_errors([steps[0], {**steps[1], "role": role}, *steps[2:]]) == []
    for role in ("auditor", "dept_admin", "grid_worker", "boss"):
        problems = step_errors([steps[0], {**steps[1], "role": role}, *steps[2:]])
        assert problems and problems[0][0] == 1 and role in problems[0][1]
