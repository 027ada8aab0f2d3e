"""Excel import of insurers' project lists and field teams' hazard lists: preview, all or none."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.messages import Series
from desktop.models import AppSetting, Policy, Project
from desktop.services import audit, organisations, permissions, projects
from desktop.services.context import Actor, ServiceError, ValidationError, msg, now
from desktop.services.exchange import import_hazards, import_projects
from desktop.services.exchange import xlsx_guard as xg
from desktop.services.exchange import xlsx_normalise as xn
from desktop.services.exchange.zipstream import Meter, ProgressFn

# Column mapping: headers are matched to fields by Chinese synonyms; a mapping the user gives
# wins, and after a successful import it is remembered per source in AppSetting under
# "import.mapping.<source>" (written directly, not through rules.set_value: it is a
# convenience of whoever imports, not an agency rule needing settings.edit).
#
# Hazards are checked with services.hazards.prepare, so every level rule applies, and written in
# bulk by services.import_hazards with the agency's own numbers; the field team's number is kept
# in Hazard.external_ref (unique per project: re-imports skip a number already present) and in
# an "imported" event naming file/sheet/row. Projects and policies are checked with the rules
# of services.projects and written in bulk by services.import_projects; the policy number is
# the key.

Limits = xg.Limits  # caps checked before parsing: Limits(max_mb, max_rows), from the settings
KIND_LABELS = {"projects": "项目及保单清单", "hazards": "隐患清单"}
HIDDEN_ROWS_SHOWN = 20  # hidden rows named in a report; the rest are counted
_CHOICES = {
    "project_type": {"房屋建筑": "building", "房建": "building", "房屋建筑工程": "building",
                     "建筑工程": "building", "市政": "municipal", "市政工程": "municipal",
                     "市政基础设施工程": "municipal"},
    "status": {"在建": "active", "施工中": "active", "停工": "suspended", "竣工": "completed",
               "完工": "completed", "已竣工": "completed"},
    "stop_work": {"停工": "full", "全面停工": "full", "全部停工": "full", "局部停工": "partial",
                  "部分停工": "partial", "无": "none", "否": "none", "不停工": "none",
                  "无需停工": "none"},
}


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    synonyms: tuple[str, ...]
    kind: str = "text"  # text / multiline / ident / date / decimal / int / level / bool / choice
    required: bool = False


F = Field
FIELDS: dict[str, tuple[Field, ...]] = {
    "projects": (
        F("policy_no", msg("保单号"), ("保单号", "保险单号", "保单编号", "保单号码"), "ident", True),
        F("name", msg("项目名称"), ("项目名称", "工程名称", "工程项目名称"), required=True),
        F("insurer", msg("承保机构"), ("承保机构", "保险公司", "承保公司", "承保单位", "保险机构"), required=True),
        F("code", msg("项目编号"), ("项目编号", "工程编号", "项目代码"), "ident"),
        F("address", msg("项目地址"), ("项目地址", "工程地址", "建设地点", "地址")),
        F("district", msg("所属区县"), ("所属区县", "区县", "所属区域", "辖区", "所在区")),
        F("project_type", msg("工程类型"), ("工程类型", "项目类型", "工程类别"), "choice"),
        F("contract_value", msg("合同价"), ("合同价", "工程合同价", "合同金额", "工程造价", "合同价款"), "decimal"),
        F("policy_start", msg("保险起期"), ("保险起期", "保险开始日期", "起保日期", "保险起始日期"), "date"),
        F("policy_end", msg("保险止期"), ("保险止期", "保险结束日期", "终保日期", "保险截止日期"), "date"),
        F("premium", msg("保费"), ("保费", "保险费", "保费金额"), "decimal"),
        F("prevention_fee", msg("事故预防费用"), ("事故预防费用", "预防费用", "风控费用", "预防服务费"), "decimal"),
        F("contractor", msg("施工单位"), ("施工单位", "投保单位", "施工总承包单位", "总承包单位")),
        F("supervisor", msg("监理单位"), ("监理单位",)),
        F("owner", msg("建设单位"), ("建设单位", "业主单位")),
        F("authority", msg("主管部门"), ("属地主管部门", "主管部门", "监管部门", "建设主管部门")),
        F("start_date", msg("开工日期"), ("开工日期", "实际开工日期"), "date"),
        F("service_contract_date", msg("风控服务合同签订日期"),
          ("风控服务合同签订日期", "服务合同签订日期", "合同签订日期", "签约日期"), "date"),
        F("planned_completion", msg("计划竣工日期"), ("计划竣工日期", "合同竣工日期"), "date"),
        F("completion_date", msg("竣工日期"), ("竣工日期", "实际竣工日期"), "date"),
        F("status", msg("项目状态"), ("项目状态", "施工状态", "状态"), "choice"),
    ),
    "hazards": (
        F("number", msg("隐患编号"), ("隐患编号", "编号", "隐患单号", "问题编号"), "ident", True),
        F("description", msg("隐患描述"), ("隐患描述", "问题描述", "隐患内容", "存在问题", "隐患情况", "主要问题"),
          "multiline", True),
        F("level", msg("隐患等级"), ("隐患等级", "等级", "隐患级别", "级别"), "level", True),
        F("found_date", msg("发现日期"), ("发现日期", "检查日期", "排查日期", "发现时间", "检查时间"), "date", True),
        F("project_code", msg("项目编号"), ("项目编号", "工程编号"), "ident"),
        F("policy_no", msg("保单号"), ("保单号", "保险单号"), "ident"),
        F("project_name", msg("项目名称"), ("项目名称", "工程名称")),
        F("location", msg("部位"), ("隐患部位", "部位", "检查部位", "具体部位", "位置")),
        F("category", msg("类别"), ("隐患类别", "类别", "隐患类型", "分类", "专业类别")),
        F("measures", msg("整改措施"), ("整改措施", "整改要求", "整改意见", "措施"), "multiline"),
        F("deadline", msg("整改期限"), ("整改期限", "整改时限", "整改完成期限", "期限", "限期"), "date"),
        F("contingency", msg("应急预案"), ("应急预案", "应急措施", "整改期间应急措施"), "multiline"),
        F("responsible_unit", msg("责任单位"), ("责任单位", "整改责任单位")),
        F("responsible_person", msg("责任人"), ("整改责任人", "责任人")),
        F("stop_work", msg("停工建议"), ("停工建议", "是否停工"), "choice"),
        F("is_major", msg("重大隐患"), ("是否重大隐患", "重大隐患", "重大事故隐患"), "bool"),
        F("standard_item", msg("判定条款"), ("判定条款", "判定依据", "重大隐患判定依据", "重大隐患判定条款",
                                          "判定标准条款")),
        F("is_serious", msg("可能引发安全事故"), ("可能引发安全事故", "是否较严重"), "bool"),
    ),
}
# service form fields → import fields, so a refusal points at the right column
_FORM_TO_FIELD = {"insurer_id": "insurer", "end_date": "policy_end", "authority_id": "authority",
                  "owner_id": "owner", "contractor_id": "contractor", "supervisor_id": "supervisor",
                  "found_at": "found_date", "responsible_unit_id": "responsible_unit",
                  "project_id": "project_code", "catalogue_item_id": "standard_item"}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str  # letter, "" for the whole row or sheet
    header: str
    message: str

    @property
    def text(self) -> str:
        where = f"工作表“{self.sheet}”"
        if self.row is not None:
            where += f"第 {self.row} 行"
        if self.column:
            where += f" {self.column} 列（{self.header}）"
        return f"{where}：{self.message}"


@dataclass(frozen=True)
class Mapped:
    field: str
    label: str
    column: str
    header: str


@dataclass(frozen=True)
class ImportReport:
    kind: str
    file: str
    sheet: str
    source: str
    mapping: tuple[Mapped, ...]
    unmapped: tuple[str, ...]
    rows: int
    new: int
    existing: tuple[str, ...]
    problems: tuple[Problem, ...]
    committed: bool = False
    created_ids: tuple[int, ...] = ()
    hidden_skipped: tuple[str, ...] = ()
    hidden_rows: tuple[int, ...] = ()  # data rows hidden in Excel: imported like the others
    refused: bool = False  # an import (not a preview) that found problems: nothing written

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self, *, limit: int = 200) -> list[str]:
        head = "已导入" if self.committed else "导入未执行（未写入任何数据）" if self.refused else "预览"
        out = [f"{head}：{self.file} 工作表“{self.sheet}”（{KIND_LABELS[self.kind]}）",
               "列映射：" + "；".join(f"{m.label} ← {m.column} 列“{m.header}”" for m in self.mapping)]
        if self.unmapped:
            out.append("未使用的列：" + "、".join(self.unmapped))
        if self.hidden_skipped:
            out.append("已跳过隐藏的工作表：" + "、".join(self.hidden_skipped))
        if self.hidden_rows:
            shown = "、".join(str(n) for n in self.hidden_rows[:HIDDEN_ROWS_SHOWN])
            if len(self.hidden_rows) > HIDDEN_ROWS_SHOWN:
                shown += f" 等，共 {len(self.hidden_rows)} 行"
            done = "已一并导入" if self.committed else "导入时会与其他行一并导入"
            out.append(f"隐藏的行：第 {shown} 行在 Excel 中被隐藏，{done}"
                       + ("。" if self.committed else "；如不需要，请在 Excel 中删除这些行。"))
        if self.refused:
            out.append(f"数据行 {self.rows} 行：发现问题 {len(self.problems)} 个，导入未执行，"
                       f"没有新增任何数据（已存在 {len(self.existing)} 条）。")
        else:
            out.append(f"数据行 {self.rows} 行：新增 {self.new} 条，已存在跳过 {len(self.existing)} 条，"
                       f"问题 {len(self.problems)} 个。")
        out += [f"  已存在：{e}" for e in self.existing[:limit]]
        out += [f"  问题：{p.text}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            out.append(f"  ……另有 {len(self.problems) - limit} 个问题")
        return out


class ImportRefused(ServiceError):
    """The file has problems: nothing was written. `report` lists every one."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(msg("导入未执行：发现 {n} 个问题，未写入任何数据。", n=len(report.problems)))
        self.report = report


