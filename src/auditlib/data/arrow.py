"""Moving text columns between pandas and Arrow compute kernels.

The loader, the ID-number checks, the cross-checks and the sampling frame all run string work on
Arrow kernels; these two helpers are the one place that converts in each direction.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

__all__ = ["bool_mask", "string_array"]


def string_array(values: pd.Series) -> pa.Array:
    """A Series of text as one Arrow string array, nulls kept (no copy when Arrow-backed)."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        array = pa.array(values.array)
    else:
        array = pa.array(values.astype(object).where(values.notna(), None).tolist(), pa.string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def bool_mask(array: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    """An Arrow boolean array as a numpy mask (nulls count as False)."""
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
