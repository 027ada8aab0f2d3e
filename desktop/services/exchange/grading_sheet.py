"""The risk grading thresholds (agency rule `risk.grading`, 设置 › 机构规则) imported from a file:
JSON or Excel, like a catalogue edition.

Excel: one sheet with a 项目 column (the threshold, named as the Settings panel names it, or by
its code) and a 取值 column; rows not listed keep their current value. The workbook is looked at
before parsing (`xlsx_guard`), the header is found among the first rows (`xlsx_normalise`), and
every bad cell is named by sheet, row and column. JSON: an object of the same codes
(`{"deep_excavation_m": 6, "open_hazards_per_10k_m2": {"high": 20}}`), or that object under
`"risk.grading"`.

Every value then goes through the validation the Settings panel uses (`rules.validate`): each
one alone against the current rules — so a bad value is named where it stands — then all
together, and the result is stored by `agency_rules.save` (audited per rule). All or nothing:
one problem and nothing changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from sqlalchemy.orm import Session

from desktop.messages import Series, msg
from desktop.reports.grading_template import build_grading_template_xlsx
from desktop.services import agency_rules, audit, permissions, rules
from desktop.services.context import Actor, ServiceError, ValidationError
from desktop.services.exchange import xlsx_guard as xg
from desktop.services.exchange import xlsx_normalise as xn

KEY = "risk.grading"
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
MAX_JSON_BYTES = 64 * 1024
NAME_COLUMN = ("项目", "评定规则", "规则", "名称", "代码")
VALUE_COLUMN = ("取值", "数值", "值", "阈值")


class GradingFileError(ServiceError):
    """A grading file that cannot be imported; the message lists every problem."""


@dataclass(frozen=True)
class Field:
    path: tuple[str, ...]  # key in the grading, then the key inside a nested rule
    label: str  # as the Settings panel and the template name it
    kind: str  # "number" (metres), "months", "count", "level"
    synonyms: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        return ".".join(self.path)


FIELDS: tuple[Field, ...] = (
    Field(("deep_excavation_m",), "深基坑开挖深度（米，不小于为高风险）", "number", ("深基坑", "高风险开挖深度")),
    Field(("shallow_excavation_m",), "浅基坑开挖深度（米，小于为低风险）", "number", ("浅基坑", "低风险开挖深度")),
    Field(("super_danda_in_progress",), "超危大工程施工中", "level"),
    Field(("danda_in_progress",), "危大工程施工中", "level"),
    Field(("open_level1_hazard",), "存在未闭合一级隐患", "level"),
    Field(("escalated_hazard",), "拒不整改或拖延整改", "level"),
    Field(("fatal_accident_months",), "死亡或较大事故后保持高风险（月）", "months", ("死亡事故影响月数",)),
    Field(("accident_months",), "近期事故影响（月）", "months", ("事故影响月数",)),
    Field(("accident_level",), "近期事故风险等级", "level"),
    Field(("open_hazards_per_10k_m2", "high"), "未闭合隐患数高风险阈值（每万平方米）", "count",
          ("未闭合隐患高风险阈值",)),
    Field(("open_hazards_per_10k_m2", "medium"), "未闭合隐患数中风险阈值（每万平方米）", "count",
          ("未闭合隐患中风险阈值",)),
)
_LEVEL_WORDS = {"高": "high", "高风险": "high", "中": "medium", "中风险": "medium", "低": "low",
                "低风险": "low", "HIGH": "high", "MEDIUM": "medium", "LOW": "low"}


def _names() -> dict[str, Field]:
    out: dict[str, Field] = {}
    for f in FIELDS:
        for name in (f.label, f.code, *f.synonyms):
            out[xn.header_key(name)] = f
    return out


@dataclass(frozen=True)
class ImportResult:
    file: str
    values: int  # thresholds the file gave
    stored: tuple[str, ...]  # rule keys changed (empty: the file held the current values)


@dataclass
class _Problems:
    file: str
    lines: list[str]

    def add(self, where: str, problem: str) -> None:
        self.lines.append(msg("{where}：{problem}", where=where, problem=problem))

    def raise_any(self) -> None:
        if not self.lines:
            return
        text = xg.problem_list(self.lines)
        raise GradingFileError(msg("文件 {name} 有 {n} 处问题，评定规则未作任何修改：\n{problems}",
                                   name=self.file, n=len(self.lines), problems=text))


def import_file(session: Session, actor: Actor, path: Path | str, *,
                limits: xg.Limits | None = None) -> ImportResult:
    """An administrator's import of the grading thresholds, from JSON or Excel by the suffix."""
    permissions.require(actor, "settings.edit")  # administrators only, before the file is read
    path = Path(path)
    suffix = path.suffix.lower()
    problems = _Problems(path.name, [])
    if suffix == ".json":
        given = _read_json(path, problems)
    elif suffix in EXCEL_SUFFIXES:
        given = _read_workbook(path, limits or xg.Limits(), problems)
    elif suffix == ".xls":
        raise GradingFileError(msg("不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后再导入。"))
    else:
        raise GradingFileError(msg("评定规则文件须为 JSON 文件（.json）或 Excel 文件（.xlsx）：{name}",
                                   name=path.name))
    if not given and not problems.lines:
        raise GradingFileError(msg("文件 {name} 中没有评定规则的取值。", name=path.name))
    current = agency_rules.read(session)
    grading = _checked(current.grading, given, problems)
    problems.raise_any()
    try:
        stored = agency_rules.save(session, actor, replace(current, grading=grading))
    except ValidationError as exc:  # all together (e.g. the shallow limit not below the deep one)
        for text in exc.messages.values():
            problems.add(msg("评定规则"), text)
        problems.raise_any()
        raise
    audit.record(session, actor, action="import", entity="app_settings", entity_id=None,
                 after={"file": path.name, "rule": KEY, "values": len(given), "changed": bool(stored)})
    return ImportResult(path.name, len(given), tuple(stored))


