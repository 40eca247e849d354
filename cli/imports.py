"""``import``: files into the database. Light to start: when every file given is one already
imported (the same bytes), the answer comes from the files' hashes before pandas and the loaders
are even loaded — a script re-running an import finds out in a fraction of a second."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cli import context
from cli.errors import CliError
from services import audit
from storage.batch_lookup import duplicate_audit_detail, duplicate_message, earlier_import

STATUS = {"imported": "已导入", "duplicate": "已存在", "rejected": "未导入"}


def print_outcomes(outcomes) -> int:
    failed = 0
    for outcome in outcomes:
        print(f"{STATUS[outcome.status]}：{outcome.file_name} — {outcome.message}")
        for problem in outcome.problems:
            print("  " + problem.describe())
        failed += outcome.status == "rejected"
    return 1 if failed else 0


def _all_imported_before(engine, paths: list[Path], viewer) -> list[tuple[str, int]] | None:
    """(file name, batch) for each path when every file holds the bytes of a current batch and
    the viewer may skip the scope check (an administrator); otherwise None: the full import
    decides, and reports an unreadable file."""
    if not viewer.is_admin:
        return None
    found = []
    for path in paths:
        try:
            earlier = earlier_import(engine, Path(path).read_bytes())
        except OSError:
            return None
        if earlier is None:
            return None
        found.append((Path(path).name, earlier[0]))
    return found


def cmd_import(args) -> int:
    engine = context.engine(args)
    period = tuple(args.period) if args.period else None
    if period and period[0] > period[1]:
        raise CliError("统计区间的开始日期晚于结束日期。")
    viewer = context.viewer(args)
    if args.user:  # a label for the log; who acted is the OS user
        viewer = replace(viewer, display_name=f"经办人自述：{args.user}")
    again = _all_imported_before(engine, args.paths, viewer)
    if again is not None:  # what services.importing says of a duplicate, without loading it
        for name, batch_id in again:
            audit.record(engine, viewer, "import", duplicate_audit_detail(name, batch_id))
            print(f"{STATUS['duplicate']}：{name} — {duplicate_message(batch_id)}")
        return 0
    from services import importing

    outcomes = importing.import_paths(engine, args.paths, viewer, args.kind, period)
    status = print_outcomes(outcomes)
    if any(o.status == "imported" for o in outcomes):
        from cli.warming import start_warm  # not on the light path of a file imported before

        start_warm(engine)
    return status
