"""Change of an estimate between two independent audit rounds, with a MOVER interval.

Each round draws its own sample (another seed, often another year's register), so the two
estimates are independent. The interval of the difference :math:`\\hat\\theta_1-\\hat\\theta_0`
recovers each round's variance from its own (possibly asymmetric) interval and combines them
(MOVER, Zou & Donner 2008; for two proportions with Wilson intervals this is Newcombe's 1998
method 10):

.. math::

    L = d - \\sqrt{(\\hat\\theta_1-l_1)^2 + (u_0-\\hat\\theta_0)^2},\\quad
    U = d + \\sqrt{(u_1-\\hat\\theta_1)^2 + (\\hat\\theta_0-l_0)^2}.

So a skewed interval of a small 错保率 or a yuan total (which never goes below 0) keeps its
shape in the change. The change is *distinguishable from zero* when the interval excludes 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from auditlib.errors import DesignError

__all__ = ["RoundChange", "change_between_rounds"]


@dataclass(frozen=True)
class RoundChange:
    """The change ``current − previous`` and its interval.

    Attributes
    ----------
    current, previous : float
        The two rounds' estimates.
    change : float
        ``current − previous``.
    lower, upper : float
        Limits of the change's interval at ``level``.
    level : float
        Confidence level (both rounds' intervals have it).
    """

    current: float
    previous: float
    change: float
    lower: float
    upper: float
    level: float

    @property
    def distinguishable(self) -> bool:
        """Whether the interval excludes 0 (the change is more than sampling noise)."""
        return self.lower > 0 or self.upper < 0

    @property
    def direction(self) -> str:
        """``"down"``, ``"up"`` or ``"unclear"`` (interval includes 0)."""
        if self.upper < 0:
            return "down"
        if self.lower > 0:
            return "up"
        return "unclear"


def _checked(name: str, estimate: float, lower: float, upper: float) -> None:
    values = (estimate, lower, upper)
    if not all(math.isfinite(v) for v in values) or not lower <= estimate <= upper:
        raise DesignError(
            f"{name} round: need finite lower <= estimate <= upper, got "
            f"{lower!r} <= {estimate!r} <= {upper!r}"
        )


def change_between_rounds(
    current: tuple[float, float, float],
    previous: tuple[float, float, float],
    *,
    level: float = 0.95,
) -> RoundChange:
    """MOVER interval of ``current − previous`` from the two rounds' intervals.

    Parameters
    ----------
    current, previous : (float, float, float)
        ``(estimate, lower, upper)`` of each round, both intervals at ``level``.
    level : float
        Their confidence level (recorded; the limits come from the intervals).

    Returns
    -------
    RoundChange

    Examples
    --------
    Newcombe (1998, Stat. Med. 17:873, Table II, example (a)): 56/70 against 48/80 with
    Wilson intervals gives 0.2 with the interval 0.0524 to 0.3339.

    >>> c = change_between_rounds((0.8, 0.69183, 0.87695), (0.6, 0.49045, 0.70038))
    >>> round(c.change, 4), round(c.lower, 4), round(c.upper, 4)
    (0.2, 0.0524, 0.3339)
    """
    _checked("current", *current)
    _checked("previous", *previous)
    (p1, l1, u1), (p0, l0, u0) = current, previous
    change = p1 - p0
    lower = change - math.hypot(p1 - l1, u0 - p0)
    upper = change + math.hypot(u1 - p1, p0 - l0)
    return RoundChange(p1, p0, change, lower, upper, level)
