"""The annex checklist (安责险第三方风控服务机构检查表) as data, and the plain result records a self-check fills in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop.services.context import msg
from desktop.services.periods import Period

# The annex's own words, as Messages: str-equal to the Chinese (documents print them), and the
# GUI can show them translated.
SECTIONS = (msg("组织管理情况"), msg("事故预防技术服务开展情况"), msg("处置跟踪情况"), msg("成果管理情况"),
            msg("其他情况"))
METHODS = {
    "computed": msg("由业务数据计算"),
    "records": msg("由登记的投诉、事故记录计算"),
    "mixed": msg("有登记记录时计算，否则人工填写"),
    "manual": msg("人工填写"),
}
SCOPES = {"agency": msg("全机构"), "project": msg("项目"), "insurer": msg("承保机构"),
          "authority": msg("建设主管部门")}
STATUS_LABELS = {"met": msg("符合"), "not_met": msg("不符合"), "not_due": msg("尚未到期"),
                 "not_applicable": msg("不适用"), "manual": msg("待人工填写")}

_C1 = msg("健全管控体系。认真落实《浙江省建筑工程安全生产责任保险事故预防技术服务指南》，建立健全组织体系和"
          "安全生产管理制度，配备专职技术负责人，明确业务流程，强化人员管理，提升业务能力。")
_C2 = msg("风险识别和隐患排查。依据合同约定和服务指南要求，按照《施工现场风险源分级与防范措施一览表》和"
          "《房屋市政工程生产安全重大隐患判定标准（2022版）》开展风险分级和隐患排查工作，并形成风险源问题清单。")
_C3 = msg("安全风险评估。依据风险识别和隐患排查结果对工程项目进行安全风险评估，摸清项目风险等级底数，"
          "形成高度风险、中度风险和低度风险项目清单，根据风险等级制定服务形式和频次等内容。")
_C4 = msg("宣传教育培训。按照合同约定编制教育培训计划，对投保单位全部或部分管理人员和施工作业人员开展法律法规、"
          "安全技术标准等培训，提高从业人员安全生产意识和安全技能水平，减少违规指挥、违章作业和违反劳动纪律等行为。")
_C5 = msg("应急预案编制与演练。按照合同约定协助投保单位编制安全生产事故应急预案，协助组织应急救援演练，"
          "并对演练成效开展总结评估。")
_C6 = msg("处置时效和时限要求。严格《浙江省建筑工程安全生产责任保险事故预防技术服务指南》要求跟踪处置各类风险隐患。"
          "及时建立风险隐患清单，明确隐患整改责任、措施、时限、预案，督促施工单位分级分类采取有效措施消除隐患，"
          "逐项跟踪整改落实，实现闭环管理，坚决防止隐患变成事故。对拒绝整改或拖延整改的投保项目，"
          "及时反馈承保机构和属地建设主管部门。")
_C7 = msg("加强档案管理。建立健全档案管理制度，及时记录和保管各次服务形成的文档资料，确保服务过程可追溯和"
          "服务档案真实完整性。纸质版档案在项目竣工后应至少保留五年，档案销毁前应报保险机构核准。")
_C7X = msg("强化服务成效。服务机构应按照合同约定、服务指南等相关规定，全面开展事故预防技术服务，及时开展风险评估和"
           "隐患排查，有效缓解、杜绝投保项目安全生产事故发生。不断完善服务内容形式，听取各方意见建议，"
           "不断提高服务能力和效率。")


@dataclass(frozen=True)
class ChecklistItem:
    id: str  # C-2d
    number: str  # 序号 as printed in the annex ("" where the annex leaves it blank)
    section: str
    content: str  # 检查内容 (shared by the items of one numbered row)
    point: str  # 检查要点 ("" where the annex has none: item 8)
    rules: tuple[str, ...]  # the notice's rules it rests on (DOMAIN.md N-xx)
    method: str  # key of METHODS
    basis: str  # how the software decides, in one sentence

    @property
    def text(self) -> str:
        """What to show in a one-line list: the point, or the content where there is none."""
        return self.point or self.content

    @property
    def ref(self) -> str:
        """The item as the checklist itself numbers it (序号2第4点), for people: the id (C-2d)
        is ours and never shown. As reports.selfcheck.SelfCheckRow.ref prints it."""
        tail = self.id.rsplit("-", 1)[-1]
        number, letter = tail.rstrip("abcdefghijklmnopqrstuvwxyz"), tail[-1:]
        if not number.isdigit() or not letter.isalpha():
            return f"序号{self.number}" if self.number else ""
        return f"序号{number}第{ord(letter) - ord('a') + 1}点"


def _i(id_: str, number: str, section: int, content: str, point: str, rules: tuple[str, ...],
       method: str, basis: str) -> ChecklistItem:
    return ChecklistItem(id_, number, SECTIONS[section], content, point, rules, method, basis)


ITEMS: tuple[ChecklistItem, ...] = (
    _i("C-1a", "1", 0, _C1, msg("是否制定安全生产管理制度，明确岗位职责和业务流程。"), (), "manual",
       msg("由技术负责人对照制度文件人工确认。")),
    _i("C-1b", "1", 0, _C1, msg("是否按规定配备专职技术负责人和项目负责人。"), (), "computed",
       msg("有在职专职技术负责人；期间内服务的每个项目均指定了在职的项目负责人。")),
    _i("C-2a", "2", 1, _C2, msg("是否落实“一项目一方案”要求，编制事故预防技术服务工作方案。"), ("N-01",), "computed",
       msg("每个项目有已签发的服务工作方案（合同签订后按首次辨识期限起算）。")),
    _i("C-2b", "2", 1, _C2, msg("是否对每个项目均开展事故预防技术服务交底会和风险识别、隐患排查，并留有资料台账。"),
       ("N-02",), "computed", msg("每个项目有服务交底会记录（登记了投保单位确认人和确认日期，即经双方确认）和首次风险辨识检查记录。")),
    _i("C-2c", "2", 1, _C2, msg("项目各施工阶段是否均实施不少于1次风险识别和隐患排查。"), ("N-06",), "computed",
       msg("期间内进行的每个施工阶段（已结束或开始超过宽限天数）至少有一次检查。")),
    _i("C-2d", "2", 1, _C2, msg("是否对一、二级风险源做到 100%核查。"), ("N-04",), "computed",
       msg("每个季度内，每个项目的一、二级风险源均在全覆盖检查中核查。")),
    _i("C-2e", "2", 1, _C2, msg("是否对危大工程、重点工序开展针对性风险识别和隐患排查。"), ("N-05",), "computed",
       msg("期间内施工的每项危大工程在准备阶段和施工阶段均有危大工程专项检查。")),
    _i("C-2f", "2", 1, _C2, msg("是否落实每季度开展不少于1次全覆盖检查。"), ("N-03",), "computed",
       msg("每个项目每个季度至少一次全覆盖检查。")),
    _i("C-3a", "3", 1, _C3, msg("是否已开展安全风险评估，形成项目风险等级清单。"), ("N-12",), "computed",
       msg("每个项目有风险等级评定记录；在建项目按风险等级确定的服务频次到访。")),
    _i("C-3b", "3", 1, _C3, msg("是否针对高度、中度风险服务项目制定专门服务方案。"), ("N-12",), "computed",
       msg("高、中风险项目有已签发的专项服务方案。")),
    _i("C-4a", "4", 1, _C4, msg("是否按照合同约定开展宣传教育培训或每半年开展一次集中安全教育培训。"), ("N-13",),
       "computed", msg("每个半年度按培训计划的次数（按合同，任何培训均计入）或至少一次集中培训（每半年，"
                       "以培训记录中勾选“集中培训”为准；工作台与项目页按同一口径）。")),
    _i("C-4b", "4", 1, _C4, msg("宣传教育培训是否覆盖全部管理人员和施工作业人员。"), ("N-13",), "computed",
       msg("每个半年度参训的管理人员、作业人员人数（按人计，同一人多次参训只计一次：有身份证号的按身份证号认定，"
           "否则按姓名加电话，再否则按项目内姓名；只登记人数未附名单的场次，计为至少该场人数）"
           "不少于项目登记人数。")),
    _i("C-4c", "4", 1, _C4, msg("宣传教育培训内容是否具有针对性。"), ("N-13",), "computed",
       msg("培训针对的类别与该项目此前发现的隐患类别相符。")),
    _i("C-5a", "5", 1, _C5, msg("是否按照合同约定协助编制安全生产事故应急预案或者为投保单位应急预案提供修改建议。"),
       ("N-14",), "computed", msg("每个项目有协助编制或书面修改建议记录。")),
    _i("C-5b", "5", 1, _C5, msg("是否协助指导项目实施应急救援演练，并对演练成效开展总结评估。"), ("N-14",), "computed",
       msg("每个项目有演练记录，且每次演练都有成效评估。")),
    _i("C-6a", "6", 2, _C6, msg("是否对发现的一级风险立即提出停工或局部停工意见，并当天上报承保机构和属地建设主管部门。"),
       ("N-07",), "computed", msg("每项一级隐患提出停工建议，并于发现当日向承保机构和建设主管部门报告；无逾期未闭合。")),
    _i("C-6b", "6", 2, _C6, msg("是否对发现的二级风险现场提出整改意见，对可能引发安全事故的严重隐患，上报承保机构和属地建设主管部门。"),
       ("N-08",), "computed", msg("每项较严重二级隐患在期限内向承保机构和建设主管部门报告；二级隐患无逾期未闭合。")),
    _i("C-6c", "6", 2, _C6, msg("是否对发现的三、四级风险现场提出整改意见，并送达相关责任单位，由监理单位负责整改落实，闭合后提交风控机构。"),
       ("N-09", "N-10"), "computed", msg("三、四级隐患的整改通知已送达；销项经监理确认提交；无逾期未闭合。")),
    _i("C-7a", "7", 3, _C7, msg("是否及时出具月度、季度、年度隐患排查及问题整改清单、安全生产分析和风险评估报告等事故预防技术服务成果。"),
       ("N-16",), "computed", msg("每月、季、年的三类成果文书在期限内签发。")),
    _i("C-7b", "7", 3, _C7, msg("是否及时将服务成果上报承保机构和属地建设主管部门。"), ("N-16",), "computed",
       msg("每份成果在期限内报送范围内的每个承保机构和建设主管部门。")),
    _i("C-7c", "7", 3, _C7, msg("合同类、台账类等资料是否规范、齐全。"), ("N-15", "N-17"), "computed",
       msg("每个项目登记服务合同和保单，预防费用台账有预算并列支已提供的服务，档案台账已建立。")),
    _i("C-7d", "", 3, _C7X, msg("服务期间是否出现投诉情形。"), (), "records",
       msg("期间内无投诉记录为符合；有投诉列出并注明答复情况。")),
    _i("C-7e", "", 3, _C7X, msg("服务内容形式、成效是否得到承保机构认可。"), (), "mixed",
       msg("期间内收到的承保机构评价均为认可；无评价记录时人工填写。")),
    _i("C-7f", "", 3, _C7X, msg("服务内容形式、成效是否得到属地建设主管部门认可。"), (), "mixed",
       msg("期间内收到的建设主管部门评价均为认可；无评价记录时人工填写。")),
    _i("C-8a", "8", 4, msg("应发现的重大隐患而未发现的。"), "", (), "records", msg("期间内无漏判重大隐患记录为符合。")),
    _i("C-8b", "", 4, msg("服务期间出现一般事故的。"), "", (), "records", msg("期间内无一般生产安全事故记录为符合。")),
    _i("C-8c", "", 4, msg("服务期间出现较大及以上事故的。"), "", (), "records", msg("期间内无较大及以上事故记录为符合。")),
)
BY_ID = {item.id: item for item in ITEMS}
MANUAL_ALLOWED = frozenset(i.id for i in ITEMS if i.method in ("manual", "mixed"))


@dataclass(frozen=True)
class Evidence:
    label: str
    count: int
    ref_type: str = ""  # what the ids are: projects / inspections / hazards / documents …
    ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Gap:
    project_id: int | None
    project_name: str
    missing: str
    since: dt.date | None
    ref_type: str = ""
    ref_id: int | None = None
    due: bool = True  # False: not yet late (the quarter, deadline … has not passed)
    waived: bool = False  # never due: the service in the period was too short to owe it (N-02)


@dataclass(frozen=True)
class ItemResult:
    item: ChecklistItem
    status: str  # met / not_met / not_due (gaps, none due yet) / not_applicable / manual
    evidence: tuple[Evidence, ...] = ()
    gaps: tuple[Gap, ...] = ()
    note: str = ""
    answered_by: str = ""
    answered_at: dt.datetime | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def due_gaps(self) -> tuple[Gap, ...]:
        return tuple(g for g in self.gaps if g.due)


@dataclass(frozen=True)
class ChecklistResult:
    period: Period
    scope_type: str
    scope_id: int | None
    scope_name: str
    as_of: dt.date
    generated_at: dt.datetime
    project_ids: tuple[int, ...]
    items: tuple[ItemResult, ...]

    def get(self, item_id: str) -> ItemResult:
        return next(r for r in self.items if r.item.id == item_id)

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.items if r.status == s) for s in STATUS_LABELS}


@dataclass(frozen=True)
class ManualAnswer:
    id: int
    item: str
    period: str
    scope_type: str
    scope_id: int | None
    answer: str
    note: str
    answered_by_id: int | None
    answered_at: dt.datetime | None


def summary_text(result: ChecklistResult, *, max_gaps: int = 10) -> str:
    """A plain-text summary for the command line."""
    c = result.counts
    lines = [
        "安责险第三方风控服务机构检查表 自查结果",
        f"范围：{' '.join(dict.fromkeys((SCOPES[result.scope_type], result.scope_name)))}"
        f"（{len(result.project_ids)} 个项目）",
        f"期间：{result.period.chinese}（{result.period.start} 至 {result.period.end}），截至 {result.as_of}",
        f"符合 {c['met']} 项，不符合 {c['not_met']} 项，尚未到期 {c['not_due']} 项，不适用 {c['not_applicable']} 项，"
        f"待人工填写 {c['manual']} 项",
    ]
    section = ""
    for r in result.items:
        if r.item.section != section:
            section = r.item.section
            lines += ["", f"【{section}】"]
        lines.append(f"{r.item.ref} [{r.status_label}] {r.item.text}")
        if r.evidence:
            lines.append("    依据：" + "；".join(f"{e.label} {e.count}" for e in r.evidence))
        if r.note:
            lines.append(f"    说明：{r.note}" + (f"（{r.answered_by}）" if r.answered_by else ""))
        if r.gaps:
            late = len(r.due_gaps)
            lines.append(f"    缺口 {len(r.gaps)} 项（已逾期 {late} 项）：")
            for g in r.gaps[:max_gaps]:
                who = f"{g.project_name}：" if g.project_name else ""
                since = f"（自 {g.since}）" if g.since else ""
                mark = "" if g.due else "［本期不计］" if g.waived else "［未到期］"
                lines.append(f"      - {who}{g.missing}{since}{mark}")
            if len(r.gaps) > max_gaps:
                lines.append(f"      … 另有 {len(r.gaps) - max_gaps} 项")
    return "\n".join(lines)
