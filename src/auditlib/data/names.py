"""Personal names compared as a person would compare them (姓名比对).

Registers written by different departments spell the same name differently: an interior
space typed by a clerk, full-width characters (``Ａ``, U+3000 ideographic space), traditional
characters (``陳`` for ``陈``), or another separator in a minority name (``阿不都·热合曼``,
``阿不都•热合曼``, ``阿不都热合曼``). :func:`normalise_name` removes these differences, in
this order:

1. all whitespace is removed (every character ``str.isspace`` accepts, including U+3000 and the
   no-break space U+00A0, plus the invisible U+200B-U+200D, U+2060 and U+FEFF);
2. Unicode NFKC: full-width forms become half-width, compatibility forms their plain letter
   (whitespace NFKC produces is removed too);
3. the name separators of :data:`NAME_SEPARATORS` are removed;
4. traditional characters become simplified ones with OpenCC's ``t2s`` conversion, one
   character at a time (names are not phrases, so no phrase context is applied and a
   character converts the same wherever it stands).

Two names are then in one of three states (:data:`NAME_MATCH_STATES`):

* ``"exact"``     — identical after stripping surrounding whitespace;
* ``"variant"``   — different as written, equal after :func:`normalise_name` (a near match:
  the same name written differently);
* ``"different"`` — different even after normalisation.

A missing name, or one that is empty after normalisation (``"  "``, ``"·"``), is never a
match: it is ``"different"`` from every name, another missing name included (two unknown
names are no evidence of one person).

Examples
--------
>>> normalise_name("陳　小明")
'陈小明'
>>> name_match("阿不都·热合曼", "阿不都•热合曼")
'variant'
>>> name_match("张伟", " 张伟 ")
'exact'
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "NAME_MATCH_STATES",
    "NAME_SEPARATORS",
    "group_name_matches",
    "name_differences",
    "name_match",
    "name_matches",
    "normalise_name",
    "normalise_names",
]

#: States of a name comparison, strongest first.
NAME_MATCH_STATES: tuple[str, ...] = ("exact", "variant", "different")

#: Characters removed as name separators: middle dot U+00B7, bullet U+2022, hyphenation point
#: U+2027, bullet operator U+2219, dot operator U+22C5, katakana middle dot U+30FB, half-width
#: katakana middle dot U+FF65, full stop ".", hyphen-minus "-", hyphen U+2010, non-breaking
#: hyphen U+2011, figure dash U+2012, en dash U+2013, em dash U+2014. (NFKC, applied before,
#: already turns U+FF0E full-width and U+FE52 small full stop into "." and U+FF0D full-width
#: hyphen-minus into "-".)
NAME_SEPARATORS: str = "\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff65.-\u2010\u2011\u2012\u2013\u2014"

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_SPACES = re.compile(rf"[\s{_INVISIBLE}]+")
_SEPARATORS = re.compile("[" + re.escape(NAME_SEPARATORS) + "]+")
_BLANK = "[\\s" + _INVISIBLE + re.escape(NAME_SEPARATORS) + "]*"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")

#: Simplified form of each character converted so far (filled lazily, one entry per character).
_SIMPLIFIED: dict[str, str] = {}


@cache
def _converter() -> Any:
    """OpenCC's traditional → simplified converter, built once on first use."""
    import opencc  # imported here: no converter (and no dictionary loading) at import time

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    """``text`` with each traditional Chinese character replaced by its simplified form."""
    missing = {character for character in _CJK.findall(text) if character not in _SIMPLIFIED}
    if missing:
        converter = _converter()
        for character in missing:
            _SIMPLIFIED[character] = converter.convert(character)
    return "".join(_SIMPLIFIED.get(character, character) for character in text)


def _steps(value: object) -> list[tuple[str, str]]:
    """The normalisation steps applied to ``value``: ``(step, text after it)``, in order."""
    text = _SPACES.sub("", str(value))
    steps = [("spacing", text)]
    # Spaces go first so that a full-width space counts as spacing; NFKC may make new ones.
    text = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    steps.append(("width", text))
    text = _SEPARATORS.sub("", text)
    steps.append(("separator", text))
    steps.append(("traditional characters", _simplified(text)))
    return steps


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def normalise_name(value: object) -> str | None:
    """The name as compared: width, spacing, separators and traditional characters removed.

    Parameters
    ----------
    value : object
        A name (any object is read as its text); ``None``/``NaN``/``<NA>`` is missing.

    Returns
    -------
    str or None
        The normalised name, ``None`` when missing or empty after normalisation.

    Examples
    --------
    >>> normalise_name("ＺＨＡＮＧ　Ｗｅｉ")
    'ZHANGWei'
    >>> normalise_name("阿不都・热合曼")
    '阿不都热合曼'
    >>> normalise_name(" · ") is None
    True
    """
    if _missing(value):
        return None
    text = _steps(value)[-1][1]
    return text or None


def normalise_names(values: pd.Series) -> pd.Series:
    """:func:`normalise_name` of every value (``"string"`` dtype, ``<NA>`` where missing).

    Each distinct value is normalised once.

    Examples
    --------
    >>> normalise_names(pd.Series(["陳 偉", None, "陈伟"])).tolist()
    ['陈伟', <NA>, '陈伟']
    """
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    normalised = np.array([normalise_name(value) for value in uniques], dtype=object)
    taken = np.where(codes >= 0, normalised[np.maximum(codes, 0)] if len(uniques) else None, None)
    return pd.Series(taken, index=values.index, dtype="string")


def _stripped(value: object) -> str | None:
    if _missing(value):
        return None
    return str(value).strip() or None


