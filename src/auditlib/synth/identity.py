"""Synthetic identities for the generator: names, resident ID numbers, bank accounts, place names.

Everything here is vectorised over numpy arrays and draws only from the generator it is given.

How the identities are made clearly synthetic
---------------------------------------------
* **Names** combine a surname drawn by published frequency with one or two given-name characters
  drawn independently from a fixed pool: they are not taken from any list of real people.
* **ID numbers** carry the county's real address code and a birth date consistent with the
  person's age, and a valid GB 11643 check character, so that every check a loader performs
  passes. The three-digit sequence code is allocated *downwards from 999 (men, odd) and 998
  (women, even)* within each birth date: in a county of modest size nearly every generated
  number has a sequence code in 9xx, and the sequence codes of one birth date form a contiguous
  descending run — a pattern a real register does not show. Nothing ties a generated number to a
  real person; a collision with a real number would be a coincidence of a random birth date and
  a sequence code. One address code holds 499 people of one sex per birth date; a county so
  large that a birth date has more (about 5,000,000 households) gives the further ones the
  next address codes (``430523``, ``430524``, … as people registered in a neighbouring
  county), so smaller counties keep exactly the numbers they had.
* **Bank accounts** are 19 digits starting with ``62`` (UnionPay), 16 random digits and a Luhn
  check digit; the random part starts with ``99`` so that the numbers are easy to recognise.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from auditlib.data.idcard import CHECK_CHARACTERS, WEIGHTS
from auditlib.errors import ParamsError

__all__ = [
    "GIVEN_CODES",
    "account_numbers",
    "birth_dates_for_ages",
    "change_last_character",
    "decode_names",
    "given_codes",
    "id_numbers",
    "name_codes",
    "name_dictionary",
    "name_labels",
    "numbered",
    "person_names",
    "surname_codes",
    "surname_of",
    "surnames_of",
    "township_names",
    "village_names",
]

StrArray = npt.NDArray[np.str_]
BytesArray = npt.NDArray[np.bytes_]

# Surname frequencies (per cent of the Han population, 2020 census order of magnitude).
_HAN_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
_HAN_WEIGHTS = np.concatenate(
    [
        np.array([7.1, 7.0, 6.8, 5.4, 4.5, 3.1, 2.2, 2.0, 2.0, 1.7, 1.6, 1.5, 1.5, 1.4, 1.3, 1.2]),
        np.linspace(1.2, 0.25, len(_HAN_SURNAMES) - 16),
    ]
)
# 回族: 马, 杨, 李, 丁, 海, 纳, 白, 沙, 哈, 撒 ... ; 彝族 in 昭通: 陆, 安, 禄, 龙, 王, 李 ...
_SURNAMES_BY_ETHNICITY: dict[str, tuple[str, npt.NDArray[np.float64]]] = {
    "回族": (
        "马杨李丁海纳白沙哈撒张王何锁保穆",
        np.array([20, 8, 7, 6, 5, 4, 4, 3, 3, 2, 4, 4, 3, 2, 2, 2.0]),
    ),
    "彝族": ("陆安禄龙王李张杨罗沙阿吉", np.array([8, 8, 6, 6, 8, 8, 6, 6, 4, 3, 2, 2.0])),
    "苗族": ("王杨张李陶朱熊吴龙", np.array([10, 9, 8, 8, 6, 5, 5, 4, 3.0])),
}
_MALE_CHARACTERS = "建国明华军伟强勇平志德文兵洪海永林成光福春云清生发贵财宝顺红忠良荣兴全才学俊"
_FEMALE_CHARACTERS = "秀英芳丽兰梅玉珍凤霞华敏静燕红娟琴翠云春莲桂香萍艳花金银菊妹秋月玲娜婷"
_NEUTRAL_CHARACTERS = "小子家庆新长中天正玉文安"
_PLACE_FIRST = "大小上下新老石龙凤马黄白青高长双团岩竹松柏桃花梅杨柳金银水坪塘溪湾冲山坡岭河田桥"
_PLACE_SECOND = "坪塘溪湾冲山坡岭河田桥口井沟垭坝岗湖林园庄铺寨峰泉堡屯门头湾洞江家坳坎"


#: Address codes a county's ID numbers may use: its own and the next ones (see the module).
_ADDRESS_CODES = 4


def _unique_characters(text: str) -> list[str]:
    return list(dict.fromkeys(text))


_ALL_SURNAMES = np.array(
    _unique_characters(
        _HAN_SURNAMES + "".join(chars for chars, _ in _SURNAMES_BY_ETHNICITY.values())
    )
)
_SURNAME_INDEX = {character: index for index, character in enumerate(_ALL_SURNAMES)}
_CHARACTERS = np.array(
    _unique_characters(_MALE_CHARACTERS + _FEMALE_CHARACTERS + _NEUTRAL_CHARACTERS)
)
_CHARACTER_INDEX = {character: index for index, character in enumerate(_CHARACTERS)}
_MALE_POOL = np.array([_CHARACTER_INDEX[c] for c in _MALE_CHARACTERS + _NEUTRAL_CHARACTERS])
_FEMALE_POOL = np.array([_CHARACTER_INDEX[c] for c in _FEMALE_CHARACTERS + _NEUTRAL_CHARACTERS])
#: Number of given-name codes: single characters, then every ordered pair of characters.
GIVEN_CODES = len(_CHARACTERS) * (len(_CHARACTERS) + 1)


@functools.lru_cache(maxsize=1)
def name_labels() -> StrArray:
    """Every name a name code can stand for: ``labels[surname * GIVEN_CODES + given]``.

    Built once per process (about 1.3 million short strings).
    """
    count = len(_CHARACTERS)
    given = np.concatenate(
        [_CHARACTERS, np.char.add(np.repeat(_CHARACTERS, count), np.tile(_CHARACTERS, count))]
    )
    return np.char.add(np.repeat(_ALL_SURNAMES, len(given)), np.tile(given, len(_ALL_SURNAMES)))


def surname_codes(rng: np.random.Generator, ethnicities: StrArray) -> npt.NDArray[np.int64]:
    """Draw a surname code for each person given their ethnicity (Han frequencies otherwise)."""
    han = np.array([_SURNAME_INDEX[c] for c in _HAN_SURNAMES])
    result = han[rng.choice(len(han), size=len(ethnicities), p=_norm(_HAN_WEIGHTS))]
    for ethnicity, (characters, weights) in _SURNAMES_BY_ETHNICITY.items():
        chosen = np.flatnonzero(ethnicities == ethnicity)
        if len(chosen):
            codes = np.array([_SURNAME_INDEX[c] for c in characters])
            result[chosen] = codes[rng.choice(len(codes), size=len(chosen), p=_norm(weights))]
    return result


def given_codes(rng: np.random.Generator, male: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Draw one- or two-character given names (70% two characters) matching the sex, as codes."""
    count = len(male)
    first = np.where(
        male,
        _MALE_POOL[rng.integers(0, len(_MALE_POOL), count)],
        _FEMALE_POOL[rng.integers(0, len(_FEMALE_POOL), count)],
    )
    second = np.where(
        male,
        _MALE_POOL[rng.integers(0, len(_MALE_POOL), count)],
        _FEMALE_POOL[rng.integers(0, len(_FEMALE_POOL), count)],
    )
    two = rng.random(count) < 0.7
    size = len(_CHARACTERS)
    return np.where(two, size + first * size + second, second)