# -- reading and mapping -------------------------------------------------------------------


def read(path: Path | str, *, kind: str, sheet: str | None = None,
         limits: xg.Limits | None = None) -> xn.Table:
    """The table of the sheet (the best-matching visible sheet when none is named); the file's
    uncompressed size and the sheet's rows are checked against `limits` before parsing."""
    if kind not in FIELDS:
        raise ValidationError({"kind": msg("导入类型须为 {kinds}", kinds=Series(FIELDS))})
    words = [s for f in FIELDS[kind] for s in f.synonyms]
    try:
        table = xn.read_table(path, words=words, sheet=sheet, limits=limits)
    except xn.CellError as exc:
        raise ValidationError({"file": exc.args[0]}) from None
    if not table.rows:
        raise ValidationError({"file": msg("工作表“{sheet}”在表头之下没有数据行，没有可导入的内容",
                                           sheet=table.sheet)})
    return table


def _setting_key(source: str) -> str:
    return f"import.mapping.{source.strip()[:80]}"


def remembered_mapping(session: Session, source: str) -> dict[str, str]:
    stmt = select(AppSetting.value).where(AppSetting.key == _setting_key(source))
    value = session.execute(stmt).scalar_one_or_none()
    return dict(value) if isinstance(value, dict) else {}


def _remember(session: Session, actor: Actor, source: str, mapping: dict[str, xn.Column]) -> None:
    value = {key: col.header for key, col in mapping.items()}
    key = _setting_key(source)
    row = session.execute(select(AppSetting).where(AppSetting.key == key)).scalar_one_or_none()
    if row is None:
        session.add(AppSetting(key=key, value=value, updated_by_id=actor.user_id, updated_at=now()))
    elif row.value != value:
        row.value, row.updated_by_id, row.updated_at = value, actor.user_id, now()


