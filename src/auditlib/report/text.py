"""Words of the county report in Chinese (default) and English: headings, labels, sentences.

Numbers never live here: every sentence is a template filled from the estimates, so the two
languages always show the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping

from auditlib.data.codes import ERROR_TYPES, PRIORITY_GROUPS
from auditlib.errors import ReportError
from auditlib.report.text_conclusion import CONCLUSION_TEXT
from auditlib.report.text_design import DESIGN_TEXT
from auditlib.report.text_risk import RISK_TEXT

__all__ = ["LANGUAGES", "error_type_label", "priority_group_label", "text"]

LANGUAGES = ("zh", "en")

ERROR_TYPES_EN: dict[str, str] = {
    "village_cadre": "household of a serving village cadre",
    "official_relative": "close relative of a caseworker or public servant",
    "salary_or_pension": "member with a fixed salary or pension",
    "car_owner": "owns a motor vehicle",
    "commercial_housing": "bought commercial housing",
    "luxury_house": "3+ storey well-decorated house",
    "wealthy_children": "children living clearly above the local level",
    "adult_student_no_proof": "adult counted as student without proof",
    "deceased_member": "deceased member still counted",
    "business_owner": "runs an enterprise or business",
    "income_above_standard": "income above the standard",
    "connections": "enrolled through connections (关系保/人情保)",
}
PRIORITY_GROUPS_EN: dict[str, str] = {
    "severe_disability": "severely disabled member",
    "serious_illness": "seriously ill member",
    "registered_poor": "registered poor household (建档立卡)",
    "recently_exited": "left Dibao in the last two years",
    "refused": "application refused in the last two years",
}

_TEXT: dict[str, tuple[str, str]] = {
    # title and summary
    "title": ("{county}低保专项核查报告", "Dibao audit report: {county}"),
    "subtitle": (
        "{province}{county}（行政区划代码 {county_code}）· 审计期间 {start} 至 {end} · "
        "数据截至 {reference}",
        "{county}, {province} (code {county_code}) · audit period {start} to {end} · "
        "data as of {reference}",
    ),
    "summary": ("一、主要结论", "1. Key findings"),
    "error_rate": ("错保率", "Inclusion-error rate (错保率)"),
    "error_rate_dibao": ("低保错保率", "Dibao inclusion-error rate"),
    "tekun_error_rate": ("特困供养错保率", "特困 support error rate"),
    "overpayment": ("多发金额（元）", "Overpayments (yuan)"),
    "overpayment_rate": ("多发占比", "Overpayment rate"),
    "underpayment": ("少发金额（元）", "Underpayments (yuan)"),
    "underpayment_rate": ("少发占比", "Underpayment rate"),
    "paid_register": (
        "审计期发放低保金总额（台账，元）",
        "Dibao paid in the audit period (ledger, yuan)",
    ),
    "improper_amount": ("不当发放金额", "Improper payments (yuan)"),
    "improper_rate": ("不当发放占比", "Improper-payment rate"),
    "omission_rate": ("漏保率", "Omission rate (漏保率)"),
    "interval": ("{level}%置信区间 {lower} – {upper}", "{level}% CI {lower} – {upper}"),
    "upper_one_sided": ("单侧{level}%上限 {upper}", "one-sided {level}% upper limit {upper}"),
    "unreliable_mark": ("估计不稳定", "unreliable"),
    "summary_error": (
        "据本次随机抽样核查推算，全县约 {rate} 的低保户不符合保障条件（{level}%置信区间 "
        "{lower} 至 {upper}），即约 {households} 户（区间 {households_lower} 至 "
        "{households_upper} 户）。这一区间表示抽样带来的不确定性："
        "若重复抽样，绝大多数区间会覆盖真实比例。",
        "From this random sample, about {rate} of recipient households in the county are not "
        "eligible ({level}% confidence interval {lower} to {upper}), i.e. about {households} "
        "households (interval {households_lower} to {households_upper}). The interval shows the "
        "uncertainty due to sampling: over repeated samples, almost all such intervals contain "
        "the true share.",
    ),
    "summary_zero": (
        "样本中未发现不符合条件的低保户；但这并不表示全县没有错保：按{level}%单侧置信上限，"
        "错保率不超过 {upper}。",
        "No ineligible recipient was found in the sample; this does not prove there are none: "
        "at {level}% confidence the rate is at most {upper} (one-sided upper limit).",
    ),
    "summary_money": (
        "审计期间发放给不符合条件家庭的资金估计为 {amount} 元（区间 {lower} 至 {upper} 元），"
        "占发放总额的 {rate}（区间 {rate_lower} 至 {rate_upper}）。",
        "Payments to ineligible households in the audit period are estimated at {amount} yuan "
        "(interval {lower} to {upper}), {rate} of all payments (interval {rate_lower} to "
        "{rate_upper}).",
    ),
    "summary_omission": (
        "在重点人群（重度残疾、重病、建档立卡、近两年退出或被拒）中，估计符合条件却未纳入低保的"
        "家庭占全部符合条件家庭的 {rate}（区间 {lower} 至 {upper}）。",
        "Among priority groups (severely disabled, seriously ill, registered poor, recently "
        "exited or refused), eligible households left out are estimated at {rate} of all "
        "eligible households (interval {lower} to {upper}).",
    ),
    "summary_no_omission": (
        "本次样本未包含未纳入低保的重点人群家庭，无法估计漏保率。",
        "The sample holds no non-recipient households of the priority groups, so the omission "
        "rate cannot be estimated.",
    ),
    "response_bounds": (
        "核查完成率 {response_rate}；未核查户全部符合 / 全部不符合条件时错保率为 {lower} / {upper}",
        "response rate {response_rate}; {lower} / {upper} if the households not verified are "
        "all eligible / all ineligible",
    ),
    "summary_unreliable": (
        "标注“估计不稳定”的数字未达到美国国家卫生统计中心（NCHS）比例数据发布标准："
        "有效样本量小于 30、置信区间宽度达 30 个百分点或相对宽度超过 130%、"
        "自由度小于 8（自由度按实际承担方差的抽中村计算），或估计值为 0；应谨慎解读。",
        "Figures marked 'unreliable' fail the NCHS presentation standard for proportions: an "
        "effective sample size below 30, an interval 30 points wide or more than 130% of the "
        "estimate, fewer than 8 degrees of freedom (counted from the sampled villages that carry "
        "the variance) or an estimate of 0; read them with caution.",
    ),
    "populations": (
        "口径：错保率、不当发放、多发/少发金额均针对低保户（全县 {dibao} 户）；"
        "特困供养（{tekun} 户）单列错保率；"
        "漏保率 = 符合低保条件但未纳入的家庭 ÷（该类家庭 + 符合条件的低保户）。",
        "Populations: the inclusion-error rate, improper payments and over-/underpayments are "
        "about Dibao recipient households ({dibao} in the county); 特困 support ({tekun} "
        "households) has its own error rate; the omission rate is Dibao-eligible households left "
        "out ÷ (those households + eligible Dibao recipients).",
    ),
    # design
    "design": ("二、抽样设计与样本", "2. Design and sample drawn"),
    "design_nonresponse": (
        "无应答调整：未能完成核查的样本户（未找到、已迁出、拒绝配合、尚未返回）不参与估计；其权重在"
        "“乡镇 × 抽样原因”加权类内按设计权重转给完成核查的家庭（完成户少于 {minimum} 户的类与同乡镇"
        "同类原因合并，仍不足时跨乡镇合并）。确定性层（全部核查户）的完成户视为该层的随机子样本。"
        "各乡镇完成情况如下表。",
        "Non-response adjustment: households drawn but not verified (not found, moved, refused, "
        "pending) do not enter the estimates; within weighting classes (township × selection "
        "reason) their design weight is carried by the verified households (a class with fewer "
        "than {minimum} verified households is merged with the township's classes of the same "
        "kind, then across townships). In certainty strata (verified in full) the verified "
        "households are taken as a random subsample of the stratum. Response by township below.",
    ),
    "respondents": ("完成核查户", "Verified"),
    "response_rate": ("完成率", "Response rate"),
    "weighted_response_rate": ("加权完成率", "Weighted response rate"),
    "not_found": ("未找到", "Not found"),
    "moved": ("已迁出", "Moved"),
    "refused": ("拒绝配合", "Refused"),
    "pending": ("尚未返回", "Pending"),
    "township": ("乡镇", "Township"),
    "villages_total": ("村数", "Villages"),
    "villages_sampled": ("抽中村数", "Villages drawn"),
    "recipients_total": ("低保户数", "Recipient households"),
    "sampled_random": ("随机样本户", "Random sample"),
    "sampled_certainty": ("确定性/加抽户", "Certainty / oversample"),
    "sampled_non_recipients": ("未纳入户", "Non-recipients"),
    "stratum": ("层", "Stratum"),
    "reason": ("入样原因", "Reason selected"),
    "households": ("户数", "Households"),
    "weighted_households": ("代表户数(加权)", "Households represented (weighted)"),
    # townships
    "townships": ("三、分乡镇错保率", "3. Inclusion-error rate by township"),
    "townships_text": (
        "各乡镇的估计只用该乡镇的样本（以乡镇为条件的设计），样本小，区间较宽。空心灰点为“估计不稳定”，"
        "不宜据此对乡镇排名。红色虚线为全县估计。",
        "Each township's estimate uses only that township's sample (a design conditional on the "
        "township); samples are small and intervals wide. Hollow grey points are unreliable and "
        "should not be used to rank townships. The dashed red line is the county estimate.",
    ),
    "townships_model": (
        "分乡镇错保率（模型估计）",
        "Inclusion-error rate by township (model-based)",
    ),
    "townships_model_text": (
        "每个乡镇只抽 2–3 个村，直接估计（仅用本乡镇样本）区间很宽，不宜使用。应使用“模型估计”："
        "Fay–Herriot 小区域模型借助全县各乡镇的登记数据（红色预警规则命中率、平均风险分位）在乡镇间"
        "借力，并与全县估计一致（加权平均等于全县错保率）。图中为模型估计；表中并列直接估计以供核对。"
        "“发现问题户”为样本中未加权的户数。",
        "With 2–3 villages per township the direct estimate (the township's own sample only) is "
        "too wide to use. Use the model-based estimate: a Fay–Herriot small-area model borrows "
        "strength across townships through register data known for every township (red-flag "
        "rule hit rate, mean risk percentile) and agrees with the county estimate (its "
        "recipient-weighted mean is the county rate). The chart shows the model-based estimates; "
        "the table puts the direct ones beside them. 'Found' counts sampled households, "
        "unweighted.",
    ),
    "found_unweighted": ("发现问题户（样本，未加权）", "Found (sample, unweighted)"),
    "direct_estimate": ("直接估计", "Direct estimate"),
    "direct_interval": ("直接估计95%区间", "Direct 95% CI"),
    "model_estimate": ("模型估计（建议使用）", "Model-based (use this)"),
    "model_interval": ("模型估计95%区间", "Model-based 95% CI"),
    "sampled": ("样本户", "Sampled"),
    "found": ("发现问题户", "Found"),
    "estimate": ("估计", "Estimate"),
    "lower": ("下限", "Lower"),
    "upper": ("上限", "Upper"),
    "reliability": ("可靠性", "Reliability"),
    "reliable": ("可靠", "reliable"),
    "unreliable": ("不稳定", "unreliable"),
    "county_estimate": ("全县估计", "County estimate"),
    "rate_percent": ("错保率（%）", "Inclusion-error rate (%)"),
    # error types
    "error_types": ("四、错保类型", "4. Errors by official type"),
    "error_types_text": (
        "按清退情形统计样本中发现的不符合条件家庭，并推算全县占比。",
        "Ineligible households found in the sample, by the official removal reason, and the "
        "estimated share of all recipient households.",
    ),
    "error_type": ("清退情形", "Removal reason"),
    "share_of_recipients": ("占低保户比例", "Share of recipients"),
    "no_errors_found": ("样本中未发现不符合条件的家庭。", "No ineligible household was found."),
    # money
    "payments": (
        "五、资金发放：不当发放、多发与少发",
        "5. Payments: improper, over- and underpaid",
    ),
    "payments_text": (
        "不当发放 = 审计期间发放给核查认定不符合条件低保户的金额；"
        "多发 / 少发 = 实发金额高于 / 低于核查认定的应发金额"
        "（核定月标准 × 审计期内在保月数，不符合条件者应发为 0）的部分。"
        "占比为除以全部发放额的比率估计，金额 = 占比 × 台账发放总额；"
        "区间按比例的偏态计算，不会小于 0。",
        "Improper payments = yuan paid in the audit period to Dibao households found ineligible; "
        "over- / underpayments = yuan paid above / below the verified entitlement (the monthly "
        "benefit found correct × months on Dibao in the period; 0 for an ineligible household). "
        "Rates are ratio estimates over all yuan paid; amounts = rate × the ledger's total paid; "
        "intervals follow the skew of a share and never go below 0.",
    ),
    "total_paid": ("发放总额（元）", "Total paid (yuan)"),
    "measure": ("指标", "Measure"),
    "yuan": ("元", "yuan"),
    # omission
    "omission": ("六、漏保（重点人群）", "6. Omission by priority group"),
    "omission_text": (
        "漏保率 = 符合低保条件但未纳入的家庭 ÷（该类家庭 + 符合条件的低保户），"
        "特困供养户不计入（联合线性化方差）。各重点人群可重叠。",
        "Omission rate = Dibao-eligible households left out ÷ (those households + eligible "
        "Dibao recipients), 特困 households left out (variance by joint linearisation). "
        "Priority groups overlap.",
    ),
    "priority_group": ("重点人群", "Priority group"),
    "eligible_found": ("核查符合条件户", "Found eligible"),
    "share_eligible": ("符合条件比例", "Share eligible"),
    # risk
    "risk": ("七、风险评分", "7. Risk scoring"),
    "risk_caution": (
        "风险标记只是安排入户核查的提示，不是认定结论：任何家庭都不会因评分被自动取消或减少保障。"
        "是否符合条件只能由入户核查认定。",
        "A risk flag is a prompt for verification, not a finding: no household loses or has its "
        "benefit reduced because of a score. Only a verification visit can establish "
        "eligibility.",
    ),
    "rules_table": ("政策规则命中户数", "Households hit by each policy rule"),
    "rule": ("规则", "Rule"),
    "hits": ("命中户数", "Households hit"),
    "score_distribution": ("孤立森林异常分数分布", "Distribution of the isolation-forest score"),
    "forest_score": ("异常分数（越高越异常）", "Anomaly score (higher = more unusual)"),
    "risk_percentile": ("风险分位数", "Risk percentile"),
    "count": ("户数", "Households"),
    "top_households": (
        "高风险户（前 {count} 户，身份已脱敏）",
        "Top-risk households (first {count}, masked)",
    ),
    "household": ("户编号", "Household"),
    "head": ("户主", "Head"),
    "id_number": ("身份证号", "ID number"),
    "village": ("村", "Village"),
    "reasons": ("原因", "Reasons"),
    "tier": ("风险等级", "Tier"),
    "fairness": ("公平性检查：不同群体的标记率", "Fairness: flag rates by group"),
    "fairness_text": (
        "比较各群体被标为高风险的比例与全县比例；"
        "比值明显偏离 1 的群体需复核规则与特征是否对其不利。"
        "性别、民族、残疾、年龄等受保护属性从不作为评分特征。",
        "Share flagged high-risk in each group compared with the county; a ratio far from 1 "
        "calls for a review of whether rules or features disadvantage that group. Protected "
        "attributes (sex, ethnicity, disability, age) are never score features.",
    ),
    "attribute": ("属性", "Attribute"),
    "group": ("群体", "Group"),
    "flag_rate": ("标记率", "Flag rate"),
    "ratio_to_overall": ("与全县之比", "Ratio to overall"),
    "precision": ("核查命中率", "Precision (verified)"),
    "false_positive_rate": ("误标率", "False-positive rate"),
    "tier_high": ("高风险线", "high tier"),
    "tier_medium": ("中风险线", "medium tier"),
    # data quality
    "quality": ("附录一、数据质量", "Appendix 1. Data quality"),
    "quality_none": ("载入数据时未发现问题。", "No problem was found when loading the data."),
    "quality_text": (
        "载入和校验数据时发现 {count} 个问题（错误 {errors} 个、警告 {warnings} 个）；"
        "下表列出前 {shown} 个。未载入的行另有记录，没有任何数据被静默丢弃。",
        "Loading and validating the data found {count} problems ({errors} errors, {warnings} "
        "warnings); the first {shown} are listed. Rows not loaded are recorded; nothing was "
        "dropped silently.",
    ),
    "file": ("文件", "File"),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
    "value": ("值", "Value"),
    "expected": ("应为", "Expected"),
    "severity": ("级别", "Severity"),
    # reproduce
    "reproduce": ("附录二、如何复现本报告", "Appendix 2. How to reproduce this report"),
    "reproduce_text": (
        "本报告由 auditlib {version} 依据参数文件 {params_file} 生成（随机种子 {seed}，"
        "置信区间方法 {method}）。"
        "在同一数据和参数下运行 <code>auditlib report {params_file}{options}</code> "
        "可得到逐字节相同的 HTML；运行 <code>auditlib verify reports/{county_code}</code> "
        "会按 manifest.json 重新生成并逐个比较输出文件。",
        "Made by auditlib {version} from the parameter file {params_file} (seed {seed}, "
        "interval method {method}). Running "
        "<code>auditlib report {params_file}{options}</code> on the same data and parameters "
        "gives a byte-identical HTML; <code>auditlib verify "
        "reports/{county_code}</code> re-runs from manifest.json and compares every output.",
    ),
    "selection_reason": ("抽样原因", "Selection reason"),
    "interim_report": (
        "中期报告：部分入户核查结果尚未返回，未返回的户按未应答处理；结论以最终报告为准。",
        "Interim report: some verification results have not been returned yet and count as "
        "non-response; the final report is authoritative.",
    ),
    "data_changed": (
        "注意：抽样（第一阶段）之后县级数据已发生变化，本报告按第一阶段记录的样本和权数估计。"
        "变化：{changes}",
        "Note: the county data changed after the sample was drawn (phase 1); this report "
        "estimates from the sample and weights recorded then. Changes: {changes}",
    ),
    "verification_simulated": (
        "注意：本报告的入户核查结果为模拟数据（示例县，依据合成数据的真实情况模拟），仅用于演示和培训。",
        "Note: the verification results of this report are simulated (example county, from "
        "the synthetic data's ground truth), for demonstration and training only.",
    ),
}

_TEXT |= CONCLUSION_TEXT  # the conclusion's words live in their own module
_TEXT |= DESIGN_TEXT  # so do the design paragraph's
_TEXT |= RISK_TEXT  # so do the risk section's newer words


def text(key: str, language: str, **values: object) -> str:
    """The text ``key`` in ``language`` with ``{placeholders}`` filled from ``values``."""
    if language not in LANGUAGES:
        raise ReportError(f"report language must be one of {LANGUAGES}, got {language!r}")
    try:
        template = _TEXT[key][LANGUAGES.index(language)]
    except KeyError:
        raise ReportError(f"no report text {key!r}") from None
    return template.format(**values) if values else template


def _label(code: str, language: str, zh: Mapping[str, str], en: Mapping[str, str]) -> str:
    table = zh if language == "zh" else en
    return table.get(code, code)


#: Why a household is in the sample (``selection_reason`` of the sample table).
SELECTION_REASONS = {
    "random": ("随机抽取", "random"),
    "risk_oversample": ("高风险加抽", "risk oversample"),
    "temporary_assistance": ("临时救助户", "temporary assistance"),
    "non_recipient": ("未纳入低保户", "non-recipient"),
    "certainty_relative": ("近亲属备案户", "registered close relative"),
    "certainty_risk": ("高风险全部核查", "top risk, all verified"),
    "new_approval": ("新增审批户", "new approval"),
}


def selection_reason_label(code: str, language: str) -> str:
    """Label of a selection reason (``selection_reason`` code)."""
    labels = SELECTION_REASONS.get(code)
    return code if labels is None else labels[LANGUAGES.index(language)]


def error_type_label(code: str, language: str) -> str:
    """Label of an official removal reason (ERROR_TYPES code)."""
    return _label(code, language, ERROR_TYPES, ERROR_TYPES_EN)


def priority_group_label(code: str, language: str) -> str:
    """Label of a priority group (PRIORITY_GROUPS code)."""
    return _label(code, language, PRIORITY_GROUPS, PRIORITY_GROUPS_EN)
