"""The fixed wording of the documents: sentences every document of a kind carries, which an
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
    "inspection_record": "检查记录",
    "kickoff_record": "服务交底会记录",
    "emergency_plan_advice": "应急预案编制建议书",
    "key_letter": "公钥登记函",
    "fee_ledger": "预防费用台账",
    "self_check": "检查表（自查）",
    "service_plan": "事故预防技术服务工作方案",
    "special_plan": "专项服务方案",
    "drill_record": "应急演练记录及评估报告",
}

_PLAN_OPENING = ("为做好{项目名称}安全生产责任保险事故预防服务工作，依据《安全生产责任保险事故预防技术服务规范》"
                 "（AQ 9010—2019）及有关规定，结合本项目施工阶段、危险性较大的分部分项工程和风险源情况，"
                 "制定本{plan}（第{版次}版）。")
_PLAN_FACTS = {"项目名称": "项目名称，加引号", "版次": "方案的版次"}
_PLAN_SAMPLE = {"项目名称": "“镜湖新区金色家园二期”", "版次": "1"}

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
    Slot("refusal_report", "opening", "开头",
         "我机构在为{项目名称}（施工单位：{施工单位}）提供安全生产责任保险事故预防服务过程中，发现下列"
         "安全隐患并已书面通知责任单位限期整改。截至{报告日期}，责任单位{整改情况}，隐患仍未消除，"
         "存在引发生产安全事故的风险。现将有关情况报告如下。",
         {"项目名称": "项目名称，加引号", "施工单位": "项目的施工单位（未登记时为“—”）",
          "报告日期": "文书日期", "整改情况": "“拒不按要求实施整改”或“未在规定期限内完成整改，"
          "整改工作明显拖延”，按报告的类别"},
         {"项目名称": "“镜湖新区金色家园二期”", "施工单位": "浙江某建设集团有限公司",
          "报告日期": "2026年12月7日", "整改情况": "拒不按要求实施整改"}),
    Slot("refusal_report", "closing", "结束语", "特此报告。"),
    Slot("inspection_record", "follow_up", "整改要求及后续跟踪",
         "请受检单位按隐患整改通知书要求限期整改，整改完成后经监理单位确认报我机构复查销项。"),
    Slot("kickoff_record", "confirmed", "确认语",
         "以上交底内容经投保单位{确认人}于{确认日期}确认。",
         {"确认人": "投保单位确认人", "确认日期": "确认日期"},
         {"确认人": "李明", "确认日期": "2026年3月2日"}),
    Slot("emergency_plan_advice", "request", "建议要求",
         "请投保单位结合工程实际修改完善应急预案，并按规定组织评审、发布和演练。"),
    Slot("key_letter", "request", "登记请求",
         "我机构（{机构名称}）出具的安全生产责任保险事故预防服务评审资料包和签发的电子文书，均以下列"
         " Ed25519 签名密钥进行电子签名。现将该密钥的公钥登记如下，请据此核验我机构出具的资料包和文书。",
         {"机构名称": "本机构名称"}, {"机构名称": "绍兴安衡安全风控咨询有限公司"}),
    Slot("fee_ledger", "principle", "列支原则",
         "事故预防服务费用据实列支、专款专用，每笔支出对应已提供的服务。"),
    Slot("self_check", "note", "说明",
         "说明：检查情况由系统依据业务记录逐项计算，“待人工填写”项须由技术负责人对照制度文件或评价文件确认；"
         "［未到期］表示期限尚未届满的事项；“尚未到期”表示该项所列事项的期限均未届满，暂不作符合与否的判断。"),
    Slot("service_plan", "opening", "开头", _PLAN_OPENING.replace("{plan}", "服务工作方案"),
         _PLAN_FACTS, _PLAN_SAMPLE),
    Slot("special_plan", "opening", "开头", _PLAN_OPENING.replace("{plan}", "专项服务方案"),
         _PLAN_FACTS, _PLAN_SAMPLE),
    Slot("drill_record", "unevaluated", "尚未评估时的说明",
         "本次演练尚未评估。评估应在演练后及时完成，内容包括组织指挥、响应时间、人员疏散、救援处置和物资保障"
         "等方面的成效、发现的问题和改进建议。"),
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
