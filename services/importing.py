"""File → loader → storage, for the 数据导入 page and ``cli.py import`` alike; every import, rejection
and undo is written to the audit log here, whoever asked."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from data_loaders import detect_kind, load_file, load_file_isolated
from data_loaders.schema import LoadResult, Problem
from domain.access import Viewer
from services import audit
from storage.batch_lookup import duplicate_audit_detail, earlier_import
from storage.bulk import gc_paused
from storage.imports import (ImportOutcome, duplicate_outcome, import_result,
                             scope_problems, undo_batch)
from storage.queries import known_branches, list_batches, stored_warnings

log = logging.getLogger(__name__)

# Rosters first so that later files (学习强国 部门 paths, absence names) find their branches.
KIND_ORDER = ["targets", "roster", "activity", "activity_counts", "study", "xuexi", "records"]
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


def preview(engine: Engine, content: bytes, file_name: str, kind: str | None = None,
            period: tuple[date, date] | None = None, viewer: Viewer | None = None,
            isolated: bool = False) -> LoadResult:
    """Load a file without storing it (the page's preview before confirmation). ``isolated``:
    read it in a child process whose crash becomes a rejection (untrusted uploads in the
    server). With a ``viewer``, what they may not import is in the problems already, so a
    secretary sees it before pressing 导入."""
    branches = known_branches(engine)
    load = load_file_isolated if isolated else load_file
    with gc_paused():
        result = load(content, file_name=file_name, kind=kind, period=period, known_branches=branches)
    if viewer is not None and result.kind is not None:
        result.problems = list(result.problems) + scope_problems(engine, result, viewer)
    return result


def own_rows_only(result: LoadResult, viewer: Viewer) -> LoadResult:
    """The rows of ``result`` that name the secretary's own branch (the offer to import just
    those when a file mixes branches); the other rows' problems go with them."""
    frame = result.frame
    if viewer.sees_all_branches or "branch" not in frame:
        return result
    keep = frame["branch"].astype("string").eq(viewer.branch or "").fillna(False).to_numpy(dtype=bool)
    kept_rows = set(zip(frame.loc[keep, "sheet"], frame.loc[keep, "row"]))
    problems = [p for p in result.problems
                if p.row is None or (p.sheet, p.row) in kept_rows or p.code == "unknown_branch"]
    return replace(result, frame=frame[keep].reset_index(drop=True), problems=problems)


def store(engine: Engine, result: LoadResult, content: bytes, viewer: Viewer) -> ImportOutcome:
    """Store a previewed file (``storage.imports.import_result``): one atomic batch, or rejected;
    the outcome is audited."""
    with gc_paused():
        outcome = import_result(engine, result, content, viewer)
    _audit(engine, viewer, outcome)
    return outcome


def store_own_rows(engine: Engine, result: LoadResult, content: bytes, viewer: Viewer) -> ImportOutcome:
    """Store only the rows of the secretary's own branch from a file that mixes branches. The
    batch's fingerprint says so, so the whole file can still be imported later by an admin."""
    mine = own_rows_only(result, viewer)  # import_result checks the rows kept once more
    return store(engine, mine, content + f"\n#own-rows:{viewer.branch_id}".encode(), viewer)


def _already_imported(engine: Engine, content: bytes, file_name: str,
                      viewer: Viewer) -> ImportOutcome | None:
    """The same bytes again change nothing: say so (audited) without reading the file. Only for
    an administrator: a secretary's file must first pass the scope check, which needs its rows."""
    earlier = earlier_import(engine, content) if viewer.is_admin else None
    if earlier is None:
        return None
    outcome = duplicate_outcome(file_name, *earlier)
    _audit(engine, viewer, outcome)
    return outcome


def import_bytes(engine: Engine, content: bytes, file_name: str, viewer: Viewer,
                 kind: str | None = None, period: tuple[date, date] | None = None) -> ImportOutcome:
    return (_already_imported(engine, content, file_name, viewer)
            or store(engine, preview(engine, content, file_name, kind, period), content, viewer))


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
            problem = Problem(str(path), "", None, None, None, f"无法读取文件：{exc.strerror}")
            found.append((path, None, None, ImportOutcome(Path(path).name, "rejected",
                                                          problems=[problem],
                                                          message=problem.message)))
            continue
        known = _already_imported(engine, content, Path(path).name, viewer)
        # one file has no order to find: its headers are not read twice
        order_by = known.kind if known else kind or (
            detect_kind(content, file_name=Path(path).name) if len(paths) > 1 else None)
        found.append((path, content, order_by, known))
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    order = sorted(range(len(found)), key=lambda i: (rank.get(found[i][2], 99), str(found[i][0])))
    outcomes: dict[int, ImportOutcome] = {}
    for i in order:
        path, content, _, failed = found[i]
        outcomes[i] = failed or import_bytes(engine, content, Path(path).name, viewer, kind, period)
    return [outcomes[i] for i in range(len(found))]


def undo(engine: Engine, batch_id: int, viewer: Viewer) -> str:
    """Undo one batch (administrators only) and audit it; returns the message for the user.
    Raises ``PermissionError`` or ``LookupError`` (Chinese) for what the user must know."""
    message = undo_batch(engine, batch_id, viewer)
    audit.record(engine, viewer, "undo", message)
    return message


def _audit(engine: Engine, viewer: Viewer, outcome: ImportOutcome) -> None:
    if outcome.status == "imported":
        action, detail = "import", f"{outcome.file_name}：第{outcome.batch_id}批，{outcome.rows}行"
    elif outcome.status == "duplicate":
        action, detail = "import", duplicate_audit_detail(outcome.file_name, outcome.batch_id)
    else:
        action, detail = "import_rejected", f"{outcome.file_name}：未导入（{outcome.message}）"
    try:
        audit.record(engine, viewer, action, detail)
    except Exception:  # the import itself succeeded or failed already; say so in the log
        log.exception("audit entry for %s could not be written", outcome.file_name)


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLE_DIR.iterdir()
                  if p.suffix.lower() in (".xlsx", ".xls", ".csv") and not p.name.startswith("~"))


def batches(engine: Engine, viewer: Viewer):
    """Import batches the viewer may see, newest first (a secretary: those with their branch's
    rows)."""
    return list_batches(engine, viewer)


def warnings(engine: Engine, viewer: Viewer):
    """Warnings kept from live import batches (admins and leaders only: they name people of
    every branch)."""
    return stored_warnings(engine, viewer)
