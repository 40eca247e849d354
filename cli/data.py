"""``batches``, ``undo`` and ``demo``: what was imported, undoing it, and the sample data
(``import`` itself is cli/imports.py, light to start)."""

from __future__ import annotations

import pandas as pd

from cli import context
from cli.errors import CliError
from cli.imports import print_outcomes
from cli.warming import start_warm
from services import importing
from services.accounts import ensure_demo_accounts
from storage.queries import list_batches

def cmd_demo(args) -> int:
    engine = context.engine(args)
    files = importing.sample_files()
    if not files:
        raise CliError("sample_data/ 中没有示例文件。请先运行 python sample_data/make_sample.py")
    outcomes = importing.import_paths(engine, files, context.viewer(args))
    status = print_outcomes(outcomes)
    ensure_demo_accounts(engine)
    if any(o.status == "imported" for o in outcomes):
        start_warm(engine)
    return status


def _when(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def _day(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def cmd_batches(args) -> int:
    frame = list_batches(context.engine(args), context.viewer(args))
    if frame.empty:
        print("还没有导入任何数据。")
        return 0
    for row in frame.itertuples():
        state = f"已撤销（{_when(row.undone_at)}）" if _when(row.undone_at) else "有效"
        period = (f" {_day(row.period_start)}至{_day(row.period_end)}"
                  if _day(row.period_start) and _day(row.period_end) else "")
        print(f"{row.id:>5}  {_when(row.created_at)}  {row.kind:<15} {row.rows:>6}行  {state}  "
              f"{row.file_name}{period}  警告{row.warnings}条")
    return 0


def cmd_undo(args) -> int:
    engine = context.engine(args)
    try:
        print(importing.undo(engine, args.batch_id, context.viewer(args)))
    except (LookupError, PermissionError) as exc:
        raise CliError(str(exc)) from None
    start_warm(engine)
    return 0
