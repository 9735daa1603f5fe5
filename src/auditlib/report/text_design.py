"""Words of the report's design paragraph (Chinese, English), one entry per stratum kind.

Merged into :func:`auditlib.report.text.text`'s table; filled by
:func:`auditlib.report.design_text.design_sentences`.
"""

from __future__ import annotations

__all__ = ["DESIGN_TEXT"]

DESIGN_TEXT: dict[str, tuple[str, str]] = {
    "design_primary": (
        "抽样方案“{plan}”：各乡镇为层，每个乡镇{selection}抽取 {villages} 个村{large}，每个"
        "样本村抽取 {households} 户低保户（共抽中 {villages_drawn} 个村、随机部分 {random} 户）。",
        "Plan '{plan}': townships are strata; in each, {villages} villages are drawn "
        "{selection}{large}, and {households} recipient households in each sampled village "
        "({villages_drawn} villages and {random} households in the random part).",
    ),
    "design_srs": ("简单随机", "by simple random sampling"),
    "design_pps": ("按户数成比例（PPS）", "with probability proportional to size"),
    "design_large": (
        "（村数不少于 {minimum} 的乡镇抽 {count} 个）",
        " ({count} in townships with at least {minimum} villages)",
    ),
    "design_relatives": (
        "与经办人员、村干部有近亲属关系并备案的低保户全部核查（确定性层），共 {count} 户。",
        "Every recipient household with a registered close relative among caseworkers or "
        "cadres is verified (certainty stratum): {count} households.",
    ),
    "design_risk_certainty": (
        "风险评分最高的 {share} 低保户全部核查（确定性层），共 {count} 户。",
        "The {share} of recipient households with the highest risk scores are verified in "
        "full (certainty stratum): {count} households.",
    ),
    "design_risk_oversample": (
        "风险评分居前 {share} 的低保户在样本村中另行加抽，每村至多 {per_village} 户，"
        "共 {count} 户。",
        "Recipient households in the top {share} of risk scores are oversampled in the "
        "sampled villages, up to {per_village} per village: {count} households.",
    ),
    "design_new_approval": (
        "新增审批的低保户单独成层，按 {share} 抽取，共 {count} 户。",
        "Newly approved recipient households form their own stratum, {share} of them drawn: "
        "{count} households.",
    ),
    "design_temporary_assistance": (
        "样本村中的临时救助户全部核查，共 {count} 户。",
        "Temporary-assistance households in the sampled villages are all verified: {count}.",
    ),
    "design_non_recipients": (
        "样本村中未纳入低保的重点人群（{groups}）{per_village}，共 {count} 户，用于估计漏保率。",
        "Non-recipient households of the priority groups ({groups}) in the sampled villages, "
        "{per_village}: {count} households, for the omission rate.",
    ),
    "design_per_village_all": ("全部核查", "all of them"),
    "design_per_village": ("每村抽取 {count} 户", "{count} per village"),
    "design_weights": (
        "随机种子 {seed}，抽样框散列 {frame_hash}；共抽取 {households} 户。每户的入样概率已知，"
        "权重 = 1 / 入样概率（确定性层的权重为 1）。",
        "Seed {seed}, frame hash {frame_hash}; {households} households in all. Every "
        "household's inclusion probability is known; weight = 1 / probability (1 in the "
        "certainty strata).",
    ),
}
