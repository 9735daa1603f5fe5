"""The keyed-hash random numbers every draw uses: SRSWOR and systematic πps.

Every random number is a *keyed hash*: the 64-bit key of unit ``u`` in selection ``label`` is
the first 8 bytes (big-endian) of ``SHA-256("auditlib-sample-v1␟<seed>␟<label>␟<u>")`` (``␟`` =
U+001F). A simple random sample without replacement of ``n`` out of ``N`` units takes the ``n``
units with the smallest keys (ties, which have probability ~2⁻⁶⁴, by unit id). Because keys
depend only on the seed, the selection's label (its stratum, PSU and SSU stratum) and the unit
id, the draw does not depend on row order or machine, and adding a township or a household
elsewhere leaves every other selection unchanged. ``docs/sampling.md`` gives the full recipe
and a worked example.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

__all__ = ["HASH_PREFIX", "SEPARATOR", "srswor", "systematic_pps", "unit_keys"]

HASH_PREFIX = "auditlib-sample-v1"


SEPARATOR = "\x1f"


def unit_keys(seed: int, label: str, units: Sequence[str]) -> np.ndarray:
    """64-bit random keys of ``units`` in the selection ``label`` (see module docstring).

    Returns
    -------
    numpy.ndarray of uint64
    """
    prefix = f"{HASH_PREFIX}{SEPARATOR}{seed}{SEPARATOR}{label}{SEPARATOR}".encode()
    sha = hashlib.sha256
    out = np.fromiter(
        (int.from_bytes(sha(prefix + unit.encode()).digest()[:8], "big") for unit in units),
        dtype=np.uint64,
        count=len(units),
    )
    return out


def srswor(seed: int, label: str, units: np.ndarray, n: int) -> np.ndarray:
    """Simple random sample without replacement: the ``n`` units with the smallest keys.

    Parameters
    ----------
    seed : int
        Seed of the draw.
    label : str
        Identifier of this selection (stratum, PSU, SSU stratum).
    units : numpy.ndarray of str
        Unit ids (distinct).
    n : int
        Sample size (capped at ``len(units)``).

    Returns
    -------
    numpy.ndarray
        Selected unit ids, in ascending key order.
    """
    if n >= len(units):
        return np.sort(units)
    keys = unit_keys(seed, label, units.tolist())
    order = np.lexsort((units, keys))
    return units[order[:n]]


def systematic_pps(
    seed: int, label: str, units: np.ndarray, sizes: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Systematic πps sampling on a randomly ordered list (exact integer arithmetic).

    Units with ``n·xᵢ ≥ X`` are taken with certainty and removed (repeatedly, ``n`` reduced
    each time). The remaining units are ordered by their keys; with cumulative sizes
    ``Cᵢ = n'·(x₁+…+xᵢ)`` and ``X'`` the remaining total, the start ``r = key(label+"/start",
    "start") mod X'`` and the points ``r + k·X'`` (``k = 0..n'−1``) select the units whose
    interval ``[Cᵢ₋₁, Cᵢ)`` contains a point; πᵢ = n'·xᵢ/X'.

    Returns
    -------
    selected : numpy.ndarray
        Selected unit ids.
    probabilities : numpy.ndarray
        Inclusion probability of every unit of ``units`` (same order).
    """
    sizes = sizes.astype(np.int64)
    probabilities = np.zeros(len(units))
    certain = np.zeros(len(units), dtype=bool)
    remaining = min(n, len(units))
    while remaining > 0:
        open_units = ~certain
        total = int(sizes[open_units].sum())
        new_certain = open_units & (remaining * sizes >= total)
        if not new_certain.any():
            break
        take = int(new_certain.sum())
        if take >= remaining:
            # more certainty candidates than places: the largest (then smallest id) win
            candidates = np.flatnonzero(new_certain)
            order = np.lexsort((units[candidates], -sizes[candidates]))
            new_certain = np.zeros(len(units), dtype=bool)
            new_certain[candidates[order[:remaining]]] = True
            take = remaining
        certain |= new_certain
        remaining -= take
    probabilities[certain] = 1.0
    selected = list(units[certain])
    open_index = np.flatnonzero(~certain)
    if remaining > 0 and len(open_index) > 0:
        open_units_ids = units[open_index]
        keys = unit_keys(seed, label, open_units_ids.tolist())
        order = open_index[np.lexsort((open_units_ids, keys))]
        total = int(sizes[order].sum())
        start = int(unit_keys(seed, label + "/start", ["start"])[0]) % total
        upper = np.cumsum(remaining * sizes[order])
        points = start + total * np.arange(remaining, dtype=np.int64)
        hit = np.searchsorted(upper, points, side="right")
        selected.extend(units[order[hit]])
        probabilities[order] = remaining * sizes[order] / total
    return np.array(selected, dtype=object), probabilities
