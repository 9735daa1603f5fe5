"""Name variants of real registers: the same person's name written in another form.

Departments' systems store names with an interior space (``王 建国``, typed to separate surname
and given name), with a full-width space (``王　建国``, U+3000, from a Chinese input method) or
in traditional characters (``劉建國``, from a system or a clerk in Hong Kong/Taiwan conventions,
or a household register converted from old paper records). A person's name is unchanged in
meaning, so a rule comparing names must tolerate each form; the generator plants them in
account-holder names and registry names (:mod:`auditlib.synth.realism`).

The name generator (:mod:`auditlib.synth.identity`) makes no multi-part minority names
(``阿依古丽·买买提``), so the ``·`` separator variants (``•``, ``.``, none) do not arise here.

Examples
--------
>>> import numpy as np
>>> traditional(np.array(["刘建国", "周明"]))
array(['劉建國', '周明'], dtype='<U3')
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["VARIANT_KINDS", "name_variants", "traditional"]

StrArray = npt.NDArray[np.str_]

#: Simplified → traditional forms of the surname and given-name characters the generator uses.
_TRADITIONAL = str.maketrans(
    "刘张陈杨黄赵吴孙马郑罗谢许韩冯邓蒋叶苏吕卢钟谭陆贾韦邹闫龙贺顾龚万钱严纳禄"
    "国华军伟强云发贵财宝顺红荣兴学丽兰凤静莲艳银庆长",
    "劉張陳楊黃趙吳孫馬鄭羅謝許韓馮鄧蔣葉蘇呂盧鍾譚陸賈韋鄒閆龍賀顧龔萬錢嚴納祿"
    "國華軍偉強雲發貴財寶順紅榮興學麗蘭鳳靜蓮艷銀慶長",
)

#: Kinds of variant and their shares among varied names (an assumption, see
#: ``docs/example-data.md``): interior ASCII space, full-width space, traditional characters.
VARIANT_KINDS: dict[str, float] = {"space": 0.45, "full_width_space": 0.15, "traditional": 0.40}


def traditional(names: StrArray) -> StrArray:
    """``names`` with every character that has a traditional form converted."""
    return np.array([name.translate(_TRADITIONAL) for name in names.tolist()], dtype=names.dtype)


def _with_space(names: StrArray, space: str) -> StrArray:
    """Insert ``space`` after the surname (the first character)."""
    return np.array(
        [name[:1] + space + name[1:] if len(name) > 1 else name for name in names.tolist()],
        dtype=f"<U{max(names.dtype.itemsize // 4 + 1, 1)}",
    )


def name_variants(rng: np.random.Generator, names: StrArray) -> StrArray:
    """Each name in a variant form drawn from :data:`VARIANT_KINDS`.

    A name with no character that has a traditional form gets an interior space instead, so
    every returned name differs from the one given (unless it has a single character).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the draws (one uniform number per name).
    names : numpy array of str
        Names to vary.

    Returns
    -------
    numpy array of str
        The varied names, in order.
    """
    names = np.asarray(names, dtype=str)
    if len(names) == 0:
        return names
    cumulative = np.cumsum(list(VARIANT_KINDS.values()))
    kind = np.searchsorted(cumulative / cumulative[-1], rng.random(len(names)), side="right")
    converted = traditional(names)
    unchanged = converted == names
    spaced = _with_space(names, " ")
    result = np.where(kind == 0, spaced, _with_space(names, "\u3000"))
    return np.where((kind == 2) & ~unchanged, converted, np.where(kind == 2, spaced, result))
