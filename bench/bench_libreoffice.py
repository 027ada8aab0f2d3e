"""The quarterly register as agencies make it today (XLSX → `libreoffice --headless` → PDF)
against our PDF builder, side by side on the same rows.

    .venv/bin/python -m bench.bench_libreoffice [--rows 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.bench_reports import make_rows
from bench.common import machine, write_result
from desktop.reports import registers
from desktop.reports.data import AgencyInfo, DocMeta, RegisterData


def _data(rows: int) -> RegisterData:
    meta = DocMeta(title="隐患排查及问题整改清单", number="风控清单〔2026〕0003号", date=dt.date(2026, 10, 8),
                   agency=AgencyInfo(name="绍兴市安信建设风控服务有限公司"))
    return RegisterData(meta=meta, scope_label="全机构", period_label="2026年第三季度", rows=tuple(make_rows(rows)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        raise SystemExit("libreoffice 未安装：apt-get install libreoffice-calc-nogui")
    data = _data(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        registers.build_hazard_register_pdf(data, folder / "ours.pdf")
        ours = time.perf_counter() - start

        start = time.perf_counter()
        registers.build_hazard_register_xlsx(data, folder / "register.xlsx")
        xlsx = time.perf_counter() - start
        profile = folder / "lo-profile"
        start = time.perf_counter()
        subprocess.run([office, f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(folder / "lo"), str(folder / "register.xlsx")],
                       check=True, capture_output=True, timeout=1800)
        lo = time.perf_counter() - start
        lo_pdf = folder / "lo" / "register.pdf"
        pages = {}
        for name, pdf in (("ours", folder / "ours.pdf"), ("lo", lo_pdf)):
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
            pages[name] = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
        sizes = {"ours": (folder / "ours.pdf").stat().st_size, "lo": lo_pdf.stat().st_size}
    lines = ["# Quarterly register: our PDF vs XLSX converted by LibreOffice", "", f"Machine: {machine()}",
             f"Rows: {args.rows:,}", "",
             "| route | seconds | pages | size (MB) |", "|---|---:|---:|---:|",
             f"| our PDF builder | {ours:.1f} | {pages['ours']} | {sizes['ours'] / 1e6:.1f} |",
             f"| our XLSX, then `libreoffice --headless --convert-to pdf` | {xlsx + lo:.1f} "
             f"(xlsx {xlsx:.1f} + office {lo:.1f}) | {pages['lo']} | {sizes['lo'] / 1e6:.1f} |",
             "", f"Ratio ours / LibreOffice route: **{ours / (xlsx + lo):.2f}**", "",
             "LibreOffice's PDF has no document number, page X of Y, signature block or repeated",
             "title; ours does. Reproduce: `.venv/bin/python -m bench.bench_libreoffice --rows 5000`."]
    print("\n".join(lines))
    write_result("libreoffice", lines)


if __name__ == "__main__":
    main()
