"""The design paragraph of a report, generated from the resolved plan and the sample drawn.

One sentence per part of the design that this plan has — townships as strata and villages as
primary units, then each certainty or extra stratum (registered relatives, top-risk households,
risk oversample, new approvals, temporary assistance, non-recipients of the priority groups) with
the number of households it actually put in the sample. A part the plan does not have is not
mentioned (a ``notice-2019`` report never says that top-risk households were verified in full).
"""

from __future__ import annotations

from collections.abc import Mapping

from auditlib.report.html import escape, format_count
from auditlib.report.text import LANGUAGES, priority_group_label
from auditlib.sampling.plan import SamplingPlan

__all__ = ["design_sentences"]

_WORDS: dict[str, tuple[str, str]] = {
    "primary": (
        "抽样方案“{plan}”：各乡镇为层，每个乡镇{selection}抽取 {villages} 个村{large}，每个"
        "样本村抽取 {households} 户低保户（共抽中 {villages_drawn} 个村、随机部分 {random} 户）。",
        "Plan '{plan}': townships are strata; in each, {villages} villages are drawn "
        "{selection}{large}, and {households} recipient households in each sampled village "
        "({villages_drawn} villages and {random} households in the random part).",
    ),
    "srs": ("简单随机", "by simple random sampling"),
    "pps": ("按户数成比例（PPS）", "with probability proportional to size"),
    "large": (
        "（村数不少于 {minimum} 的乡镇抽 {count} 个）",
        " ({count} in townships with at least {minimum} villages)",
    ),
    "relatives": (
        "与经办人员、村干部有近亲属关系并备案的低保户全部核查（确定性层），共 {count} 户。",
        "Every recipient household with a registered close relative among caseworkers or "
        "cadres is verified (certainty stratum): {count} households.",
    ),
    "risk_certainty": (
        "风险评分最高的 {share} 低保户全部核查（确定性层），共 {count} 户。",
        "The {share} of recipient households with the highest risk scores are verified in "
        "full (certainty stratum): {count} households.",
    ),
    "risk_oversample": (
        "风险评分居前 {share} 的低保户在样本村中另行加抽，每村至多 {per_village} 户，"
        "共 {count} 户。",
        "Recipient households in the top {share} of risk scores are oversampled in the "
        "sampled villages, up to {per_village} per village: {count} households.",
    ),
    "new_approval": (
        "新增审批的低保户单独成层，按 {share} 抽取，共 {count} 户。",
        "Newly approved recipient households form their own stratum, {share} of them drawn: "
        "{count} households.",
    ),
    "temporary_assistance": (
        "样本村中的临时救助户全部核查，共 {count} 户。",
        "Temporary-assistance households in the sampled villages are all verified: {count}.",
    ),
    "non_recipients": (
        "样本村中未纳入低保的重点人群（{groups}）{per_village}，共 {count} 户，用于估计漏保率。",
        "Non-recipient households of the priority groups ({groups}) in the sampled villages, "
        "{per_village}: {count} households, for the omission rate.",
    ),
    "per_village_all": ("全部核查", "all of them"),
    "per_village": ("每村抽取 {count} 户", "{count} per village"),
    "weights": (
        "随机种子 {seed}，抽样框散列 {frame_hash}；共抽取 {households} 户。每户的入样概率已知，"
        "权重 = 1 / 入样概率（确定性层的权重为 1）。",
        "Seed {seed}, frame hash {frame_hash}; {households} households in all. Every "
        "household's inclusion probability is known; weight = 1 / probability (1 in the "
        "certainty strata).",
    ),
}


def _w(key: str, language: str, **values: object) -> str:
    template = _WORDS[key][LANGUAGES.index(language)]
    return template.format(**{k: escape(v) for k, v in values.items()})


def _share(value: float) -> str:
    return f"{value * 100:g}%"


def design_sentences(
    plan: SamplingPlan,
    reasons: Mapping[str, int],
    *,
    villages_drawn: int,
    seed: int,
    frame_hash: str,
    language: str,
) -> list[str]:
    """The design paragraph's sentences, stratum by stratum.

    Parameters
    ----------
    plan : SamplingPlan
        The resolved plan of the draw.
    reasons : mapping
        Households in the sample per ``selection_reason`` code.
    villages_drawn : int
        Villages sampled.
    seed, frame_hash
        The draw's seed and sampling-frame hash.
    language : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    list of str
        HTML-escaped sentences.
    """

    def count(code: str) -> str:
        return format_count(reasons.get(code, 0))

    large = ""
    if plan.villages_per_large_township not in (None, plan.villages_per_township):
        large = _w(
            "large",
            language,
            minimum=plan.large_township_min_villages,
            count=plan.villages_per_large_township,
        )
    sentences = [
        _w(
            "primary",
            language,
            plan=plan.name,
            selection=_w(plan.psu_selection, language),
            villages=plan.villages_per_township,
            large=large,
            households=plan.households_per_village,
            villages_drawn=format_count(villages_drawn),
            random=count("random"),
        )
    ]
    if plan.relatives_certainty:
        sentences.append(_w("relatives", language, count=count("certainty_relative")))
    if plan.risk_certainty_share > 0:
        share = _share(plan.risk_certainty_share)
        sentences.append(_w("risk_certainty", language, share=share, count=count("certainty_risk")))
    if plan.risk_oversample_share > 0:
        sentences.append(
            _w(
                "risk_oversample",
                language,
                share=_share(plan.risk_oversample_share),
                per_village=plan.risk_oversample_per_village,
                count=count("risk_oversample"),
            )
        )
    if plan.new_approval_share > 0:
        share = _share(plan.new_approval_share)
        sentences.append(_w("new_approval", language, share=share, count=count("new_approval")))
    if plan.temporary_assistance:
        sentences.append(_w("temporary_assistance", language, count=count("temporary_assistance")))
    if plan.non_recipient_groups:
        from_each = (
            _w("per_village_all", language)
            if plan.non_recipients_per_village is None
            else _w("per_village", language, count=plan.non_recipients_per_village)
        )
        groups = "、" if language == "zh" else ", "
        sentences.append(
            _w(
                "non_recipients",
                language,
                groups=groups.join(
                    priority_group_label(group, language) for group in plan.non_recipient_groups
                ),
                per_village=from_each,
                count=count("non_recipient"),
            )
        )
    total = sum(reasons.values())
    sentences.append(
        _w("weights", language, seed=seed, frame_hash=frame_hash, households=format_count(total))
    )
    return sentences
