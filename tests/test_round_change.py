"""Change between two audit rounds (auditlib.estimation.change): MOVER interval.

Reference: Newcombe (1998, Stat. Med. 17:873), Table II example (a), 56/70 − 48/80, method 10
(Wilson intervals combined): 0.0524 to 0.3339. The Wilson limits below come from
``tests/r/newcombe_wilson.R`` (base R).
"""

from __future__ import annotations

import pytest

from auditlib.errors import DesignError
from auditlib.estimation.change import change_between_rounds

WILSON_56_70 = (0.8, 0.691833555037, 0.876952607516)
WILSON_48_80 = (0.6, 0.490454650052, 0.700381724041)


def test_newcombe_method_10_published_example() -> None:
    change = change_between_rounds(WILSON_56_70, WILSON_48_80)
    assert change.change == pytest.approx(0.2)
    assert change.lower == pytest.approx(0.0524, abs=5e-5)
    assert change.upper == pytest.approx(0.3339, abs=5e-5)
    assert change.distinguishable and change.direction == "up"


def test_reversed_rounds_mirror_the_interval() -> None:
    forward = change_between_rounds(WILSON_56_70, WILSON_48_80)
    backward = change_between_rounds(WILSON_48_80, WILSON_56_70)
    assert backward.change == pytest.approx(-forward.change)
    assert backward.lower == pytest.approx(-forward.upper)
    assert backward.upper == pytest.approx(-forward.lower)
    assert backward.direction == "down"


def test_skewed_intervals_keep_their_shape() -> None:
    """A small rate's interval is longer above than below; so is the change's upper side."""
    change = change_between_rounds((0.02, 0.01, 0.06), (0.03, 0.02, 0.05))
    assert change.lower == pytest.approx(-0.01 - (0.01**2 + 0.02**2) ** 0.5)
    assert change.upper == pytest.approx(-0.01 + (0.04**2 + 0.01**2) ** 0.5)
    assert not change.distinguishable and change.direction == "unclear"


def test_interval_not_containing_its_estimate_is_refused() -> None:
    with pytest.raises(DesignError, match="previous round"):
        change_between_rounds((0.1, 0.05, 0.2), (0.1, 0.12, 0.2))