def _checked(current: rules.Grading, given: dict[Field, tuple[str, Any]],
             problems: _Problems) -> rules.Grading:
    """Every value checked by the Settings panel's validation (`rules.validate`) where it stands:
    each one beside the file's other values that are good on their own (the current rule for the
    rest), so a pair changed together (the two excavation limits) is judged together and a bad
    value is named at its own row. Returns the merged thresholds."""

    def with_values(values: dict[Field, Any]) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(json.dumps(current))
        for field, value in values.items():
            _put(out, field.path, value)
        return out

    def valid(config: dict[str, Any]) -> str | None:
        try:
            rules.validate(KEY, config)
        except ValidationError as exc:
            return str(next(iter(exc.messages.values())))
        return None

    values = {field: value for field, (_where, value) in given.items()}
    fine_alone = {f: v for f, v in values.items() if valid(with_values({f: v})) is None}
    for field, (where, value) in given.items():
        problem = valid(with_values({**{g: v for g, v in fine_alone.items() if g != field}, field: value}))
        if problem is not None:
            problems.add(where, problem)
    # the current setting with checked values put in by path: the setting's shape, which
    # agency_rules.save validates once more as a whole
    return cast(rules.Grading, with_values(values))


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _value(field: Field, raw: Any) -> Any:
    """A cell's or a JSON value's content as the rule holds it; CellError when unreadable."""
    if field.kind == "level":
        level = _LEVEL_WORDS.get(xn.ident(raw).upper()) if isinstance(raw, str) else None
        if level is None:
            raise xn.CellError(msg("“{text}”无效，应为高、中、低之一", text=xn.text(raw) or "（空）"))
        return level
    number = xn.parse_decimal(raw)
    if number is None:
        raise xn.CellError(msg("不能为空"))
    if field.kind == "number":
        return int(number) if number == number.to_integral_value() else float(number)
    if number != number.to_integral_value():
        raise xn.CellError(msg("“{text}”应为整数", text=xn.text(raw)))
    return int(number)


def _read_json(path: Path, problems: _Problems) -> dict[Field, tuple[str, Any]]:
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise GradingFileError(msg("文件 {name} 过大，不像评定规则文件。", name=path.name))
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise GradingFileError(msg("无法读取文件 {name}：{error}", name=path.name, error=exc.strerror or exc)) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise GradingFileError(msg("文件 {name} 不是有效的 JSON（UTF-8 编码）。", name=path.name)) from None
    if isinstance(data, dict) and isinstance(data.get(KEY), dict):
        data = data[KEY]
    if not isinstance(data, dict):
        raise GradingFileError(msg("文件 {name} 应为一个对象：{{\"代码\": 取值, …}}", name=path.name))
    by_code = {f.path: f for f in FIELDS}
    out: dict[Field, tuple[str, Any]] = {}
    for key, value in data.items():
        items = [((key, k), v) for k, v in value.items()] if isinstance(value, dict) else [((key,), value)]
        for path_, raw in items:
            where = msg("“{code}”", code=".".join(path_))
            field = by_code.get(path_)
            if field is None:
                problems.add(where, msg("未知的评定规则项，应为：{codes}", codes=Series(f.code for f in FIELDS)))
                continue
            if isinstance(raw, bool) or (field.kind != "level" and not isinstance(raw, int | float)):
                problems.add(where, msg("应为数字") if field.kind != "level" else msg("应为高、中、低之一"))
                continue
            try:
                out[field] = (where, _value(field, raw))
            except xn.CellError as exc:
                problems.add(where, exc.args[0])
    return out


