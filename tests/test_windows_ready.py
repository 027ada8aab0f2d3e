"""Windows-ready: the build makes a windowed `riskdesk` and a console `riskdesk-cli` over one
folder with a version resource; POSIX-only calls are guarded; read-only stored files can be
removed; the windowed program survives having no standard streams."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import types
from pathlib import Path

from desktop import __version__
from desktop.fileutil import remove_file, remove_tree

ROOT = Path(__file__).resolve().parents[1]


class Recorder:
    """Stands in for PyInstaller's spec classes: records what the spec asks for."""

    def __init__(self, kind: str, calls: list) -> None:
        self.kind, self.calls = kind, calls

    def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        made = types.SimpleNamespace(kind=self.kind, args=args, kwargs=kwargs, scripts=[],
                                     pure=[], binaries=[], datas=[])
        self.calls.append(made)
        return made


def run_spec(monkeypatch, platform: str) -> list:  # type: ignore[no-untyped-def]
    calls: list = []
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda _name: []  # type: ignore[attr-defined]
    hooks.collect_submodules = lambda _name: []  # type: ignore[attr-defined]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, sys.modules.get(name) or types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "platform", platform)
    spec = {"SPECPATH": str(ROOT), **{k: Recorder(k, calls) for k in
                                      ("Analysis", "PYZ", "EXE", "COLLECT")}}
    exec(compile((ROOT / "build.spec").read_text(encoding="utf-8"), "build.spec", "exec"), spec)  # noqa: S102 - the build's own spec, as PyInstaller runs it
    return calls


def test_two_programs_share_one_folder(monkeypatch):
    calls = run_spec(monkeypatch, "linux")
    exes = [c for c in calls if c.kind == "EXE"]
    assert {e.kwargs["name"]: e.kwargs["console"] for e in exes} == {
        "riskdesk": False, "riskdesk-cli": True}
    assert all(e.kwargs["exclude_binaries"] and e.kwargs["version"] is None for e in exes)
    (collect,) = [c for c in calls if c.kind == "COLLECT"]
    assert collect.kwargs["name"] == "riskdesk" and set(map(id, collect.args[:2])) == set(map(id, exes))
    (analysis,) = [c for c in calls if c.kind == "Analysis"]
    bundled = {dest for _src, dest in analysis.kwargs["datas"]}
    assert {"resources/presets", "resources/catalogues", "resources/fonts"} <= bundled


def test_on_windows_each_program_carries_the_version(monkeypatch):
    """PyInstaller's version-info classes (Windows-only: they need pywin32) stand in as
    recorders; what the spec builds from __version__ is checked, not PyInstaller itself."""
    made: list[tuple[str, tuple]] = []
    versioninfo = types.ModuleType("PyInstaller.utils.win32.versioninfo")
    for name in ("FixedFileInfo", "StringFileInfo", "StringStruct", "StringTable", "VarFileInfo",
                 "VarStruct", "VSVersionInfo"):
        def record(*args, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            made.append((_name, args + tuple(sorted(kwargs.items()))))
            return (_name, args, kwargs)
        setattr(versioninfo, name, record)
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.win32", types.ModuleType("win32"))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.win32.versioninfo", versioninfo)
    calls = run_spec(monkeypatch, "win32")
    exes = [c for c in calls if c.kind == "EXE"]
    assert all(e.kwargs["version"][0] == "VSVersionInfo" for e in exes)
    strings = {args for kind, args in made if kind == "StringStruct"}
    numbers = tuple(int(n) for n in __version__.split(".")[:3])
    assert ("FileVersion", __version__) in strings and ("ProductVersion", __version__) in strings
    assert {("OriginalFilename", "riskdesk.exe"), ("OriginalFilename", "riskdesk-cli.exe")} <= strings
    fixed = [dict(args) for kind, args in made if kind == "FixedFileInfo"]
    assert fixed and all(f["filevers"][:3] == numbers and len(f["filevers"]) == 4 for f in fixed)


def test_the_makefile_checks_the_build_through_the_program_that_prints():
    dist = (ROOT / "Makefile").read_text(encoding="utf-8").split("\ndist:", 1)[1].split("\n\n")[0]
    assert "dist/riskdesk/riskdesk-cli selftest" in dist


# POSIX-only calls, each reviewed: guarded by os.name == "posix" (or a hasattr/getattr), or
# harmless on Windows for the reason given. A new one fails here until it is looked at.
REVIEWED = {
    ("desktop/fileutil.py", "os.chmod"): "posix guard, and remove_file/remove_tree clear read-only",
    ("desktop/services/exchange/backup.py", "os.chmod"): "posix guard",
    ("desktop/datamodes.py", "os.chmod"): "protect() returns early unless posix",
    ("desktop/services/exchange/attachments.py", "chmod"): "0o444/0o644 set/clear Windows' read-only flag",
    ("desktop/services/signing.py", "os.link"): "NTFS has hard links; OSError falls back",
    ("desktop/cli_data.py", "signal.SIGINT"): "SIGINT exists on Windows (Ctrl+C)",
    ("desktop/services/letterhead.py", "os.chmod"): "0o444 sets Windows' read-only flag, as the store does",
}
POSIX_ONLY = ("os.chmod", "chmod", "os.fchmod", "os.chown", "os.getuid", "os.geteuid",
              "os.getgid", "os.umask", "os.setsid", "os.killpg", "os.getpgid", "os.link",
              "os.symlink", "os.statvfs", "os.fdatasync", "signal.SIGINT", "signal.SIGTERM",
              "signal.SIGHUP", "signal.SIGKILL", "signal.SIGUSR1", "signal.SIGALRM", "fcntl",
              "pwd", "grp", "termios", "resource")


def _names(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = node.value.id if isinstance(node.value, ast.Name) else ""
            dotted = f"{base}.{node.attr}" if base else node.attr
            found.add(dotted if dotted in POSIX_ONLY else node.attr if node.attr in POSIX_ONLY else "")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found.update(m for m in mods if m in POSIX_ONLY)
    return found - {""}


def test_posix_only_calls_are_all_reviewed():
    unreviewed = []
    for path in sorted((ROOT / "desktop").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for name in _names(ast.parse(path.read_text(encoding="utf-8"))):
            if (rel, name) not in REVIEWED:
                unreviewed.append((rel, name))
    assert unreviewed == []


def test_read_only_stored_files_are_removed(tmp_path):
    blob = tmp_path / "store" / "ab" / "abcdef"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"photo")
    blob.chmod(0o444)
    remove_file(blob)
    assert not blob.exists()
    remove_file(blob)  # gone already: fine
    (tmp_path / "store" / "cd").mkdir()
    other = tmp_path / "store" / "cd" / "cdef"
    other.write_bytes(b"x")
    other.chmod(0o444)
    remove_tree(tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_the_windowed_program_runs_without_standard_streams(tmp_path):
    """As a console=False program starts on Windows: no stdout or stderr at all."""
    code = ("import sys, runpy; sys.stdout = sys.stderr = None; sys.argv = ['riskdesk', '--version'];"
            "runpy.run_module('desktop', run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          env={**os.environ, "RISKDESK_DATA_DIR": str(tmp_path)}, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stdout == b""  # printed into the null device, not here
