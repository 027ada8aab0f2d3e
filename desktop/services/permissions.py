"""The permission matrix: which role may perform which action. Enforced in services."""

from __future__ import annotations

from desktop.models.enums import Role
from desktop.services.context import Actor, PermissionDenied, msg

A, T, I, C, R = Role.ADMIN, Role.TECH_LEAD, Role.INSPECTOR, Role.CLERK, Role.REVIEWER
STAFF = frozenset({A, T, I, C})
FIELD = frozenset({A, T, I})

# action -> (roles allowed, Chinese description used in refusals)
MATRIX: dict[str, tuple[frozenset[str], str]] = {
    "view": (frozenset({A, T, I, C, R}), msg("查看数据")),
    "export": (frozenset({A, T, I, C, R}), msg("导出数据")),
    "package.sign": (STAFF, msg("导出以本机构密钥签名的评审资料包")),
    "trust.edit": (frozenset({A, T}), msg("维护受信任的签名公钥")),
    "project.edit": (frozenset({A, T, C}), msg("新建或修改项目")),
    "project.delete": (frozenset({A}), msg("删除项目")),
    "org.edit": (frozenset({A, T, C}), msg("维护单位信息")),
    "inspection.edit": (STAFF, msg("登记或修改检查记录")),
    "risk_source.edit": (frozenset({A, T, I}), msg("维护风险源")),
    "risk.assess": (frozenset({A, T}), msg("评定项目风险等级")),
    "plan.edit": (frozenset({A, T, C}), msg("编制服务方案")),
    "meeting.edit": (STAFF, msg("登记服务交底会")),
    "hazard.record": (STAFF, msg("登记隐患")),
    "hazard.edit": (STAFF, msg("修改隐患")),
    "hazard.notify": (STAFF, msg("下发整改通知")),
    "hazard.deliver": (STAFF, msg("登记通知送达")),
    "hazard.submit_closure": (STAFF, msg("登记监理提交的销项材料")),
    "hazard.close": (FIELD, msg("复查销项")),
    "hazard.reject": (FIELD, msg("复查退回")),
    "hazard.escalate": (STAFF, msg("登记拒不整改或拖延整改")),
    "hazard.report": (STAFF, msg("登记对外报告")),
    "hazard.cancel": (frozenset({A, T}), msg("撤销隐患")),
    "training.edit": (STAFF, msg("登记培训")),
    "drill.edit": (STAFF, msg("登记应急预案与演练")),
    "document.draft": (STAFF, msg("生成文书草稿")),
    "document.sign": (frozenset({T}), msg("签发文书")),
    "document.submit": (STAFF, msg("登记文书报送")),
    "archive.edit": (frozenset({A, T, C}), msg("维护档案台账")),
    "archive.destroy": (frozenset({A, T}), msg("登记档案销毁")),
    "import": (frozenset({A, T, C}), msg("导入数据")),
    "backup": (frozenset({A, T, C}), msg("备份数据")),
    "restore": (frozenset({A}), msg("恢复数据")),
    "compliance.answer": (frozenset({A, T}), msg("填写自查人工项")),
    "fee.edit": (frozenset({A, T, C}), msg("登记预防费用")),
    "complaint.edit": (frozenset({A, T, C}), msg("登记投诉")),
    "incident.edit": (frozenset({A, T}), msg("登记事故与漏判")),
    "user.manage": (frozenset({A}), msg("管理用户")),
    "settings.edit": (frozenset({A}), msg("修改系统设置")),
    "key.export": (frozenset({A}), msg("导出机构签名私钥")),
    "key.import": (frozenset({A}), msg("导入机构签名私钥")),
    "db.grants": (frozenset({A}), msg("设置数据库角色权限")),
    "recycle.purge": (frozenset({A}), msg("彻底删除回收站记录")),
}


def allowed(role: str, action: str) -> bool:
    entry = MATRIX.get(action)
    if entry is None:
        raise KeyError(f"unknown action {action!r}")
    return role in entry[0]


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDenied unless the actor's role may perform the action."""
    if not allowed(actor.role, action):
        raise PermissionDenied(msg("{role}无权{action}。", role=_role_label(actor.role),
                                   action=MATRIX[action][1]))


def _role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:  # a role this version does not know: shown as stored
        return role
