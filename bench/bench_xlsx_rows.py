"""The register's row formatter on 50,000 rows × 14 columns, beside the encoders cell by cell.

    .venv/bin/python -m bench.bench_xlsx_rows [--rows 50000] [--repeat 5] [--against DIR]

"row_formatter" is `desktop.reports.xlsx_stream.row_formatter` over the hazard register's
cell kinds (numbers, texts, dates, level and yes/no choices); "encoders" calls one
`*_encoder` per cell and joins them, the plain floor it must equal byte for byte (checked
here on every row). Formatting only: no zip, no file. Median of --repeat runs after a warm-up.
--against DIR also times the row_formatter of another checkout's xlsx_stream.py (e.g. an
older commit's `git archive`), interleaved with ours so that other load falls on both alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path

from bench.common import machine, write_result
from desktop.reports import xlsx_stream as xs

LEVELS = {1: ("一级", 6), 2: ("二级", 7), 3: ("三级", 8), 4: ("四级", 9)}
YES_NO = {True: ("是", 5), False: ("否", 4)}
# the register's 14 columns: 序号, 编号, 项目, 发现日期, 等级, 类别, 部位, 描述, 措施, 期限,
# 状态, 逾期, 关闭日期, 检查人
CELLS = [xs.Cell("number"), xs.Cell("text"), xs.Cell("text"), xs.Cell("date", 2),
         xs.Cell("choice", 4, LEVELS), xs.Cell("text"), xs.Cell("text"), xs.Cell("text", 3),
         xs.Cell("text", 3), xs.Cell("date", 2), xs.Cell("text"), xs.Cell("choice", 4, YES_NO),
         xs.Cell("date", 2), xs.Cell("text")]


def encoders() -> list[xs.CellEncoder]:
    made: list[xs.CellEncoder] = []
    for i, cell in enumerate(CELLS, start=1):
        if cell.kind == "number":
            made.append(xs.number_encoder(i, cell.style))
        elif cell.kind == "date":
            made.append(xs.date_encoder(i, cell.style))
        elif cell.kind == "choice":
            made.append(xs.choice_encoder(i, cell.choices or {}, cell.style))
        else:
            made.append(xs.text_encoder(i, cell.style))
    return made


def rows(n: int) -> list[tuple]:
    rnd = random.Random(17)
    words = ["临边防护缺失", "脚手架连墙件不足", "配电箱未接地", "基坑支护变形", "塔吊限位失效",
             "A&B <说明>", " 前后空格 ", "消防通道堵塞，需立即清理并设置警示标志"]
    start = dt.date(2025, 1, 1)
    out = []
    for i in range(n):
        found = start + dt.timedelta(days=rnd.randrange(500))
        out.append((i + 1, f"YH-2026-{i + 1:05d}", f"某某项目{rnd.randrange(300)}期", found,
                    rnd.choice((1, 2, 3, 4)), rnd.choice(("高处坠落", "物体打击", "触电")),
                    f"{rnd.randrange(30)}号楼{rnd.randrange(30)}层", rnd.choice(words) * 3,
                    rnd.choice(words), found + dt.timedelta(days=7),
                    rnd.choice(("整改中", "已关闭", "已下发")), rnd.random() < 0.2,
                    None if rnd.random() < 0.3 else found + dt.timedelta(days=5), "张工"))
    return out


def other_formatter(root: Path):  # type: ignore[no-untyped-def]
    """The row formatter of another checkout's desktop/reports/xlsx_stream.py."""
    spec = importlib.util.spec_from_file_location(
        "xlsx_stream_other", root / "desktop" / "reports" / "xlsx_stream.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.row_formatter([module.Cell(c.kind, c.style, c.choices) for c in CELLS])


def interleaved(fns: list, repeat: int) -> list[float]:  # type: ignore[type-arg]
    """Median seconds of each function, run in turn `repeat` times after a warm-up."""
    times: list[list[float]] = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", type=Path, help="another checkout whose formatter to time")
    args = parser.parse_args(argv)
    data = rows(args.rows)
    line, cells = xs.row_formatter(CELLS), encoders()

    def ours() -> list[str]:
        return [line(r, values) for r, values in enumerate(data, start=1)]

    def floor() -> list[str]:
        return [f'<row r="{r}">{"".join(e(r, v) for e, v in zip(cells, values, strict=True))}</row>'
                for r, values in enumerate(data, start=1)]

    assert ours() == floor(), "the row formatter differs from the encoders"
    started = time.perf_counter()
    t_ours, t_floor = interleaved([ours, floor], args.repeat)
    lines = ["# XLSX rows: row_formatter vs the encoders cell by cell", "",
             f"{machine()}", "",
             f"{args.rows:,} rows × {len(CELLS)} columns, median of {args.repeat} interleaved runs:", "",
             "| case | seconds | µs a row |", "|---|---|---|",
             f"| row_formatter | {t_ours:.3f} | {t_ours / args.rows * 1e6:.2f} |",
             f"| encoders, cell by cell | {t_floor:.3f} | {t_floor / args.rows * 1e6:.2f} |", "",
             f"ratio row_formatter ÷ encoders: {t_ours / t_floor:.2f}"]
    if args.against is not None:
        theirs = other_formatter(args.against)

        def other() -> list[str]:
            return [theirs(r, values) for r, values in enumerate(data, start=1)]

        assert other() == ours(), "the other checkout's rows differ"
        a, b = interleaved([ours, other], args.repeat)
        lines += ["", f"interleaved with {args.against}: ours {a:.3f} s, theirs {b:.3f} s, "
                      f"ours ÷ theirs {a / b:.2f}"]
    lines.append(f"(bench ran {time.perf_counter() - started:.1f} s)")
    path = write_result("xlsx-rows", lines)
    print("\n".join(lines))
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
