"""Masking of the text of problem messages: the one place that decides what is shown in clear.

A problem names a cell value, and sometimes a column header or a piece of a file. Whatever the
column's declared kind, that text may hold a person's identity: an ID number in the wrong column,
a registry without a header row (its first record becomes the "header"), swapped headers, a
truncated line. So the text is judged by what it looks like, not by its column:

- an ID number (15 or 18 characters) anywhere in it is masked as ``430522********1234``;
- any other run of 8 or more digits (account numbers, phone numbers) keeps its first two and last
  two digits, unless it is a calendar date written ``YYYYMMDD``;
- name-like text of any script is masked: CJK runs of 2 to 4 characters (``张*明``), names joined
  with a middle dot (``阿*都·热*曼``) and Latin-letter names (``A*e Y***z``);
- numbers, dates, codes, lower-case English words and the contract's own vocabulary (column names,
  Chinese labels, category codes and labels) stay in clear.

:func:`mask_problem` applies the rule to a :class:`~auditlib.errors.Problem`; every problem that
leaves the data layer goes through it (see :func:`auditlib.data.loading.load_county` and
:func:`auditlib.data.encodings.file_error`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from functools import cache

from auditlib.data.contract import CONTRACT
from auditlib.errors import Problem

__all__ = ["contract_vocabulary", "mask_problem", "mask_problems", "mask_text"]

#: Longest digit run of a code column shown in clear (a village code has 12 digits).
_CODE_DIGITS = 12
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_DOTS = "·•・‧．"
_ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")
_DIGITS = re.compile(r"[0-9]{8,}")
_DOTTED = re.compile(rf"[{_CJK}\w]+(?:[{_DOTS}][{_CJK}\w]+)+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_LATIN_NAME = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*(?:\s+[^\W\d_]+(?:['’-][^\W\d_]+)*){0,3}")


def _star(text: str, keep_start: int, keep_end: int) -> str:
    hidden = len(text) - keep_start - keep_end
    if hidden <= 0:
        return text[:1] + "*" * (len(text) - 1)
    return text[:keep_start] + "*" * hidden + (text[-keep_end:] if keep_end else "")


def _mask_name_part(part: str) -> str:
    """``张三`` → ``张*``, ``张小明`` → ``张*明``, ``Ayşe`` → ``A**e``."""
    if len(part) <= 1:
        return part
    if len(part) == 2:
        return part[0] + "*"
    return _star(part, 1, 1)


def _is_date(digits: str) -> bool:
    if len(digits) != 8:
        return False
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return 1900 <= int(digits[:4]) <= 2100


def _latin_name(match: re.Match[str], keep: frozenset[str]) -> str:
    words = match.group(0).split()
    capitalised = all(word[0].isupper() for word in words)
    if match.group(0) in keep or not capitalised or not all(w.isalpha() or "-" in w for w in words):
        return match.group(0)
    if all(word.isupper() and len(word) <= 3 for word in words):  # acronyms, codes: CSV, A
        return match.group(0)
    return " ".join(_mask_name_part(word) for word in words)


def mask_text(text: str, keep: Iterable[str] = (), *, code_digits: bool = False) -> str:
    """Mask every part of ``text`` that could be a name or an ID number.

    Parameters
    ----------
    text : str
        Cell value, header or message fragment.
    keep : iterable of str
        Words shown in clear even when they look like a name (the column's category codes and
        labels, the contract's column names).
    code_digits : bool
        Keep runs of up to 12 digits in clear (administrative codes, the 6-, 9- and 12-digit
        codes of county, township and village): for problems of a non-personal code column.

    Returns
    -------
    str
        ``text`` with ID numbers, long digit runs and name-like words masked.

    Examples
    --------
    >>> mask_text("43052219800101123X in column amount")
    '430522********123X in column amount'
    >>> mask_text("张小明")
    '张*明'
    >>> mask_text("2025-03-01")
    '2025-03-01'
    """
    kept = frozenset(keep) | contract_vocabulary()
    if text in kept:
        return text
    text = _ID_NUMBER.sub(
        lambda m: m.group(0)[:6] + "*" * (len(m.group(0)) - 10) + m.group(0)[-4:], text
    )
    text = _DIGITS.sub(
        lambda m: (
            m.group(0)
            if _is_date(m.group(0)) or (code_digits and len(m.group(0)) <= _CODE_DIGITS)
            else _star(m.group(0), 2, 2)
        ),
        text,
    )
    text = _DOTTED.sub(
        lambda m: (
            m.group(0)
            if m.group(0) in kept or re.fullmatch(r"[\w.]+", m.group(0), re.ASCII)
            else re.sub(rf"[^{_DOTS}\s]+", lambda p: _mask_name_part(p.group(0)), m.group(0))
        ),
        text,
    )
    text = _CJK_RUN.sub(
        lambda m: (
            _mask_name_part(m.group(0))
            if 2 <= len(m.group(0)) <= 4 and m.group(0) not in kept
            else m.group(0)
        ),
        text,
    )
    if _WORD.fullmatch(text) and text not in kept and text[:1].isupper() and not text.isupper():
        return _mask_name_part(text)  # a lone capitalised word: may be a given name
    return _LATIN_NAME.sub(
        lambda m: _latin_name(m, kept) if len(m.group(0).split()) >= 2 else m.group(0), text
    )


@cache
def _code_columns() -> frozenset[str]:
    """Non-personal columns of digit codes (township, village, household ids)."""
    return frozenset(
        column.name
        for table in CONTRACT
        for column in table.columns
        if column.digit_code and not column.personal
    )


@cache
def contract_vocabulary() -> frozenset[str]:
    """Words of the data contract shown in clear: column names, labels, codes, code labels."""
    words: set[str] = set()
    for table in CONTRACT:
        words.update((table.name, table.label_zh))
        for column in table.columns:
            words.update((column.name, column.label_zh, *column.aliases, *column.values))
            words.update(column.value_labels_zh.values())
    return frozenset(word for word in words if word)


def mask_problem(problem: Problem, keep: Iterable[str] = ()) -> Problem:
    """``problem`` with its value, column and expected text masked by :func:`mask_text`."""
    kept = frozenset(keep)
    codes = problem.column in _code_columns()
    return replace(
        problem,
        value=mask_text(problem.value, kept, code_digits=codes),
        column=None if problem.column is None else mask_text(problem.column, kept),
        expected=mask_text(problem.expected, kept, code_digits=codes),
    )


def mask_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Every problem masked with :func:`mask_problem` (the contract's vocabulary kept in clear)."""
    return [mask_problem(problem) for problem in problems]
