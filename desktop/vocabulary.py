"""The domain's words for people: the Chinese labels of every closed vocabulary, and the hazard
levels' labels and colours. Plain dicts, one copy: the ORM's enums (desktop.models.enums), the
document builders (desktop.reports) and the window read them from here — the reports without
importing the ORM or SQLAlchemy."""

from __future__ import annotations

# by enum class name (desktop.models.enums), then stored value → label
LABELS: dict[str, dict[str, str]] = {
    "Role": {
        "admin": "系统管理员", "tech_lead": "技术负责人", "inspector": "检查人员",
        "clerk": "内勤文员", "reviewer": "只读审阅",
    },
    "OrgKind": {
        "insurer": "承保机构", "contractor": "施工单位", "supervisor": "监理单位",
        "owner": "建设单位", "authority": "建设主管部门", "other": "其他单位",
    },
    "ProjectStatus": {"active": "在建", "suspended": "停工", "completed": "竣工"},
    "ProjectType": {"building": "房屋建筑工程", "municipal": "市政基础设施工程"},
    "RiskLevel": {"high": "高风险", "medium": "中风险", "low": "低风险"},
    "InspectionKind": {
        "first_identification": "首次风险辨识", "full_coverage": "全覆盖检查",
        "stage": "阶段检查", "danda_targeted": "危大工程专项检查",
        "key_procedure": "关键工序检查", "reinspection": "复查", "routine": "日常巡查",
    },
    "HazardStatus": {
        "recorded": "已登记", "notified": "已下发通知", "rectifying": "整改中",
        "closure_submitted": "待复查", "closed": "已销项", "cancelled": "已撤销",
    },
    "StopWork": {"none": "无需停工", "partial": "局部停工", "full": "停工"},
    "Recipient": {"insurer": "承保机构", "authority": "建设主管部门", "owner": "建设单位"},
    "ReportReason": {
        "level1_same_day": "一级隐患当日报告", "level2_serious": "较严重二级隐患报告",
        "refusal": "拒不整改报告", "delay": "拖延整改报告",
    },
    "AttachmentRole": {
        "before": "整改前", "after": "整改后", "evidence": "佐证材料",
        "document": "文书", "scan": "扫描件",
    },
    "DocStatus": {"draft": "草稿", "signed": "已签发", "superseded": "已被替代"},
    "ArchiveStatus": {
        "active": "在档", "destruction_requested": "已申请销毁",
        "destruction_approved": "已批准销毁", "destroyed": "已销毁",
    },
    "IncidentKind": {
        "missed_major_hazard": "漏判重大隐患", "general_accident": "一般生产安全事故",
        "larger_accident": "较大及以上生产安全事故",
    },
}

STOP_WORK_LABELS = LABELS["StopWork"]
RISK_LEVEL_LABELS = LABELS["RiskLevel"]

# hazard levels 1–4: the full label, the short one (registers, tables), the colour (charts,
# the window) and its light tint (table cells)
HAZARD_LEVEL_LABELS = {1: "一级（重大）", 2: "二级（较大）", 3: "三级（一般）", 4: "四级（低）"}
HAZARD_LEVEL_SHORT = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
HAZARD_LEVEL_COLOURS = {1: "#d32f2f", 2: "#f57c00", 3: "#fbc02d", 4: "#1976d2"}
HAZARD_LEVEL_LIGHT = {1: "#f8d7d7", 2: "#fde3c8", 3: "#fff4c2", 4: "#d6e6f8"}
