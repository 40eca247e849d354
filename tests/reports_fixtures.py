"""A small database built by hand for the report tests, with every expected figure worked out.

Two in-service branches of 市财政局. Canonical loader frames go straight into storage (no
spreadsheet parsing), so these tests depend on storage and metrics only.

第一支部 (FIN1): 张伟 (书记), 李娜, 王芳, 赵强 — no 党小组, so 党小组会 is not assessed.

2026Q2 (as of 06-30): 支委会 2, 主题党日 3, nothing else; no 学习强国 export, no study records.
    问题: 支部党员大会差1次 · 支部委员会差1次 · 党课差1次 · 集中学习差3次 ·
          学习强国参与率0%，低于目标95% · 学习强国人均积分0分，低于目标2,700分 ·
          自学完成率0%，低于目标100%                     (参会率: nothing recorded → not assessed)

2026Q3 (as of 09-30):
    支部党员大会 1 · 支委会 3 · 党课 1 · 主题党日 2 (target 3) · 集中学习 3 · one 读书分享会 (其他)
    参会率: 5 activities record 应到 4 → Σ实到 16 / Σ应到 20 = 80 %
    学习强国 07-01…09-30: 张伟 3,000 · 李娜 2,800 · 王芳 2,900 · 赵强 0 → 3/4 = 75 %, mean 2,175
    自学: 张伟, 李娜, 赵强 every month; 王芳 July and August only → 3/4 = 75 %
    赵强 absent at the 党员大会 and the 党课 (2 → 无故缺席); 李娜 on leave once (not absent)
    a study record for 刘洋, who is not on the roster (a data gap)
    问题: 主题党日差1次 · 参会率80%，低于目标90% · 学习强国参与率75%，低于目标95% ·
          学习强国人均积分2,175分，低于目标2,700分 · 自学完成率75%，低于目标100%
    Q2's problems in Q3: 党员大会, 支委会, 党课, 集中学习 met (fixed); the other three not.

第二支部 (FIN2): 陈明, 刘芳; every Q3 target met (参会率 not recorded) → no Q3 problems.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from domain.access import SYSTEM
from data_loaders.schema import CANONICAL_COLUMNS, COLUMN_TYPES, LoadResult
from storage.imports import import_result

FIN1 = "市财政局第一党支部"
FIN2 = "市财政局第二党支部"
UNIT = "市财政局机关党委"
FORMULA_TOPIC = '=HYPERLINK("http://x","y")'

Q3_PROBLEMS = [
    "主题党日差1次",
    "参会率80%，低于目标90%",
    "学习强国参与率75%，低于目标95%",
    "学习强国人均积分2,175分，低于目标2,700分",
    "自学完成率75%，低于目标100%",
]
Q2_PROBLEMS = [
    "支部党员大会差1次",
    "支部委员会差1次",
    "党课差1次",
    "集中学习差3次",
    "学习强国参与率0%，低于目标95%",
    "学习强国人均积分0分，低于目标2,700分",
    "自学完成率0%，低于目标100%",
]
Q2_FIXED_IN_Q3 = {"支部党员大会差1次", "支部委员会差1次", "党课差1次", "集中学习差3次"}


def _frame(kind: str, rows: list[dict]) -> pd.DataFrame:
    data = {}
    for col in CANONICAL_COLUMNS[kind]:
        typ = COLUMN_TYPES[col]
        values = [r.get(col) for r in rows]
        if typ == "list":
            data[col] = pd.Series([list(v or []) for v in values], dtype=object)
        elif typ == "date":
            data[col] = pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]")
        elif typ == "float":
            data[col] = pd.Series(values, dtype="float64")
        elif typ == "Int64":
            data[col] = pd.Series(values, dtype="Int64")
        elif typ == "bool":
            data[col] = pd.Series([True if v is None else bool(v) for v in values], dtype=bool)
        else:
            data[col] = pd.Series(values, dtype="str")
    return pd.DataFrame(data)


def _store(engine, kind: str, rows: list[dict], name: str, period=None) -> None:
    rows = [{"sheet": "S", "row": i + 2, **r} for i, r in enumerate(rows)]
    outcome = import_result(engine, LoadResult(name, kind, _frame(kind, rows), period, []),
                            name.encode() + repr(rows).encode(), SYSTEM)
    assert outcome.status == "imported", outcome.message


def _act(branch, day, type_, topic=None, expected=None, present=None, absent=(), on_leave=(),
         type_raw=None):
    return {"branch": branch, "date": day, "type": type_, "type_raw": type_raw or type_,
            "topic": topic, "expected": expected, "present": present, "absent": list(absent),
            "on_leave": list(on_leave)}


def build_inspection_db(engine) -> None:
    """Load the two branches, 2026Q2 and 2026Q3, into ``engine`` (an empty, migrated database)."""
    D = date
    roster = [{"name": n, "branch": FIN1, "unit": UNIT, "branch_type": "在职", "role": r,
               "status": "active"} for n, r in (("张伟", "书记"), ("李娜", "党员"), ("王芳", "党员"),
                                               ("赵强", "党员"))]
    roster += [{"name": n, "branch": FIN2, "unit": UNIT, "branch_type": "在职", "status": "active"}
               for n in ("陈明", "刘芳")]
    _store(engine, "roster", roster, "名册.xlsx")

    activities = [
        # 2026Q2
        _act(FIN1, D(2026, 4, 10), "支部委员会"), _act(FIN1, D(2026, 5, 10), "支部委员会"),
        _act(FIN1, D(2026, 4, 15), "主题党日"), _act(FIN1, D(2026, 5, 15), "主题党日"),
        _act(FIN1, D(2026, 6, 15), "主题党日"),
        # 2026Q3
        _act(FIN1, D(2026, 7, 5), "支部党员大会", "学习传达全会精神", 4, 3, absent=["赵强"]),
        _act(FIN1, D(2026, 7, 10), "支部委员会", "研究季度工作"),
        _act(FIN1, D(2026, 8, 10), "支部委员会", "研究发展党员工作"),
        _act(FIN1, D(2026, 9, 10), "支部委员会", "研究整改措施"),
        _act(FIN1, D(2026, 7, 20), "党课", "书记讲党课", 4, 3, absent=["赵强"]),
        _act(FIN1, D(2026, 7, 15), "主题党日", FORMULA_TOPIC, 4, 4),
        _act(FIN1, D(2026, 8, 15), "主题党日", "参观红色教育基地", 4, 3, on_leave=["李娜"]),
        _act(FIN1, D(2026, 7, 25), "集中学习", "理论学习（一）", 4, 3),
        _act(FIN1, D(2026, 8, 25), "集中学习", "理论学习（二）"),
        _act(FIN1, D(2026, 9, 25), "集中学习", "理论学习（三）"),
        _act(FIN1, D(2026, 8, 20), "其他", "读书分享", type_raw="读书分享会"),
        _act(FIN2, D(2026, 7, 6), "支部党员大会", "二支部党员大会"),
        *[_act(FIN2, D(2026, m, 11), "支部委员会", f"二支部支委会{m}月") for m in (7, 8, 9)],
        _act(FIN2, D(2026, 7, 21), "党课", "二支部党课"),
        *[_act(FIN2, D(2026, m, 16), "主题党日", f"二支部主题党日{m}月") for m in (7, 8, 9)],
        *[_act(FIN2, D(2026, m, 26), "集中学习", f"二支部集中学习{m}月") for m in (7, 8, 9)],
    ]
    _store(engine, "activity", activities, "台账.xlsx")

    study = []
    for name, months in (("张伟", (7, 8, 9)), ("李娜", (7, 8, 9)), ("王芳", (7, 8)),
                         ("赵强", (7, 8, 9))):
        study += [{"name": name, "branch": FIN1, "date": D(2026, m, 3), "form": "自学"} for m in months]
    study += [{"name": n, "branch": FIN2, "date": D(2026, m, 4), "form": "自学"}
              for n in ("陈明", "刘芳") for m in (7, 8, 9)]
    study.append({"name": "刘洋", "branch": FIN1, "date": D(2026, 7, 3), "form": "自学"})
    _store(engine, "study", study, "学习记录.xlsx")

    xuexi = [{"name": n, "branch": FIN1, "points": p, "activated": p > 0}
             for n, p in (("张伟", 3000), ("李娜", 2800), ("王芳", 2900), ("赵强", 0))]
    xuexi += [{"name": n, "branch": FIN2, "points": 2700} for n in ("陈明", "刘芳")]
    _store(engine, "xuexi", xuexi, "学习强国_2026Q3.xlsx", period=(D(2026, 7, 1), D(2026, 9, 30)))