def _present(values: pd.Series) -> pd.Series:
    """``values`` stripped, ``<NA>`` where missing or empty after normalisation (only spaces
    and separators, e.g. ``"·"``)."""
    stripped = values.astype("string").str.strip()
    blank = stripped.str.normalize("NFKC").str.fullmatch(_BLANK).fillna(True)
    return stripped.mask(blank.to_numpy(dtype=bool))


def name_match(left: object, right: object) -> str:
    """State of two names: ``"exact"``, ``"variant"`` or ``"different"``.

    Examples
    --------
    >>> name_match("陳小明", "陈小明")
    'variant'
    >>> name_match("陈小明", "陈晓明")
    'different'
    >>> name_match(None, None)
    'different'
    """
    first, second = _stripped(left), _stripped(right)
    normalised = normalise_name(first)
    if first is None or second is None or normalised is None:
        return "different"
    if first == second:
        return "exact"
    if normalised == normalise_name(second):
        return "variant"
    return "different"


def name_differences(left: object, right: object) -> tuple[str, ...]:
    """The normalisation steps that changed either name: ``"width"``, ``"spacing"``,
    ``"separator"``, ``"traditional characters"`` (in that order), for telling a reader why
    two names are a ``"variant"``.

    Examples
    --------
    >>> name_differences("陳 小明", "陈小明")
    ('spacing', 'traditional characters')
    """
    changed: set[str] = set()
    for value in (left, right):
        if _missing(value):
            continue
        before = str(value).strip()
        for step, after in _steps(before):
            if after != before:
                changed.add(step)
            before = after
    return tuple(step for step in ("width", "spacing", "separator", "traditional characters")
                 if step in changed)  # fmt: skip


def _states(exact: np.ndarray, variant: np.ndarray) -> np.ndarray:
    return np.where(exact, "exact", np.where(variant, "variant", "different")).astype(object)


def name_matches(left: pd.Series, right: pd.Series) -> pd.Series:
    """:func:`name_match` of two aligned series (the index of ``left``), ``"str"`` dtype.

    Examples
    --------
    >>> name_matches(pd.Series(["陳偉", "张伟", None]), pd.Series(["陈伟", "张伟", None])).tolist()
    ['variant', 'exact', 'different']
    """
    first = _present(left)
    second = pd.Series(_present(right).array, left.index)
    exact = (first == second).fillna(False).to_numpy(dtype=bool)
    variant = np.zeros(len(left), dtype=bool)
    rest = ~exact & first.notna().to_numpy(dtype=bool) & second.notna().to_numpy(dtype=bool)
    if rest.any():  # only the names not identical are normalised
        same = normalise_names(first[rest]) == normalise_names(second[rest])
        variant[rest] = same.fillna(False).to_numpy(dtype=bool)
    return pd.Series(_states(exact, variant), index=left.index, dtype="str")


def _pairs_in(groups: pd.Series, names: pd.Series, known: pd.MultiIndex) -> np.ndarray:
    present = groups.notna().to_numpy(dtype=bool) & names.notna().to_numpy(dtype=bool)
    pairs = pd.MultiIndex.from_arrays([groups.astype("string"), names.astype("string")])
    return pairs.isin(known) & present


def _known(groups: pd.Series, names: pd.Series) -> pd.MultiIndex:
    keep = groups.notna().to_numpy(dtype=bool) & names.notna().to_numpy(dtype=bool)
    return pd.MultiIndex.from_arrays(
        [groups.astype("string")[keep].array, names.astype("string")[keep].array]
    ).unique()


def group_name_matches(
    groups: pd.Series, names: pd.Series, known_groups: pd.Series, known_names: pd.Series
) -> pd.Series:
    """Best state of each name against the names known for its group.

    For "is the account holder one of the household's members": ``groups``/``names`` are the
    payments' household ids and holder names, ``known_groups``/``known_names`` the members'
    household ids and names. A name is ``"exact"`` if one of its group's names is identical
    (after strip), else ``"variant"`` if one is equal after normalisation, else
    ``"different"``; a missing or empty name, or a missing group, is ``"different"``.

    Parameters
    ----------
    groups, names : pandas.Series
        Aligned: the group (e.g. household id) and name of each record to check.
    known_groups, known_names : pandas.Series
        Aligned: the names known for each group (one row per name).

    Returns
    -------
    pandas.Series
        States, indexed like ``names``, ``"str"`` dtype.

    Examples
    --------
    >>> group_name_matches(
    ...     pd.Series(["H1", "H1", "H2"]), pd.Series(["陳偉", "李四", "张伟"]),
    ...     pd.Series(["H1", "H2"]), pd.Series(["陈伟", "张伟"]),
    ... ).tolist()
    ['variant', 'different', 'exact']
    """
    stripped = _present(names)
    known_stripped = pd.Series(_present(known_names).array)
    known_ids = pd.Series(known_groups.astype("string").array)
    exact = _pairs_in(groups, stripped, _known(known_ids, known_stripped))
    variant = np.zeros(len(names), dtype=bool)
    rest = ~exact & stripped.notna().to_numpy(dtype=bool)
    if rest.any():  # only names not matched exactly are normalised, with their groups' names
        rest_groups = groups[rest]
        relevant = known_ids.isin(set(rest_groups.dropna().astype(str))).to_numpy(dtype=bool)
        known_normalised = pd.Series(normalise_names(known_stripped[relevant]).array)
        variant[rest] = _pairs_in(
            rest_groups,
            normalise_names(stripped[rest]),
            _known(pd.Series(known_ids[relevant].array), known_normalised),
        )
    return pd.Series(_states(exact, variant), index=names.index, dtype="str")