def _read_workbook(path: Path, limits: xg.Limits, problems: _Problems) -> dict[Field, tuple[str, Any]]:
    no_table = msg("Excel 文件 {name} 中找不到评定规则表：应有一个工作表在前 {n} 行内含“项目”和“取值”两列的表头。",
                   name=path.name, n=xn.HEADER_SCAN_ROWS)
    try:
        xn.sheet_list(path, limits)  # the size and the sheets checked before anything is parsed
    except xn.CellError as exc:
        raise GradingFileError(exc.args[0]) from None
    try:
        table = xn.read_table(path, words=NAME_COLUMN + VALUE_COLUMN, limits=limits)
    except xn.CellError:
        raise GradingFileError(no_table) from None
    name_col = next((c for n in NAME_COLUMN if (c := table.column(n)) is not None), None)
    value_col = next((c for n in VALUE_COLUMN if (c := table.column(n)) is not None
                      and (name_col is None or c.index != name_col.index)), None)
    if name_col is None or value_col is None:
        raise GradingFileError(no_table)
    names = _names()
    seen: dict[Field, int] = {}
    out: dict[Field, tuple[str, Any]] = {}

    def where(row: xn.Row, col: xn.Column, label: str) -> str:
        return msg("工作表“{sheet}”第 {row} 行 {col} 列（{label}）", sheet=table.sheet, row=row.number,
                   col=col.letter, label=label)

    for row in table.rows:
        name_raw = _cell(table, row, name_col.index)
        value_raw = _cell(table, row, value_col.index)
        if xn.text(name_raw) == "" and xn.text(value_raw) == "":
            continue
        field = names.get(xn.header_key(xn.text(name_raw)))
        if field is None:
            problems.add(where(row, name_col, "项目"), msg("“{text}”不是评定规则项，应为：{labels}",
                                                          text=xn.text(name_raw) or "（空）",
                                                          labels=Series(f.label for f in FIELDS)))
            continue
        if field in seen:
            problems.add(where(row, name_col, "项目"), msg("“{label}”与第 {row} 行重复", label=field.label,
                                                          row=seen[field]))
            continue
        seen[field] = row.number
        at = where(row, value_col, field.label)
        try:
            table.check_cell(row.number, value_col.index + 1)  # no formula without a result, no #N/A
            out[field] = (at, _value(field, value_raw))
        except xn.CellError as exc:
            problems.add(at, exc.args[0])
    return out


def _cell(table: xn.Table, row: xn.Row, index: int) -> Any:
    return row.values[index] if index < len(row.values) else None


def template_rows(grading: dict[str, Any]) -> list[tuple[str, Any]]:
    """(项目, 取值) of every threshold as it stands: the rows of a workbook to fill in."""
    level_words = {"high": "高", "medium": "中", "low": "低"}
    out = []
    for f in FIELDS:
        value: Any = grading
        for key in f.path:
            value = value[key]
        out.append((f.label, level_words.get(value, value) if f.kind == "level" else value))
    return out


KIND_NOTES = {"number": msg("米，可带一位小数"), "months": msg("月数，整数"),
              "count": msg("每万平方米未闭合隐患项数，整数"), "level": msg("高、中、低之一")}


def write_template(session: Session, actor: Actor, path: Path | str) -> Path:
    """The workbook an administrator fills in (设置 › 机构规则 › 下载模板…, `riskdesk grading
    --template FILE`): every threshold on its row with its current value, in the layout
    `import_file` reads, written atomically. Imported untouched it changes nothing."""
    permissions.require(actor, "settings.edit")
    path = Path(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES[:1]:
        raise GradingFileError(msg("模板文件名须以 .xlsx 结尾：{name}", name=path.name))
    rows = template_rows(cast(dict[str, Any], agency_rules.read(session).grading))
    return build_grading_template_xlsx(
        [(label, value, str(KIND_NOTES[f.kind])) for f, (label, value) in zip(FIELDS, rows, strict=True)], path)


__all__ = ["FIELDS", "GradingFileError", "ImportResult", "import_file", "template_rows", "write_template"]
