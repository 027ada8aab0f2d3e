"""The fixed wording of the letters: sentences every document of a kind carries, which an
agency may word its own way (Settings › 文书用语, services/wording.py).

Each `Slot` is one such sentence with its default text and the placeholders it may use; a
placeholder is a fact filled in from the records when the document is built ({停工措施} from
the hazard's stop-work decision), so an agency changes the wording, never the facts. The
builders call `text(meta.wording, kind, key, **facts)`; what the agency has not changed
prints as the default. Placeholders are filled by plain substitution (no str.format: a
template is someone's text, not code).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_LENGTH = 500


@dataclass(frozen=True)
class Slot:
    kind: str  # the document kind (doc_data.KINDS)
    key: str
    label: str  # what the administrator sees: 整改要求, 复工条件…
    default: str
    placeholders: Mapping[str, str] = field(default_factory=dict)  # name -> what it becomes
    sample: Mapping[str, str] = field(default_factory=dict)  # facts for the preview

    @property
    def id(self) -> str:
        return f"{self.kind}.{self.key}"


KIND_LABELS = {
    "rectification_notice": "隐患整改通知书",
    "stop_work": "停工（局部停工）建议书",
    "refusal_report": "拒不整改（拖延整改）情况报告",
}

SLOTS: tuple[Slot, ...] = (
    Slot("rectification_notice", "request", "整改要求",
         "请你单位按照“责任、措施、时限、预案”四落实的要求，在整改期限内完成整改；整改完成后经"
         "监理单位{监理单位}核查确认，将整改回复及整改前后照片报送我机构复查销项。整改期间应落实"
         "管控措施，防止发生生产安全事故。",
         {"监理单位": "监理单位名称，加括号；隐患未登记监理单位时为空"},
         {"监理单位": "（浙江某某工程管理有限公司）"}),
    Slot("stop_work", "suggestion", "停工建议",
         "为防止生产安全事故发生，依据安全生产责任保险事故预防服务的有关规定，建议你单位{停工措施}，"
         "撤离相关作业人员，设置警戒区域，并落实下列整改措施。",
         {"停工措施": "“立即对（停工范围）实施局部停工”或“立即停止施工作业”，按隐患登记的停工建议"},
         {"停工措施": "立即对3#楼外脚手架作业区实施局部停工"}),
    Slot("stop_work", "resume", "复工条件",
         "隐患整改完成并经监理单位核查确认后，书面报送我机构复查；经复查合格后方可恢复施工。"),
    Slot("refusal_report", "requests", "建议",
         "建议贵单位督促责任单位立即落实整改措施；对拒不整改或整改不到位的，依法依规予以处理。"
         "我机构将持续跟踪该隐患的整改情况并及时报告。"),
    Slot("refusal_report", "closing", "结束语", "特此报告。"),
)
BY_ID = {s.id: s for s in SLOTS}


def placeholders_in(template: str) -> list[str]:
    return PLACEHOLDER.findall(template)


def stray_braces(template: str) -> bool:
    """A { or } that is not part of a {name}: the text would print it literally."""
    return "{" in PLACEHOLDER.sub("", template) or "}" in PLACEHOLDER.sub("", template)


def fill(template: str, facts: Mapping[str, str]) -> str:
    """The template with each {name} replaced by its fact (an unknown name stays as written)."""
    return PLACEHOLDER.sub(lambda m: facts.get(m.group(1), m.group(0)), template)


def text(wording: Mapping[str, str], kind: str, key: str, **facts: str) -> str:
    """The sentence the document prints: the agency's wording if it has one, else the default."""
    slot = BY_ID[f"{kind}.{key}"]
    return fill(wording.get(slot.id) or slot.default, facts)


def for_kind(wording: Mapping[str, str], kind: str) -> dict[str, str]:
    """The agency's wording of one kind's slots (what a document of that kind carries)."""
    return {k: v for k, v in wording.items() if k in BY_ID and BY_ID[k].kind == kind}
