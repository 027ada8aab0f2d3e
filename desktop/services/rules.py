"""Agency-wide rule settings, declared once with defaults, stored in the database for every desk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import AppSetting
from desktop.services import audit, holiday_overrides, permissions, retention, wording_check
from desktop.services.context import Actor, ValidationError, msg, now

# the grading factors whose level the agency chooses (high / medium / low)
LevelFactor = Literal["super_danda_in_progress", "danda_in_progress", "open_level1_hazard",
                      "escalated_hazard", "accident_level"]


class HazardDensity(TypedDict):
    """Open hazards per 10,000 m² (less counts as 10,000) that call for each level."""

    high: int
    medium: int


class Grading(TypedDict):
    """The setting risk.grading (JSON) with its defaults filled in: how a project is graded."""

    deep_excavation_m: float  # at least this deep: high
    shallow_excavation_m: float  # shallower: low
    super_danda_in_progress: str  # the level each factor calls for
    danda_in_progress: str
    open_level1_hazard: str
    escalated_hazard: str
    fatal_accident_months: int  # high for this long after a fatal (or larger) accident
    accident_months: int  # an accident this recent calls for accident_level
    accident_level: str
    open_hazards_per_10k_m2: HazardDensity


class ComplianceDeadlines(TypedDict):
    """The setting compliance.deadlines (JSON) with its defaults filled in, in days."""

    stage_grace_days: int
    delivery_days: int
    special_plan_days: int
    emergency_plan_days: int
    drill_days: int
    drill_evaluation_days: int
    report_due_days: dict[str, int]  # month / quarter / year


@dataclass(frozen=True)
class Rule:
    key: str
    default: Any
    label: str


RULES: tuple[Rule, ...] = (
    Rule("hazard.deadline_days", {"1": 3, "2": 7, "3": 15, "4": 30}, "各级隐患默认整改期限（天）"),
    Rule("hazard.serious_l2_report_days", 1, "较严重二级隐患报告期限（天，0 为当日）"),
    Rule("numbering.hazard", "YH-{year}-{seq:05d}", "隐患编号格式"),
    # 文号 as GB/T 9704 has it: 机构代字〔年份〕序号号, no zero padding (绍安衡风控整改〔2026〕7号)
    Rule("numbering.document", "{code}{prefix}〔{year}〕{seq}号", "文书编号格式"),
    Rule("numbering.agency_code", "", "机构代字（文号开头，如“绍安衡风控”；未填写时用机构简称）"),
    Rule("numbering.prefixes", {
        "rectification_notice": "整改", "stop_work": "停工", "hazard_report": "报告",
        "closure_record": "销项", "refusal_report": "报告", "inspection_record": "检查",
        "service_plan": "方案", "hazard_list": "清单", "safety_analysis": "分析",
        "risk_assessment": "评估", "training_record": "培训", "drill_record": "演练",
        "archive_catalogue": "档案", "destruction_form": "销毁", "self_check": "自查",
        "kickoff_record": "交底",
        "special_plan": "方案",
        "emergency_plan_advice": "预案", "fee_ledger": "台账", "submission_register": "报送",
    }, "各类文书编号中机构代字后的类别字"),
    Rule("first_inspection_days", 15, "合同签订后首次风险辨识期限（天）"),
    Rule("risk.visit_interval_days", {"high": 30, "medium": 90, "low": 180}, "各风险等级检查频次（天）"),
    Rule("archive.retention_years", 5, "档案保存年限（竣工后，只能延长）"),
    Rule("complaint.reply_working_days", {"normal": 10, "checking": 30}, "投诉答复期限（工作日）"),
    # -- appended for issue 5 (risk level, training, compliance, complaints) --
    Rule("risk.grading", {
        "deep_excavation_m": 5, "shallow_excavation_m": 3,
        "super_danda_in_progress": "high", "danda_in_progress": "medium",
        "open_level1_hazard": "high", "escalated_hazard": "medium",
        "fatal_accident_months": 3, "accident_months": 3, "accident_level": "medium",
        "open_hazards_per_10k_m2": {"high": 15, "medium": 6},
    }, "项目风险等级评定规则（开挖≥5m 高、<3m 低，死亡事故后至少 3 个月高风险；"
       "未闭合隐患数阈值按每 1 万平方米计，不足 1 万按 1 万）"),
    Rule("training.hazard_lookback_months", 6, "针对性培训参照此前几个月内项目发现的隐患类别"),
    Rule("compliance.deadlines", {
        "stage_grace_days": 30, "delivery_days": 3, "special_plan_days": 15,
        "emergency_plan_days": 90, "drill_days": 180, "drill_evaluation_days": 15,
        "report_due_days": {"month": 10, "quarter": 15, "year": 31},
    }, "自查计算期限（天）：阶段检查宽限、通知送达、专项方案、应急预案、演练、演练评估、成果出具"),
    # the State Council's notices come from the chinesecalendar package (services/workdays.py);
    # an admin adds the newest notice here per year until the package has it
    Rule("calendar.overrides", {}, "节假日安排（按年份：放假日期、调休上班日期；覆盖内置数据）"),
    # the agency's own wording of the letters' fixed sentences, by slot (reports/wording.py);
    # only the changed slots are stored: the others print the default
    Rule("documents.wording", {}, "文书固定用语（按文书种类）"),
)
_BY_KEY = {r.key: r for r in RULES}


def get(session: Session, key: str) -> Any:
    rule = _BY_KEY[key]
    value = session.execute(select(AppSetting.value).where(AppSetting.key == key)).scalar_one_or_none()
    return rule.default if value is None else value


def set_value(session: Session, actor: Actor, key: str, value: Any) -> None:
    permissions.require(actor, "settings.edit")
    rule = _BY_KEY.get(key)
    if rule is None:
        raise ValidationError({key: msg("未知的设置项：{key}", key=key)})
    _validate(key, value)
    row = session.execute(select(AppSetting).where(AppSetting.key == key)).scalar_one_or_none()
    old = rule.default if row is None else row.value
    if key == holiday_overrides.OVERRIDES_KEY:
        holiday_overrides.check_changed(old, value)
    if key == "archive.retention_years" and value < old:
        # shortening would bring every kept project's destruction date forward
        raise ValidationError({key: msg("档案保存年限只能延长，不能缩短（现为竣工后 {years} 年）", years=old)})
    if row is None:
        row = AppSetting(key=key, value=value)
        session.add(row)
    row.value = value
    row.updated_by_id = actor.user_id
    row.updated_at = now()
    audit.record(session, actor, action="update", entity="app_settings", entity_id=None,
                 before={key: old}, after={key: value})
    if key == "archive.retention_years":
        retention.refresh_all(session, value)


def validate(key: str, value: Any) -> None:
    """Check a value for a rule without storing it (ValidationError keyed by the rule)."""
    if key not in _BY_KEY:
        raise ValidationError({key: msg("未知的设置项：{key}", key=key)})
    _validate(key, value)


def _int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _number(value: Any, low: float, high: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high


_LEVELS = ("high", "medium", "low")


def _validate_grading(key: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError({key: msg("评定规则格式有误")})
    default = _BY_KEY[key].default
    unknown = set(value) - set(default)
    if unknown:
        raise ValidationError({key: msg("评定规则含未知项：{names}", names="、".join(sorted(unknown)))})
    cfg = {**default, **value}
    deep, shallow = cfg["deep_excavation_m"], cfg["shallow_excavation_m"]
    if not (_number(deep, 0.1, 100) and _number(shallow, 0.1, 100)) or shallow >= deep:
        raise ValidationError({key: msg("基坑深度界限须为 0.1 到 100 米之间的数，且低风险界限小于高风险界限")})
    for name in ("super_danda_in_progress", "danda_in_progress", "open_level1_hazard",
                 "escalated_hazard", "accident_level"):
        if cfg[name] not in _LEVELS:
            raise ValidationError({key: msg("风险等级须为高、中、低之一")})
    for name in ("fatal_accident_months", "accident_months"):
        if not _int(cfg[name], 0, 60):
            raise ValidationError({key: msg("事故影响月数须为 0 到 60 之间的整数")})
    density = cfg["open_hazards_per_10k_m2"]
    if not isinstance(density, dict) or set(density) != {"high", "medium"} or not all(
            _int(v, 1, 10_000) for v in density.values()) or density["high"] <= density["medium"]:
        raise ValidationError({key: msg("未闭合隐患数阈值须为正整数，且高风险阈值大于中风险阈值")})


def _validate_deadlines(key: str, value: Any) -> None:
    default = _BY_KEY[key].default
    if not isinstance(value, dict) or set(value) - set(default):
        raise ValidationError({key: msg("自查计算期限格式有误")})
    for name, given in value.items():
        if name == "report_due_days":
            if not isinstance(given, dict) or set(given) - {"month", "quarter", "year"} or not all(
                    _int(v, 1, 366) for v in given.values()):
                raise ValidationError({key: msg("成果出具期限须为 1 到 366 之间的整数天")})
        elif not _int(given, 0, 366):
            raise ValidationError({key: msg("自查计算期限须为 0 到 366 之间的整数天")})


def _validate(key: str, value: Any) -> None:
    if key == "first_inspection_days":
        if not _int(value, 1, 180):
            raise ValidationError({key: msg("首次风险辨识期限须为 1 到 180 之间的整数天")})
    elif key == "hazard.serious_l2_report_days":
        if not _int(value, 0, 30):
            raise ValidationError({key: msg("较严重二级隐患报告期限须为 0 到 30 之间的整数天（0 为当日）")})
    elif key == "risk.visit_interval_days":
        if not isinstance(value, dict) or set(value) != set(_LEVELS) or not all(
                _int(v, 1, 366) for v in value.values()):
            raise ValidationError({key: msg("高、中、低风险项目的检查间隔须为 1 到 366 之间的整数天")})
        if not value["high"] <= value["medium"] <= value["low"]:
            raise ValidationError({key: msg("风险等级越高，检查间隔应越短（高 ≤ 中 ≤ 低）")})
    elif key == "risk.grading":
        _validate_grading(key, value)
    elif key == "hazard.deadline_days":
        if not isinstance(value, dict) or set(value) != {"1", "2", "3", "4"} or not all(
            _int(v, 0, 365) for v in value.values()
        ):
            raise ValidationError({key: msg("每个等级（1–4）的整改期限须为 0 到 365 之间的整数天")})
        if not value["1"] <= value["2"] <= value["3"] <= value["4"]:
            raise ValidationError({key: msg("隐患等级越高，整改期限应越短（一级 ≤ 二级 ≤ 三级 ≤ 四级）")})
    elif key == "complaint.reply_working_days":
        if not isinstance(value, dict) or set(value) != {"normal", "checking"} or not all(
                _int(v, 1, 60) for v in value.values()):
            raise ValidationError({key: msg("投诉答复期限须为 1 到 60 之间的整数个工作日（一般投诉、需核实的投诉各一项）")})
        if value["normal"] > value["checking"]:
            raise ValidationError({key: msg("需核实的投诉答复期限不应短于一般投诉")})
    elif key == "training.hazard_lookback_months":
        if not _int(value, 1, 24):
            raise ValidationError({key: msg("针对性培训参照的月数须为 1 到 24 之间的整数")})
    elif key == "compliance.deadlines":
        _validate_deadlines(key, value)
    elif key == "numbering.prefixes":
        default = _BY_KEY[key].default
        if not isinstance(value, dict) or set(value) - set(default) or not all(
                isinstance(v, str) and 0 < len(v) <= 6 and all(c.isalnum() for c in v) for v in value.values()):
            raise ValidationError({key: msg("文书类别字须为 1 到 6 个文字，不含括号、空格和符号")})
    elif key == "archive.retention_years":
        if not isinstance(value, int) or isinstance(value, bool) or value < 5:
            raise ValidationError({key: msg("档案保存年限不得少于竣工后 5 年")})
        if value > 100:
            raise ValidationError({key: msg("档案保存年限不超过 100 年")})
    elif key == "calendar.overrides":
        holiday_overrides.parse_overrides(value)
    elif key == "documents.wording":
        wording_check.validate(key, value)
    elif key == "numbering.agency_code":
        # letters and digits only (Chinese characters are letters): no brackets, spaces of any
        # width or symbols, which would print inside every 文号 (GB/T 9704)
        if not isinstance(value, str) or len(value) > 20 or not all(c.isalnum() for c in value):
            raise ValidationError({key: msg("机构代字须为不超过 20 字的文字，不含括号、空格和符号")})
    elif key in ("numbering.hazard", "numbering.document"):
        if not isinstance(value, str) or "{seq" not in value or "{year" not in value:
            raise ValidationError({key: msg("编号格式须包含 {{year}} 和 {{seq}}")})
        try:  # the fields the numbering fills in; anything else would fail every later record
            fields = {"year": 2026, "seq": 1} if key == "numbering.hazard" else \
                {"year": 2026, "seq": 1, "code": "代字", "prefix": "类别"}
            value.format(**fields)
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise ValidationError({key: msg("编号格式有误（无法识别的占位符或格式：{what}）",
                                            what=str(exc))}) from None
        if key == "numbering.document" and "{seq:0" in value:
            raise ValidationError({key: msg("文号序号不编虚位（不补零），请用 {{seq}}")})