def _match(f: Field, col: xn.Column) -> tuple[int, int]:
    """(strength, -synonym rank): 3 same text, 2 starts or ends with a synonym, 1 contains one."""
    best = (0, 0)
    for rank, synonym in enumerate(xn.header_key(s) for s in f.synonyms):
        for key in col.keys:
            if key == synonym:
                strength = 3
            elif key.startswith(synonym) or key.endswith(synonym):
                strength = 2
            else:
                strength = 1 if len(synonym) >= 3 and synonym in key else 0
            best = max(best, (strength, -rank)) if strength else best
    return best


def resolve_mapping(table: xn.Table, kind: str, *, explicit: dict[str, str] | None = None,
                    remembered: dict[str, str] | None = None, project_given: bool = False,
                    ) -> tuple[dict[str, xn.Column], list[Problem]]:
    """Field → column: explicit choices first, then the remembered ones, then synonyms."""
    fields = {f.key: f for f in FIELDS[kind]}
    mapping: dict[str, xn.Column] = {}
    problems = []
    for given, strict in ((explicit or {}, True), (remembered or {}, False)):
        for key, wanted in given.items():
            if key in mapping:
                continue
            col = table.column(wanted) if key in fields else None
            if col is not None and col not in mapping.values():
                mapping[key] = col
            elif strict:
                what = msg("未知的字段“{key}”", key=key) if key not in fields \
                    else msg("找不到列“{column}”", column=wanted)
                problems.append(Problem(table.sheet, None, "", "", msg("列映射有误：{problem}",
                                                                       problem=what)))
    candidates = [(_match(f, c), -i, f.key, c) for i, f in enumerate(FIELDS[kind])
                  for c in table.columns if f.key not in mapping]
    candidates.sort(key=lambda t: (t[0], t[1]), reverse=True)  # strongest match, earliest field
    for (strength, _), _, key, col in candidates:
        if strength and key not in mapping and col not in mapping.values():
            mapping[key] = col
    for f in FIELDS[kind]:
        if f.required and f.key not in mapping:
            problems.append(Problem(table.sheet, None, "", "",
                                    msg("缺少必需的列“{column}”（可在列映射中指定对应的列）",
                                        column=f.label)))
    if kind == "hazards" and not project_given and not (
            {"project_code", "policy_no", "project_name"} & set(mapping)):
        problems.append(Problem(table.sheet, None, "", "", msg(
            "缺少用于确定项目的列（项目编号、保单号或项目名称），或在导入时指定项目")))
    return mapping, problems


