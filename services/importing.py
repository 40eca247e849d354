"""File → loader → storage, for the CLI and the 数据导入 page alike."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from auth.viewer import Viewer
from data_loaders import detect_kind, load_file
from data_loaders.schema import LoadResult
from storage.bulk import gc_paused
from storage.imports import ImportOutcome, import_result
from storage.queries import known_branches

# Rosters first so that later files (学习强国 部门 paths, absence names) find their branches.
KIND_ORDER = ["targets", "roster", "activity", "activity_counts", "study", "xuexi", "records"]
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


def preview(engine: Engine, content: bytes, file_name: str, kind: str | None = None,
            period: tuple[date, date] | None = None) -> LoadResult:
    """Load a file without storing it (the page's preview before confirmation)."""
    branches = known_branches(engine)
    with gc_paused():
        return load_file(content, file_name=file_name, kind=kind, period=period,
                         known_branches=branches)


def store(engine: Engine, result: LoadResult, content: bytes, viewer: Viewer) -> ImportOutcome:
    """Store a previewed file (``storage.imports.import_result``): one atomic batch, or rejected."""
    with gc_paused():
        return import_result(engine, result, content, viewer)


def import_bytes(engine: Engine, content: bytes, file_name: str, viewer: Viewer,
                 kind: str | None = None, period: tuple[date, date] | None = None) -> ImportOutcome:
    return store(engine, preview(engine, content, file_name, kind, period), content, viewer)


def import_paths(engine: Engine, paths: list[Path], viewer: Viewer, kind: str | None = None,
                 period: tuple[date, date] | None = None) -> list[ImportOutcome]:
    """Import files in dependency order (rosters first); one outcome per file, in input order.
    The order comes from each file's headers (``detect_kind``); then each file is loaded once
    and stored before the next is loaded, so memory holds one file's rows at a time."""
    found = []
    for path in paths:
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            from data_loaders.schema import Problem

            problem = Problem(str(path), "", None, None, None, f"无法读取文件：{exc.strerror}")
            found.append((path, None, None, ImportOutcome(Path(path).name, "rejected",
                                                          problems=[problem],
                                                          message=problem.message)))
            continue
        found.append((path, content, kind or detect_kind(content, file_name=Path(path).name), None))
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    order = sorted(range(len(found)), key=lambda i: (rank.get(found[i][2], 99), str(found[i][0])))
    outcomes: dict[int, ImportOutcome] = {}
    for i in order:
        path, content, _, failed = found[i]
        outcomes[i] = failed or import_bytes(engine, content, Path(path).name, viewer, kind, period)
    return [outcomes[i] for i in range(len(found))]


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLE_DIR.iterdir()
                  if p.suffix.lower() in (".xlsx", ".xls", ".csv") and not p.name.startswith("~"))