def name_codes(
    surname: npt.NDArray[np.int64], given: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Codes of full names from surname and given-name codes (index into :func:`name_labels`)."""
    return surname * GIVEN_CODES + given


def surname_of(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Surname codes of name codes."""
    return codes // GIVEN_CODES


def change_last_character(
    rng: np.random.Generator, codes: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Name codes with the last character of the given name replaced (a variant spelling)."""
    size = len(_CHARACTERS)
    given = codes % GIVEN_CODES
    last = np.where(given < size, given, (given - size) % size)
    replacement = (last + rng.integers(1, size, len(codes))) % size
    changed = np.where(given < size, replacement, given - last + replacement)
    return codes - given + changed


@functools.lru_cache(maxsize=1)
def name_dictionary() -> pa.Array:
    """:func:`name_labels` as a pyarrow string array (the dictionary of name columns)."""
    return pa.array(name_labels())


def surnames_of(codes: npt.NDArray[np.int64]) -> StrArray:
    """Surname characters of name codes."""
    return _ALL_SURNAMES[codes // GIVEN_CODES]


def decode_names(codes: npt.NDArray[np.int64]) -> StrArray:
    """Names of name codes."""
    return name_labels()[codes]


def person_names(
    rng: np.random.Generator, ethnicities: StrArray, male: npt.NDArray[np.bool_]
) -> StrArray:
    """Full names (surname + given name) for people of the given ethnicities and sexes."""
    return decode_names(name_codes(surname_codes(rng, ethnicities), given_codes(rng, male)))


def birth_dates_for_ages(
    rng: np.random.Generator, ages: npt.NDArray[np.int64], reference_date: date
) -> npt.NDArray[np.datetime64]:
    """Birth dates such that each person is exactly ``age`` completed years at ``reference_date``.

    The birth date is the ``age``-th anniversary before ``reference_date`` minus 0–364 days.
    """
    years = reference_date.year - ages
    anniversary = (
        (years - 1970).astype("datetime64[Y]").astype("datetime64[M]")
        + np.timedelta64(reference_date.month - 1, "M")
    ).astype("datetime64[D]") + np.timedelta64(reference_date.day - 1, "D")
    return anniversary - rng.integers(0, 365, len(ages)).astype("timedelta64[D]")


def _digits_of(values: npt.NDArray[np.int64], width: int) -> npt.NDArray[np.uint8]:
    """Decimal digits of non-negative integers, most significant first, shape (n, width)."""
    out = np.empty((len(values), width), dtype=np.uint8)
    rest = np.array(values, dtype=np.int64)
    for position in range(width - 1, -1, -1):
        rest, digit = np.divmod(rest, 10)
        out[:, position] = digit
    return out


def _civil_from_days(
    days: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Year, month, day of days since 1970-01-01 (H. Hinnant's integer civil-from-days)."""
    shifted = days + 719_468
    era = np.floor_divide(shifted, 146_097)
    day_of_era = shifted - era * 146_097
    year_of_era = (
        day_of_era - day_of_era // 1_460 + day_of_era // 36_524 - day_of_era // 146_096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_index = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * month_index + 2) // 5 + 1
    month = np.where(month_index < 10, month_index + 3, month_index - 9)
    year = year_of_era + era * 400 + (month <= 2)
    return year, month, day


def id_numbers(
    rng: np.random.Generator,
    county_code: str,
    births: npt.NDArray[np.datetime64],
    male: npt.NDArray[np.bool_],
) -> BytesArray:
    """Unique, valid 18-character ID numbers for the given birth dates and sexes.

    Sequence codes run down from 999 (men) / 998 (women) within each birth date, in a random
    order of the people sharing it (see the module docstring).
    """
    count = len(births)
    day = births.astype("datetime64[D]").astype(np.int64)
    order = rng.permutation(count)
    key = day[order] * 2 + male[order].astype(np.int64)
    sorted_positions = np.argsort(key, kind="stable")
    sorted_keys = key[sorted_positions]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]
    lengths = np.diff(np.r_[starts, count])
    if lengths.size and lengths.max() > 499 * _ADDRESS_CODES:
        raise ParamsError(
            f"households: too many people born on one day ({lengths.max()}) for unique ID numbers; "
            f"expected at most {499 * _ADDRESS_CODES} of one sex per birth date (use fewer "
            "households)"
        )
    rank_sorted = np.arange(count) - np.repeat(starts, lengths)
    rank = np.empty(count, dtype=np.int64)
    rank[order[sorted_positions]] = rank_sorted
    address, rank = np.divmod(rank, 499)  # address 0: the county's own code
    sequence = np.where(male, 999, 998) - 2 * rank
    years, months, days = _civil_from_days(day)
    digits = np.empty((count, 18), dtype=np.uint8)
    own, last = int(county_code), int(county_code[4:])
    addresses = [own] + [own - last + (last + k - 1) % 99 + 1 for k in range(1, _ADDRESS_CODES)]
    digits[:, :6] = _digits_of(np.asarray(addresses, dtype=np.int64)[address], 6)
    digits[:, 6:14] = _digits_of(years * 10_000 + months * 100 + days, 8)
    digits[:, 14:17] = _digits_of(sequence, 3)
    total = np.zeros(count, dtype=np.int32)
    for position in range(17):
        total += digits[:, position].astype(np.int32) * int(WEIGHTS[position])
    check_codes = np.frombuffer("".join(CHECK_CHARACTERS.tolist()).encode("ascii"), dtype=np.uint8)
    codes = digits + np.uint8(ord("0"))
    codes[:, 17] = check_codes[total % 11]
    return np.ascontiguousarray(codes).view("S18").ravel()


def numbered(
    prefix: str | npt.NDArray[Any], numbers: npt.NDArray[np.int64], width: int
) -> BytesArray:
    """ASCII ``prefix`` (one text or equal-length texts) followed by zero-padded ``numbers``."""
    count = len(numbers)
    if isinstance(prefix, str):
        base = np.full(count, prefix.encode("ascii"))
    else:
        base = np.ascontiguousarray(np.asarray(prefix).astype("S"))
    length = base.dtype.itemsize
    out = np.empty((count, length + width), dtype=np.uint8)
    out[:, :length] = np.ascontiguousarray(base).view(np.uint8).reshape(count, length)
    out[:, length:] = _digits_of(np.asarray(numbers, dtype=np.int64), width) + np.uint8(ord("0"))
    return out.view(f"S{length + width}").ravel()


def account_numbers(rng: np.random.Generator, count: int) -> BytesArray:
    """Unique 19-digit bank card numbers: ``62`` + ``99`` + 14 random digits + Luhn digit."""
    values = rng.integers(0, 10**14, count, dtype=np.int64)
    while True:
        _, first = np.unique(values, return_index=True)
        duplicate = np.ones(count, dtype=bool)
        duplicate[first] = False
        if not duplicate.any():
            break
        values[duplicate] = rng.integers(0, 10**14, int(duplicate.sum()), dtype=np.int64)
    digits = np.empty((count, 19), dtype=np.int64)
    digits[:, :4] = np.array([6, 2, 9, 9], dtype=np.int64)
    digits[:, 4:18] = _digits_of(values, 14)
    # Luhn: double every second digit from the right of the 18-digit payload.
    payload = digits[:, :18]
    doubled = payload.copy()
    doubled[:, 17::-2] *= 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    digits[:, 18] = (10 - doubled.sum(axis=1) % 10) % 10
    codes = (digits + ord("0")).astype(np.uint8)
    return np.ascontiguousarray(codes).view("S19").ravel()


def village_names(rng: np.random.Generator, count: int) -> StrArray:
    """Distinct two-character village names ending in 村 (e.g. ``石门村``)."""
    pool = np.array([a + b for a in _PLACE_FIRST for b in _PLACE_SECOND if a != b])
    if count <= len(pool):
        chosen = pool[rng.choice(len(pool), count, replace=False)]
    else:
        chosen = np.char.add(pool[rng.integers(0, len(pool), count)], np.arange(count).astype(str))
    return np.char.add(chosen, "村")


def township_names(rng: np.random.Generator, count: int) -> tuple[str, ...]:
    """Distinct generated township names (``…镇``; every fourth ``…乡``)."""
    base = village_names(rng, count)
    return tuple(
        str(name)[:-1] + ("乡" if index % 4 == 3 else "镇") for index, name in enumerate(base)
    )


def _norm(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return weights / weights.sum()