# -- values --------------------------------------------------------------------------------


def _value(f: Field, raw: Any, epoch: dt.datetime) -> Any:
    if f.kind == "date":
        return xn.parse_date(raw, epoch=epoch)
    if f.kind in ("decimal", "int", "level", "bool"):
        return {"decimal": xn.parse_decimal, "int": xn.parse_int, "level": xn.parse_level,
                "bool": xn.parse_bool}[f.kind](raw)
    if f.kind == "choice":
        word = xn.ident(raw)
        if not word:
            return None
        if word not in _CHOICES[f.key]:
            raise xn.CellError(msg("“{text}”无法识别（可填：{choices}）", text=xn.text(raw),
                                   choices=Series(_CHOICES[f.key])))
        return _CHOICES[f.key][word]
    return {"ident": xn.identifier, "multiline": xn.multiline}.get(f.kind, xn.text)(raw)


@dataclass
class _Context:
    kind: str
    table: xn.Table
    mapping: dict[str, xn.Column]
    project_id: int | None
    seen: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def problem(self, row: int | None, key: str, message: str) -> Problem:
        name = _FORM_TO_FIELD.get(key, key)
        col = self.mapping.get(name)
        if col is None and name == "project_code":
            col = self.mapping.get("policy_no") or self.mapping.get("project_name")
        label = next((f.label for f in FIELDS[self.kind] if f.key == name), "")
        if col is None and label and not message.startswith(label):
            message = msg("{problem}（表中没有“{column}”列）", problem=message, column=label)
        if col is None:
            return Problem(self.table.sheet, row, "", "", message)
        return Problem(self.table.sheet, row, col.letter, col.header, message)

    def once(self, key: tuple[Any, ...], row: int, what: str) -> None:
        first = self.seen.setdefault(key, row)
        if first != row:
            raise ValidationError({what: msg("与第 {row} 行重复", row=first)})


def _org(session: Session, actor: Actor, kind: str, name: str | None, key: str) -> int | None:
    if not name:
        return None
    try:
        return organisations.ensure(session, actor, kind=kind, name=name).id
    except ValidationError as exc:
        raise ValidationError({key: msg("{problems}", problems=list(exc.messages.values()))}) \
            from None


