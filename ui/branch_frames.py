"""Tables of the 支部详情 page: pace notes, the quarter's activities, members (pure pandas)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from domain.vocabulary import OTHER_ACTIVITY_TYPE
from domain.formatting import value_text
from domain.vocabulary import STATUS_LABELS
from ui.frames import distinct_names
from ui.theme import STATUS_COLORS

def pace_notes(indicators: pd.DataFrame, branch_id: int) -> pd.DataFrame:
    """Indicators of one branch that are behind pace in the current quarter, one sentence each:
    columns label, actual, expected, projected, target, remaining, sentence."""
    rows = indicators[(indicators["branch_id"] == branch_id) & indicators["applicable"]
                      & indicators["behind_pace"].fillna(False).astype(bool)]
    out = []
    for r in rows.itertuples(index=False):
        actual, expected = value_text(r.actual, r.measure), value_text(r.expected_by_now, r.measure)
        projected, target = value_text(r.projected, r.measure), value_text(r.target, r.measure)
        remaining = r.remaining_text if isinstance(r.remaining_text, str) else ""
        period = "年末" if r.period == "year" else "季末"
        sentence = (f"目前{actual}，按时间进度应达{expected}；照此进度{period}约为{projected}"
                    f"（目标{target}）。")
        out.append({"label": r.label, "actual": actual, "expected": expected,
                    "projected": projected, "target": target, "remaining": remaining,
                    "sentence": sentence})
    return pd.DataFrame(out, columns=["label", "actual", "expected", "projected", "target",
                                      "remaining", "sentence"])


def shortfalls(indicators: pd.DataFrame, branch_id: int) -> list[str]:
    """What the branch still owes (or, in a closed quarter, fell short of), in words."""
    rows = indicators[(indicators["branch_id"] == branch_id) & indicators["applicable"]]
    texts = rows["remaining_text"].fillna("")
    return [f"{label}：{text}" for label, text in zip(rows["label"], texts) if text]


def indicator_details(rows: pd.DataFrame):
    """The indicator table under the bullet chart (rows from ui.frames.branch_indicator_rows):
    indicator, status in words and colour, what remains — a pandas Styler for st.dataframe."""
    table = pd.DataFrame({
        "指标": rows["label"], "实际完成": rows["actual_text"], "目标": rows["target_text"],
        "状态": rows["status"].map(lambda s: STATUS_LABELS.get(s, "—")),
        "还需": rows["remaining_text"],
    })
    colours = {STATUS_LABELS[k]: v for k, v in STATUS_COLORS.items()}
    return table.style.map(lambda v: f"color: {colours[v]}; font-weight: 600"
                           if v in colours else "",
                           subset=["状态"])


def quarter_activities(activities: pd.DataFrame, branch_id: int, start: date,
                       as_of: date) -> pd.DataFrame:
    """The branch's ledger activities dated in [start, as_of], oldest first: date, type (unknown
    types as 其他（原文）), topic, speaker, present, expected, attendance text."""
    acts = activities[(activities["branch_id"] == branch_id)
                      & (activities["date"] >= pd.Timestamp(start))
                      & (activities["date"] <= pd.Timestamp(as_of))].sort_values("date")
    other = acts["type"].eq(OTHER_ACTIVITY_TYPE)
    shown_type = acts["type"].where(~other, OTHER_ACTIVITY_TYPE + "（" + acts["type_raw"].fillna("")
                                    + "）")
    both = acts["present"].notna() & acts["expected"].notna()
    attendance = pd.Series("", index=acts.index, dtype="str").mask(
        both, "实到" + acts["present"].map(_count).astype("str") + "／应到"
        + acts["expected"].map(_count).astype("str"))  # astype: an empty float column maps to floats
    return pd.DataFrame({
        "date": acts["date"], "type": shown_type, "base_type": acts["type"],
        "topic": acts["topic"].fillna(""), "speaker": acts["speaker"].fillna(""),
        "present": acts["present"], "expected": acts["expected"], "attendance": attendance,
    }).reset_index(drop=True)


def _count(value) -> str:
    return "" if pd.isna(value) else f"{value:g}"


def activities_table(acts: pd.DataFrame) -> pd.DataFrame:
    """The activity ledger as the page shows it, with Chinese column names."""
    return pd.DataFrame({
        "日期": acts["date"].dt.strftime("%Y-%m-%d"), "类型": acts["type"], "主题": acts["topic"],
        "主讲人": acts["speaker"], "参会": acts["attendance"],
    })


def member_table(points: pd.DataFrame, quarter_points: pd.DataFrame, lagging: pd.DataFrame,
                 branch_id: int) -> pd.DataFrame:
    """One row per active member of the branch: name, group, role, the quarter's 学习强国 points,
    the year's member points (§6) and level, 标兵, lagging reasons. Flagged members first."""
    members = points[points["branch_id"] == branch_id]
    quarter = quarter_points.set_index("member_id")["points"]
    flagged = lagging.set_index("member_id")
    reasons = members["member_id"].map(flagged["reason_labels"]).map(
        lambda v: "、".join(v) if isinstance(v, list) else "")
    n_reasons = members["member_id"].map(flagged["n_reasons"]).fillna(0).astype(int)
    table = pd.DataFrame({
        "姓名": distinct_names(members), "党小组": members["group"].fillna(""),
        "党内职务": members["role"].fillna(""),
        "本季学习强国积分": members["member_id"].map(quarter).fillna(0.0).astype("float64"),
        "年度积分": members["points"], "积分等级": members["level"],
        "标兵": members["model"].astype(bool), "预警": reasons, "_n": n_reasons,
    })
    table = table.sort_values(["_n", "年度积分", "姓名"], ascending=[False, False, True],
                              kind="stable")
    return table.drop(columns="_n").reset_index(drop=True)


def birthdays_table(birthdays: pd.DataFrame, branch_id: int) -> pd.DataFrame:
    """政治生日 of one branch: name, group, 入党日期, the anniversary date, 党龄."""
    rows = birthdays[birthdays["branch_id"] == branch_id]
    return pd.DataFrame({
        "姓名": distinct_names(rows), "党小组": rows["group"].fillna(""),
        "入党日期": rows["join_date"].dt.strftime("%Y-%m-%d"),
        "政治生日": rows["anniversary"].dt.strftime("%m月%d日"),
        "党龄": rows["party_years"].astype(int).astype(str) + "年",
    }).reset_index(drop=True)


def next_month(day: date) -> date:
    """The first day of the month after ``day``."""
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
