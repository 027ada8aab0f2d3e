"""Reading a training sign-in sheet (签到表) from Excel into roster lines; `import_sheet` adds
them to a recorded session (training_roster.add_attendees).

The header row (within the first ten rows) names the columns: 姓名 (required), 类别, 电话,
身份证号 and 单位, with a few common variants. Every bad row is refused with its row number and
column letter. A long number stored as a number in Excel (an ID number typed into a number
cell) has already lost its last digits — Excel keeps 15 significant digits — so 15 or more
digits stored as a number are refused rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from desktop.services import permissions, training, training_people, training_roster
from desktop.services.context import Actor, ValidationError, msg
from desktop.services.training_people import GROUP_WORDS, AttendeeForm, problems, roster_problems

MAX_ROWS = 5000
HEADERS = {
    "name": ("姓名",),
    "group": ("类别", "人员类别", "人员类型", "岗位类别"),
    "phone": ("电话", "联系电话", "手机", "手机号", "手机号码"),
    "id_number": ("身份证号", "身份证号码", "身份证"),
    "unit": ("单位", "所属单位", "工作单位", "公司"),
}
LABELS = {"name": "姓名", "group": "类别", "phone": "电话", "id_number": "身份证号", "unit": "单位"}


@dataclass(frozen=True)
class SheetLine:
    row: int  # the Excel row number
    name: str
    group: str  # manager / worker / "" when the sheet has no 类别 column
    phone: str
    id_number: str
    unit: str


def _refuse(text: str) -> ValidationError:
    return ValidationError({"file": text})


def _header(cells: tuple[object, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(cells):
        title = "".join(str(value or "").split())
        for key, names in HEADERS.items():
            if title in names and key not in found:
                found[key] = index
    return found


def get_column_letter(number: int) -> str:
    """Excel's column letters for a 1-based column number (1 → A, 27 → AA)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _text(value: object, row: int, index: int, key: str) -> str:

    where = msg("第 {row} 行 {col} 列（{label}）", row=row, col=get_column_letter(index + 1),
                label=LABELS[key])
    if value is None:
        return ""
    if isinstance(value, bool):
        raise _refuse(msg("{where}：应为文字", where=where))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            if key in ("phone", "id_number"):
                raise _refuse(msg("{where}：号码不应含小数", where=where))
            return str(value)
        digits = str(int(value))
        if key in ("phone", "id_number") and len(digits.lstrip("-")) >= 15:
            raise _refuse(msg("{where}：{n} 位数字按数字保存，末尾几位可能已丢失；"
                              "请将该列设为文本后重新导出", where=where, n=len(digits)))
        return digits
    return str(value).strip()


def read_sign_in_sheet(path: Path | str) -> list[SheetLine]:
    """The people on the first sheet of a sign-in workbook (.xlsx), in sheet order."""
    # openpyxl loads only when a sheet is read: the roster editor (on the project page) opens without it
    from openpyxl import load_workbook

    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise _refuse(msg("签到表须为 Excel 文件（.xlsx）"))
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise _refuse(msg("无法读取签到表：{reason}", reason=str(exc) or type(exc).__name__)) from exc
    except Exception as exc:  # a damaged zip or XML: openpyxl raises several kinds
        raise _refuse(msg("无法读取签到表（文件已损坏或不是 Excel 工作簿）")) from exc
    try:
        sheet = book.worksheets[0]
        columns: dict[str, int] = {}
        lines: list[SheetLine] = []
        for row_no, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = tuple(cells)
            if not columns:
                if row_no > 10:
                    break
                columns = _header(cells)
                if columns and "name" not in columns:
                    columns = {}
                continue
            if all(c is None or str(c).strip() == "" for c in cells):
                continue
            if len(lines) >= MAX_ROWS:
                raise _refuse(msg("签到表超过 {n} 行，请分批导入", n=MAX_ROWS))
            values = {key: _text(cells[i] if i < len(cells) else None, row_no, i, key)
                      for key, i in columns.items()}
            lines.append(_line(row_no, values, columns))
    finally:
        book.close()
    if not columns:
        raise _refuse(msg("签到表前 10 行中未找到“姓名”列标题"))
    if not lines:
        raise _refuse(msg("签到表中没有人员"))
    return lines


def _line(row: int, values: dict[str, str], columns: dict[str, int]) -> SheetLine:
    from openpyxl.utils import get_column_letter

    def where(key: str) -> str:
        return msg("第 {row} 行 {col} 列（{label}）", row=row,
                   col=get_column_letter(columns[key] + 1), label=LABELS[key])

    group = ""
    if "group" in columns:
        word = "".join(values.get("group", "").split())
        group = GROUP_WORDS.get(word, "")
        if not group:
            raise _refuse(msg("{where}：类别“{value}”应为“管理人员”或“作业人员”",
                              where=where("group"), value=word or "（空）"))
    line = SheetLine(row, values.get("name", ""), group, values.get("phone", ""),
                     values.get("id_number", ""), values.get("unit", ""))
    errors = problems(AttendeeForm(0, line.name, group or "worker", line.phone, line.id_number, line.unit))
    if errors:
        key, text = next(iter(errors.items()))
        raise _refuse(msg("{where}：{problem}", where=where(key), problem=text))
    return line


def to_roster(lines: list[SheetLine], project_id: int, default_group: str = "worker") -> list[AttendeeForm]:
    """The sheet's people for one project; those the sheet gives no group get `default_group`.
    Refuses a sheet naming one person twice (by the identity rule)."""
    forms = [AttendeeForm(project_id, x.name, x.group or default_group, x.phone, x.id_number, x.unit)
             for x in lines]
    problem = roster_problems(forms)
    if problem:
        raise _refuse(problem)
    return forms


def read_sheet(path: Path | str, project_id: int, *, default_group: str = "worker") -> list[AttendeeForm]:
    """A sign-in sheet's people for one project, checked line by line (nothing written): what
    the training dialog adds to the roster it edits."""
    if default_group not in training_people.GROUPS:
        raise ValidationError({"group": msg("类别须为“管理人员”或“作业人员”")})
    return to_roster(read_sign_in_sheet(path), project_id, default_group)


def import_sheet(session: Session, actor: Actor, session_id: int, project_id: int, path: Path | str, *,
                 expected_version: int, default_group: str = "worker") -> training.SessionRow:
    """Add a sign-in sheet's people to a recorded session's roster for one project, all or
    nothing (training_roster.add_attendees)."""
    permissions.require(actor, "training.edit")
    forms = read_sheet(path, project_id, default_group=default_group)
    return training_roster.add_attendees(session, actor, session_id, project_id, forms,
                                         expected_version=expected_version, file_name=Path(path).name)
