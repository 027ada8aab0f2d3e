"""What the notice itself says behind each checked rule, for tooltips: people read the notice's
words, never the rule ids the code uses (N-xx)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

BASIS = {  # rule id -> the notice's words (绍兴市安责险事故预防服务通知)
    "N-02": QT_TRANSLATE_NOOP("RuleBasis", "合同签订后，风控机构应及时对项目开展首次风险识别和隐患排查"),
    "N-03": QT_TRANSLATE_NOOP("RuleBasis", "每季度开展不少于1次全覆盖检查"),
    "N-04": QT_TRANSLATE_NOOP("RuleBasis", "《施工现场风险源分级与防范措施一览表》中列明的一、二级风险源，应做到100%核查"),
    "N-07": QT_TRANSLATE_NOOP("RuleBasis", "对发现的一级风险隐患应立即提出停工或局部停工意见，并上报承保机构和属地建设主管部门"),
    "N-10": QT_TRANSLATE_NOOP("RuleBasis", "明确隐患整改责任、措施、时限、预案，逐项跟踪整改落实，实现闭环管理"),
    "N-13": QT_TRANSLATE_NOOP("RuleBasis", "按照合同约定开展宣传教育培训或每半年开展一次集中安全教育培训"),
    "N-15": QT_TRANSLATE_NOOP("RuleBasis", "纸质版档案在项目竣工后应至少保留五年，档案销毁前应报保险机构核准"),
}


def basis_text(rule: str) -> str:
    """依据：<the notice's words> in the interface language; "" for a rule without words here."""
    words = BASIS.get(rule)
    if words is None:
        return ""
    return QCoreApplication.translate("RuleBasis", "依据：{words}").format(
        words=QCoreApplication.translate("RuleBasis", words))
