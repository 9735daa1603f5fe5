"""Reading variables and domains from a design's data for the estimators.

A variable is a column of the design data (cached on the design as floats) or an array with
one value per design row; rows outside the domain count as 0, and a missing value inside the
domain is an error (R ``survey`` would return ``NA``).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

from auditlib.errors import DesignError
from auditlib.estimation.structure import DesignStructure

__all__ = ["column_values", "domains", "variable_name", "variable_values"]

FloatArray = npt.NDArray[np.float64]
DesignT = TypeVar("DesignT", bound=DesignStructure)


def column_values(design: DesignStructure, variable: str, role: str) -> FloatArray:
    """Values of a column of the design data as floats (missing as NaN), cached on the design."""
    cache = design._column_cache
    if variable in cache:
        return cache[variable]
    if variable not in design.data.columns:
        raise DesignError(
            f"{role} {variable!r} is not a column of the design data; columns are: "
            + ", ".join(map(str, design.data.columns))
        )
    column = design.data[variable]
    if column.dtype == bool or str(column.dtype) == "boolean":
        column = column.astype("Float64")
    try:
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise DesignError(f"{role} {variable!r} must be numeric ({error})") from error
    cache[variable] = values
    return values


def variable_values(
    design: DesignStructure, variable: str | npt.ArrayLike, role: str
) -> FloatArray:
    """Values of a variable (column name or array) for the domain, 0 outside it.

    Raises
    ------
    DesignError
        When a value is missing inside the domain or the array has the wrong length.
    """
    if isinstance(variable, str):
        values = column_values(design, variable, role)
    else:
        values = np.asarray(variable, dtype=np.float64)
        if values.shape != (len(design.data),):
            raise DesignError(
                f"{role} must have one value per design row ({len(design.data)}); "
                f"got shape {values.shape}"
            )
    missing = np.flatnonzero(np.isnan(values) & design.active)
    if missing.size:
        raise DesignError(
            f"{role} {variable_name(variable)!r} has {missing.size} missing value(s) in the domain "
            f"(first at data row {int(missing[0]) + 2}); fill or exclude them with subset()"
        )
    return np.where(design.active, values, 0.0)


def variable_name(variable: str | npt.ArrayLike) -> str:
    """The name an estimate shows for a variable (``"<array>"`` for arrays)."""
    return variable if isinstance(variable, str) else "<array>"


def domains(design: DesignT, by: str) -> list[tuple[str, DesignT]]:
    """``(label, design restricted to the domain)`` for each value of column ``by``, sorted."""
    if by not in design.data.columns:
        raise DesignError(f"by={by!r} is not a column of the design data")
    column = design.data[by]
    labels = column[design.active & column.notna().to_numpy()].unique()
    if len(labels) == 0:
        raise DesignError(f"by={by!r}: no domain has a sampled row")
    ordered = sorted(labels, key=lambda value: str(value))
    return [
        (str(label), design.subset((column == label).fillna(False).to_numpy(bool)))
        for label in ordered
    ]
