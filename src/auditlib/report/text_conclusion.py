"""Words of the report's first section, the conclusion (Chinese, English).

Merged into :func:`auditlib.report.text.text`'s table; numbers are placeholders filled from the
estimates, never written here.
"""

from __future__ import annotations

__all__ = ["CONCLUSION_TEXT"]

CONCLUSION_TEXT: dict[str, tuple[str, str]] = {
    "conclusion": ("结论", "Conclusion"),
    "error_types_chart": (
        "各类不符合条件情形占低保户比例（加权估计及{level}%区间）",
        "Share of Dibao recipients by reason (weighted estimate, {level}% CI)",
    ),
    "share_percent": ("比例（%）", "Share (%)"),
    "omission_groups_chart": (
        "各重点人群中符合条件未纳入比例（加权估计及{level}%区间）",
        "Share eligible but not enrolled, by priority group (weighted, {level}% CI)",
    ),
    "verdict_within": (
        "<strong>在可容忍错保率以内。</strong>低保错保率估计为 {rate}，{level}% 单侧置信上限 "
        "{upper} 不超过省定可容忍错保率 {tolerable}：可以 {level}% 的把握认为全县错保率在可容忍"
        "范围内。",
        "<strong>Within the tolerable error rate.</strong> The Dibao error rate is estimated at "
        "{rate}; its one-sided {level}% upper limit, {upper}, does not exceed the tolerable "
        "rate of {tolerable} set by the province: with {level}% confidence the county's rate is "
        "within it.",
    ),
    "verdict_undecided": (
        "<strong>不能确认在可容忍错保率以内。</strong>低保错保率估计为 {rate}，但 {level}% 单侧"
        "置信上限 {upper} 高于省定可容忍错保率 {tolerable}：按审计惯例（以上限判断），本次核查"
        "不能作出“达标”结论。",
        "<strong>Not shown to be within the tolerable error rate.</strong> The Dibao error rate "
        "is estimated at {rate}, but its one-sided {level}% upper limit, {upper}, exceeds the "
        "tolerable rate of {tolerable}: as an auditor concludes on the upper limit, this audit "
        "cannot conclude that the county is within it.",
    ),
    "verdict_above": (
        "<strong>高于可容忍错保率。</strong>低保错保率估计为 {rate}，{level}% 置信区间下限 "
        "{lower} 也高于省定可容忍错保率 {tolerable}：超出部分不是抽样误差所致。",
        "<strong>Above the tolerable error rate.</strong> The Dibao error rate is estimated at "
        "{rate}; even the lower limit of its {level}% interval, {lower}, is above the tolerable "
        "rate of {tolerable}: the excess is not sampling noise.",
    ),
    "verdict_none": (
        "参数文件未设定可容忍错保率（report.tolerable_error_rate），本报告不作达标判断。低保"
        "错保率估计为 {rate}，{level}% 单侧置信上限 {upper}。",
        "The parameter file sets no tolerable error rate (report.tolerable_error_rate), so the "
        "report draws no pass/fail conclusion. The Dibao error rate is estimated at {rate}, "
        "one-sided {level}% upper limit {upper}.",
    ),
    "verdict_counts": (
        "样本中核实低保户 {verified} 户，发现不符合条件 {found} 户（样本户数，未加权）；按抽样"
        "权重推算全县约 {households} 户，错发金额约 {amount} 元（{level}% 区间 {amount_lower} – "
        "{amount_upper} 元）。",
        "Of {verified} Dibao households verified in the sample, {found} were found ineligible "
        "(sample count, unweighted); weighted to the county that is about {households} "
        "households and {amount} yuan paid to ineligible households ({level}% CI "
        "{amount_lower} – {amount_upper} yuan).",
    ),
    "change_heading": ("与上一轮核查相比", "Change since the previous round"),
    "change_text": (
        "上一轮：{file}（随机种子 {seed}）。两轮样本各自独立抽取，变化的区间由两轮的区间合成"
        "（MOVER 方法，见 docs/estimation.md）。",
        "Previous round: {file} (seed {seed}). The two rounds' samples were drawn "
        "independently; the interval of the change combines the two rounds' intervals (MOVER, "
        "see docs/estimation.md).",
    ),
    "change_same_seed": (
        "注意：两轮随机种子相同，样本可能并非独立抽取，变化的区间可能偏宽或偏窄。",
        "Note: both rounds used the same seed, so their samples may not be independent; the "
        "interval of the change may be too wide or too narrow.",
    ),
    "change_estimand": ("指标", "Figure"),
    "change_previous": ("上一轮", "Previous round"),
    "change_current": ("本轮", "This round"),
    "change_value": ("变化", "Change"),
    "change_interval": ("变化的{level}%区间", "{level}% CI of the change"),
    "change_statement": ("判断", "Reading"),
    "change_down": ("下降，超出抽样误差", "down, beyond sampling noise"),
    "change_up": ("上升，超出抽样误差", "up, beyond sampling noise"),
    "change_unclear": (
        "变化在抽样误差范围内，不能判断是否改变",
        "within sampling noise: not distinguishable from no change",
    ),
    "change_level_differs": (
        "两轮置信水平不同（{previous} 与 {current}），不给出变化区间",
        "the rounds' confidence levels differ ({previous} vs {current}): no interval",
    ),
    "change_summary": (
        "错保率较上一轮{direction}：{change}（{level}% 区间 {lower} 至 {upper}）。",
        "The error rate {direction} since the previous round: {change} ({level}% CI {lower} "
        "to {upper}).",
    ),
    "direction_down": ("下降，且超出抽样误差", "fell, by more than sampling noise"),
    "direction_up": ("上升，且超出抽样误差", "rose, by more than sampling noise"),
    "direction_unclear": (
        "的变化与零无法区分",
        "changed by an amount not distinguishable from zero",
    ),
    "points": ("{value} 个百分点", "{value} percentage points"),
    "next_steps": ("下一步", "Next steps"),
    "next_ineligible": (
        "对样本中核实不符合条件的 {found} 户依规停发，并追回其审计期内实发的 {paid} 元。",
        "Stop payments to the {found} sampled households found ineligible and recover the "
        "{paid} yuan paid to them in the audit period.",
    ),
    "next_nonresponse": (
        "样本中尚有 {count} 户未能核实：补充入户核查后重新出具报告。",
        "{count} sampled households could not be verified: visit them and reissue the report.",
    ),
    "next_townships_above": (
        "回头看重点乡镇（模型估计区间下限高于{yardstick}）：{names}。",
        "Townships to revisit (model-based interval entirely above {yardstick}): {names}.",
    ),
    "next_townships_top": (
        "没有乡镇的估计区间整体高于{yardstick}；估计错保率最高的乡镇：{names}，可作为回头看的优先对象。",
        "No township's interval lies entirely above {yardstick}; highest estimated rates: "
        "{names} — first candidates for a follow-up visit.",
    ),
    "yardstick_tolerable": ("可容忍错保率 {value}", "the tolerable rate of {value}"),
    "yardstick_county": ("全县估计 {value}", "the county estimate of {value}"),
    "next_risk": (
        "风险评分前列但未入样的低保户不是问题户，只是核查线索：见“风险评分”一节。",
        "Top-risk households not in the sample are leads for verification, not findings: see "
        "the risk-scoring section.",
    ),
}
