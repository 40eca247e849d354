"""The figure commands of cli.py (scorecard, lagging, points): same figures as the dashboard,
as a table, CSV (UTF-8 with BOM, so Excel opens it) or exactly one JSON document."""

from __future__ import annotations

import io
import json
import math
import sys
from datetime import date

import pandas as pd

from metrics.periods import parse_quarter
from services import analytics
from storage.queries import find_branch


def _clean(value):
    """JSON-safe scalars: NA → null, numpy → Python, dates → ISO text."""
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (date, pd.Timestamp)):
        return value.isoformat()[:10]
    return value


def _branch_filter(engine, name, error):
    if not name:
        return None
    found = find_branch(engine, name)
    if found is None:
        raise error(f"没有名为「{name}」的支部。可用 python cli.py scorecard --quarter … 查看支部名称。")
    return found[1]


def _quarter(text, error):
    try:
        return parse_quarter(text)
    except ValueError as exc:
        raise error(str(exc)) from None


def _as_of(q, as_of, error):
    try:
        return analytics.as_of_for(q, as_of)
    except ValueError as exc:
        raise error(str(exc)) from None


def scorecard_document(card, quarter, as_of) -> dict:
    branches = []
    for row in card.branches.to_dict("records"):
        rows = card.indicators[(card.indicators["branch_id"] == row["branch_id"])
                               & card.indicators["applicable"] & card.indicators["scored"]]
        indicators = {
            ind["indicator"]: {
                "label": ind["label"], "actual": _clean(ind["actual"]),
                "target": _clean(ind["target"]), "completion": _clean(ind["completion"]),
                "status": _clean(ind["status"]), "weight": _clean(ind["weight"]),
                "behind_pace": bool(ind["behind_pace"]) if pd.notna(ind["behind_pace"]) else False,
                "remaining": _clean(ind["remaining_text"]) or "",
            }
            for ind in rows.to_dict("records")
        }
        branches.append({
            "branch": row["branch"], "unit": _clean(row["unit"]), "type": row["type"],
            "score": _clean(row["score"]), "rank": _clean(row["rank"]),
            "status": _clean(row["status"]), "members": _clean(row["n_members"]),
            "indicators": indicators,
        })
    return {"quarter": str(quarter), "as_of": as_of.isoformat(), "branches": branches}


def _emit(fmt: str, document: dict, table: pd.DataFrame) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        table.to_csv(buffer, index=False)
        sys.stdout.buffer.write(buffer.getvalue().encode("utf-8-sig"))
        sys.stdout.flush()
    else:
        if table.empty:
            print("（无数据）")
        else:
            print(table.to_string(index=False))


def run(args, engine, viewer, error) -> int:
    branch = _branch_filter(engine, args.branch, error)
    if args.command == "scorecard":
        q = _quarter(args.quarter, error)
        cut = _as_of(q, args.as_of, error)
        card = analytics.scorecard(engine, viewer, q, cut).card
        if branch:
            card.branches = card.branches[card.branches["branch"] == branch]
        document = scorecard_document(card, q, cut)
        table = card.branches[["rank", "branch", "unit", "type", "score", "status"]].rename(
            columns={"rank": "排名", "branch": "支部", "unit": "单位", "type": "类型",
                     "score": "得分", "status": "状态"})
        _emit(args.format, document, table)
    elif args.command == "lagging":
        q = _quarter(args.quarter, error)
        cut = _as_of(q, args.as_of, error)
        frame = analytics.lagging(engine, viewer, q, cut)
        if branch:
            frame = frame[frame["branch"] == branch]
        members = [
            {"branch": r["branch"], "name": r["name"], "group": _clean(r["group"]),
             "reasons": list(r["reasons"]), "reason_labels": list(r["reason_labels"]),
             "points": _clean(r["points"]), "absences": _clean(r["absences"]),
             "missing_months": _clean(list(r["missing_months"]))}
            for r in frame.to_dict("records")
        ]
        table = pd.DataFrame({
            "支部": frame["branch"], "姓名": frame["name"],
            "原因": frame["reason_labels"].map("、".join),
            "学习强国积分": frame["points"], "无故缺席次数": frame["absences"],
            "未自学月份": frame["missing_months"].map(lambda m: "、".join(map(str, m))),
        })
        _emit(args.format, {"quarter": str(q), "as_of": cut.isoformat(), "members": members},
              table)
    else:
        year = args.year
        as_of = args.as_of or min(date.today(), date(year, 12, 31))
        frame = analytics.points(engine, viewer, year, as_of)
        if branch:
            frame = frame[frame["branch"] == branch]
        members = [
            {"branch": r["branch"], "name": r["name"], "points": _clean(r["points"]),
             "level": r["level"], "model": bool(r["model"]),
             "attended": _clean(r["attended"]), "study_records": _clean(r["study_records"]),
             "xuexi_points": _clean(r["xuexi_points"]), "absences": _clean(r["absences"])}
            for r in frame.to_dict("records")
        ]
        table = pd.DataFrame({
            "支部": frame["branch"], "姓名": frame["name"], "积分": frame["points"],
            "等次": frame["level"], "标兵": frame["model"].map({True: "是", False: ""}),
        })
        _emit(args.format, {"year": year, "as_of": as_of.isoformat(), "members": members}, table)
    return 0