def _project_for(session: Session, v: dict[str, Any], ctx: _Context) -> int:
    if ctx.project_id is not None:
        return ctx.project_id
    live = Project.deleted_at.is_(None)
    if v.get("project_code"):
        key, shown = "project_code", v["project_code"]
        stmt = select(Project.id).where(Project.code == shown, live)
    elif v.get("policy_no"):
        key, shown = "policy_no", v["policy_no"]
        stmt = (select(Policy.project_id).join(Project, Project.id == Policy.project_id)
                .where(Policy.policy_no == shown, live))
    elif v.get("project_name"):
        key, shown = "project_name", v["project_name"]
        stmt = select(Project.id).where(Project.name == shown, live)
    else:
        raise ValidationError({"project_code": msg("未填写项目（项目编号、保单号或项目名称）")})
    found = session.execute(stmt).all()
    if len(found) != 1:
        problem = msg("找不到该项目") if not found else msg("有多个同名项目，请改用项目编号")
        raise ValidationError({key: msg("{problem}：{name}", problem=problem, name=shown)})
    return found[0][0]


# -- preview and commit --------------------------------------------------------------------


def _cells(kind: str, table: xn.Table, resolved: dict[str, xn.Column], line: xn.Row,
           ) -> tuple[dict[str, Any], list[Problem], set[str]]:
    """One row's values by field, the problems of its cells and the fields they concern."""
    values: dict[str, Any] = {}
    failed: list[Problem] = []
    unreadable: set[str] = set()
    flagged = table.formulas_without_value or table.error_values  # rare: most files have none
    for f in FIELDS[kind]:
        col = resolved.get(f.key)
        if col is None:
            continue
        try:
            if flagged:
                table.check_cell(line.number, col.index + 1)
            values[f.key] = _value(f, line.values[col.index], table.epoch)
        except xn.CellError as exc:
            failed.append(Problem(table.sheet, line.number, col.letter, col.header, exc.args[0]))
            unreadable.add(f.key)
            values[f.key] = None
    return values, failed, unreadable


def _apply(session: Session, actor: Actor, *, kind: str, table: xn.Table,
           mapping: dict[str, str] | None, source: str, project_id: int | None,
           progress: ProgressFn | None, write: bool) -> tuple[ImportReport, dict[str, Any]]:
    permissions.require(actor, "import")
    if project_id is not None:
        projects.load(session, project_id)
    resolved, problems = resolve_mapping(table, kind, explicit=mapping,
                                         remembered=remembered_mapping(session, source),
                                         project_given=project_id is not None)
    used = {c.letter for c in resolved.values()}
    report = ImportReport(
        kind, table.file, table.sheet, source,
        tuple(Mapped(f.key, f.label, resolved[f.key].letter, resolved[f.key].header)
              for f in FIELDS[kind] if f.key in resolved),
        tuple(f"{c.letter}“{c.header}”" for c in table.columns if c.letter not in used),
        len(table.rows), 0, (), tuple(problems), hidden_skipped=table.hidden_skipped,
        hidden_rows=table.hidden_rows)
    if problems:
        return report, resolved
    ctx = _Context(kind, table, resolved, project_id)
    stages = 3 if write and kind == "hazards" else 2
    meter = Meter(progress, len(table.rows) * stages)
    rows: list[tuple[int, dict[str, Any]]] = []
    for n, batch in enumerate(import_hazards.batches(list(table.rows))):
        for line in batch:
            values, failed, unreadable = _cells(kind, table, resolved, line)
            if not any(v not in (None, "") for v in values.values()) and not failed:
                continue  # a row with nothing in the mapped columns (notes, totals)
            failed += [ctx.problem(line.number, f.key, msg("未填写{field}", field=f.label))
                       for f in FIELDS[kind]
                       if f.required and f.key not in unreadable
                       and values.get(f.key) in (None, "")]
            if failed:
                problems += failed
            else:
                rows.append((line.number, values))
        meter.advance(len(batch), msg("已读取 {n} 行", n=n * import_hazards.BATCH + len(batch)))
    if kind == "hazards":
        out = _hazards(session, actor, ctx, rows, meter, write=write and not problems)
    else:
        out = _projects(session, actor, ctx, rows, meter, write=write and not problems)
    found = problems + out.problems
    new = 0 if write and found else len(out.created) or out.checked  # refused: nothing written
    return replace(report, new=new, existing=tuple(out.existing), problems=tuple(found),
                   created_ids=tuple(out.created)), resolved


