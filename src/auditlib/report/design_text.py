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
from auditlib.report.text import priority_group_label, text
from auditlib.sampling.plan import SamplingPlan

__all__ = ["design_sentences"]


def _w(key: str, language: str, **values: object) -> str:
    return text(f"design_{key}", language, **{k: escape(v) for k, v in values.items()})


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
