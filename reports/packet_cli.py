"""``cli.py report``: the inspection packet (or the committee ranking) written to a file.

    python cli.py report --quarter 2026Q3 [--as-of D] [--branch NAME] --out FILE.xlsx|FILE.docx
    python cli.py report --quarter 2026Q3 [--as-of D] --ranking --out FILE.xlsx
"""

from __future__ import annotations

from pathlib import Path

from metrics.periods import parse_quarter
from reports import excel, word
from reports.packet import load_packet, load_ranking
from services import analytics
from storage.accounts import audit
from storage.queries import branch_list, find_branch

FORMATS = {".xlsx": "Excel", ".docx": "Word"}


def run(args, engine, viewer, error) -> int:
    """Write the file named by ``args.out``; raise ``error(message)`` for anything the user must fix."""
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise error(f"输出文件须以 .xlsx 或 .docx 结尾，收到「{out.name}」。")
    if args.ranking and suffix != ".xlsx":
        raise error("支部排名表只能导出为 Excel（.xlsx）。")
    if args.ranking and args.branch:
        raise error("--ranking 导出全委排名，不能同时指定 --branch。")
    if not out.parent.exists():
        raise error(f"输出目录「{out.parent}」不存在。")

    try:
        q = parse_quarter(args.quarter)
    except ValueError as exc:
        raise error(str(exc)) from None
    known = analytics.quarters_with_data(engine)
    if branch_list(engine, viewer).empty:
        raise error("数据库中还没有任何支部，请先导入党员名册和台账（python cli.py import …）。")
    if q not in known:
        listed = "、".join(str(k) for k in sorted(known))
        raise error(f"{q.label}（{q}）没有数据。有数据的季度：{listed}。")
    try:
        cut = analytics.as_of_for(q, args.as_of)
    except ValueError as exc:
        raise error(str(exc)) from None

    branch_ids, scope = None, "全部支部"
    if args.branch:
        found = find_branch(engine, args.branch)
        if found is None:
            raise error(f"没有名为「{args.branch}」的支部。可用 python cli.py scorecard --quarter {q} 查看支部名称。")
        if viewer.branch_scope is not None and found[0] not in viewer.branch_scope:
            raise error(f"当前账号无权导出「{found[1]}」的材料。")
        branch_ids, scope = [found[0]], found[1]

    if args.ranking:
        try:
            content = excel.ranking_workbook(load_ranking(engine, viewer, q, cut))
        except PermissionError as exc:
            raise error(str(exc)) from None
        what = "支部排名表"
    else:
        packet = load_packet(engine, viewer, q, cut, branch_ids)
        content = excel.packet_workbook(packet) if suffix == ".xlsx" else word.packet_document(packet)
        what = f"督查材料（{len(packet.branches)}个支部）"
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise error(f"无法写入「{out}」：{exc.strerror}") from None
    audit(engine, viewer.username, "export",
          f"命令行导出{what}：{q} 截至{cut.isoformat()} {scope} {FORMATS[suffix]} → {out.name}")
    print(f"已导出{q.label}{what}（统计截至{cut.isoformat()}，{FORMATS[suffix]}）：{out}")
    return 0