class _Lookups:
    """Projects and organisations named in a sheet, each looked up (or created) once."""

    def __init__(self, session: Session, actor: Actor, ctx: _Context) -> None:
        self.session, self.actor, self.ctx = session, actor, ctx
        self.projects: dict[tuple[Any, ...], int | Exception] = {}
        self.orgs: dict[tuple[str, str | None], int | None | Exception] = {}

    def project_for(self, v: dict[str, Any]) -> int:
        key = (v.get("project_code"), v.get("policy_no"), v.get("project_name"))
        if key not in self.projects:
            try:
                self.projects[key] = _project_for(self.session, v, self.ctx)
            except ValidationError as exc:
                self.projects[key] = exc
        return _known(self.projects[key])

    def org_for(self, kind: str, name: str | None, key: str) -> int | None:
        if (kind, name) not in self.orgs:
            try:
                self.orgs[kind, name] = _org(self.session, self.actor, kind, name, key)
            except ValidationError as exc:
                self.orgs[kind, name] = exc
        return _known(self.orgs[kind, name])


T = TypeVar("T")


def _known(found: T | Exception) -> T:
    if isinstance(found, Exception):
        raise found
    return found


def _hazards(session: Session, actor: Actor, ctx: _Context, rows: list[tuple[int, dict[str, Any]]],
             meter: Meter, *, write: bool) -> _Outcome:
    permissions.require(actor, "hazard.record")  # what hazards.record would ask of each row
    look = _Lookups(session, actor, ctx)
    good, out = import_hazards.check(
        session, ctx, rows, project_for=look.project_for,
        org_for=lambda name, key: look.org_for("contractor", name, key), meter=meter)
    result = _Outcome(existing=out.existing, problems=out.problems, checked=len(good))
    if write and not out.problems:
        result.created = import_hazards.write(session, actor, good, file=ctx.table.file,
                                              sheet=ctx.table.sheet, meter=meter)
    return result


def _projects(session: Session, actor: Actor, ctx: _Context,
              rows: list[tuple[int, dict[str, Any]]], meter: Meter, *, write: bool) -> _Outcome:
    permissions.require(actor, "project.edit")  # as create_project and add_policy would
    look = _Lookups(session, actor, ctx)
    good, out = import_projects.check(session, ctx, rows, org_for=look.org_for, meter=meter)
    result = _Outcome(existing=out.existing, problems=out.problems, checked=len(good))
    if write and not out.problems:
        result.created = import_projects.write(session, actor, good)
    return result


@dataclass
class _Outcome:
    created: list[int] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0


def preview(session: Session, actor: Actor, *, kind: str, table: xn.Table,
            mapping: dict[str, str] | None = None, source: str | None = None,
            project_id: int | None = None, progress: ProgressFn | None = None) -> ImportReport:
    """Check every row as the import would, inside a savepoint rolled back (organisations the
    sheet names are created there): every problem, no row inserted."""
    outer = session.begin_nested()
    try:
        report, _ = _apply(session, actor, kind=kind, table=table, mapping=mapping,
                           source=source or kind, project_id=project_id, progress=progress,
                           write=False)
    finally:
        outer.rollback()
    return replace(report, created_ids=())


def commit(session: Session, actor: Actor, *, kind: str, table: xn.Table,
           mapping: dict[str, str] | None = None, source: str | None = None,
           project_id: int | None = None, progress: ProgressFn | None = None) -> ImportReport:
    """Import every row or none: any problem raises ImportRefused and the caller rolls back."""
    source = source or kind
    report, resolved = _apply(session, actor, kind=kind, table=table, mapping=mapping,
                              source=source, project_id=project_id, progress=progress,
                              write=True)
    if report.problems:
        raise ImportRefused(replace(report, refused=True, new=0, created_ids=()))
    _remember(session, actor, source, resolved)
    audit.record(session, actor, action="import", entity=kind, entity_id=None,
                 after={"file": table.file, "sheet": table.sheet, "new": report.new,
                        "existing": len(report.existing)},
                 note=f"导入{KIND_LABELS[kind]} {table.file}")
    return replace(report, committed=True)
