"""Shaping metric results into the tables and matrices the pages show (pure pandas). Every figure
is written by the one formatter (domain.formatting), as in the packets, Excel, CSV and the CLI."""

from __future__ import annotations

import pandas as pd

from domain.formatting import score_text, value_text, value_texts
from domain.vocabulary import STATUS_LABELS
from ui.theme import STATUS_COLORS, status_text

_COLUMNS = {"rank": "排名", "branch": "支部", "unit": "单位", "type": "类型", "score": "得分",
            "pace_score": "按进度", "status": "状态", "problems": "主要问题"}


def distinct_names(frame: pd.DataFrame) -> pd.Series:
    """Names, with same-named members of one branch told apart (王磊（同名1）) — never merged."""
    dup = frame.duplicated(["branch_id", "name"], keep=False)
    nth = frame.groupby(["branch_id", "name"]).cumcount() + 1
    return frame["name"].where(~dup, frame["name"] + "（同名" + nth.astype(str) + "）")


def _scored(indicators: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``columns`` of the indicator rows that count in the score. The columns are chosen before
    the rows: taking rows of the committee's 24 columns (most of them Arrow text) cost 20–70 ms
    at 5,000 branches, and 总览 did it three times after every import."""
    keep = (indicators["applicable"] & indicators["scored"]).to_numpy(dtype=bool)
    return indicators[columns][keep]


def main_problems(indicators: pd.DataFrame, limit: int = 3) -> pd.Series:
    """Per branch: its weakest scored indicators in words, worst first — ``党课0/1、支委会2/3`` —
    those not green (against pace while the quarter runs); "" when all are green."""
    rows = _scored(indicators, ["branch_id", "label", "measure", "actual", "target", "status",
                                "pace_completion", "completion"])
    rows = rows[rows["status"].isin(["red", "yellow"])].sort_values(
        ["branch_id", "pace_completion", "completion"], kind="stable")
    # the unit said once by the label: counts drop their 次 (党课0/1)
    figures = [f"{a.removesuffix('次')}/{t.removesuffix('次')}" for a, t in
               zip(value_texts(rows["actual"], rows["measure"]), value_texts(rows["target"], rows["measure"]))]
    labels = rows["label"].str.replace("支部委员会", "支委会").str.replace("支部党员大会", "党员大会")
    # one pass over the sorted rows (a groupby calling Python per branch took 0.2 s at 5,000)
    words: dict[int, list[str]] = {}
    for branch, label, figure in zip(rows["branch_id"].tolist(), labels.tolist(), figures):
        said = words.setdefault(branch, [])
        if len(said) < limit:
            said.append(label + figure)
    return pd.Series({branch: "、".join(said) for branch, said in words.items()}, dtype="str")


def ranking_table(branches: pd.DataFrame, indicators: pd.DataFrame, ongoing: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ranking as the page and the Excel download show it: one row per branch in rank order
    (rank, name, unit, type, score, 按进度 while the quarter runs, status, 主要问题), then one
    column per scored indicator holding its **value** (``2次``, ``89.6%``) — never the completion
    under the value's name. Also returns a frame of the same shape with each indicator cell's
    status (green/yellow/red), for colouring."""
    rows = _scored(indicators, ["branch_id", "label", "measure", "actual", "status"])
    order = list(dict.fromkeys(rows["label"]))
    text = rows.assign(_text=value_texts(rows["actual"], rows["measure"]))
    values = text.pivot_table(index="branch_id", columns="label", values="_text", aggfunc="first", sort=False)
    colours = text.pivot_table(index="branch_id", columns="label", values="status", aggfunc="first", sort=False)
    base = branches[["branch_id", "rank", "branch", "unit", "type", "score", "pace_score", "status"]].assign(
        status=branches["status"].map(status_text),
        problems=branches["branch_id"].map(main_problems(indicators)).fillna(""),
        score=branches["score"].map(score_text), pace_score=branches["pace_score"].map(score_text),
        rank=branches["rank"].map(lambda r: "—" if pd.isna(r) else str(int(r))))
    if not ongoing:
        base = base.drop(columns="pace_score")
    table = base.merge(values.reindex(columns=order).reset_index(), on="branch_id", how="left")
    status = base[["branch_id"]].merge(colours.reindex(columns=order).reset_index(), on="branch_id", how="left")
    table = table.rename(columns=_COLUMNS).fillna({label: "—" for label in order})
    return table, status


def style_ranking(table: pd.DataFrame, status: pd.DataFrame):
    """A Styler painting each indicator value by its status and the 状态 text by its colour
    (text colour, so a printout keeps it)."""
    labels = [c for c in status.columns if c != "branch_id"]
    by_row = status.set_index(table.index)

    def paint(column: pd.Series) -> list[str]:
        if column.name == "状态":
            colours = {label: STATUS_COLORS[key] for key, label in STATUS_LABELS.items()}
            return [f"color: {colours[v]}; font-weight: 600" if v in colours else "" for v in column]
        if column.name in labels:
            return [f"color: {STATUS_COLORS[s]}; font-weight: 600" if isinstance(s, str) and s in STATUS_COLORS
                    else "" for s in by_row[column.name]]
        return ["" for _ in column]

    return table.style.apply(paint, axis=0)


def unit_rows(branches: pd.DataFrame, indicators: pd.DataFrame, unit: str | None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The branches of ``unit`` (all with None) and their indicator rows."""
    if not unit:
        return branches, indicators
    branches = branches[branches["unit"] == unit]
    return branches, indicators[indicators["branch_id"].isin(branches["branch_id"])]


def completion_matrix(branches: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Branch (rows, rank order) × indicator label (columns) completion against pace while the
    quarter runs, against the target once it ended; NaN = not assessed for that branch."""
    scored = _scored(indicators, ["branch", "label", "pace_completion"])
    matrix = scored.pivot_table(index="branch", columns="label", values="pace_completion",
                                aggfunc="first", sort=False)
    order = [b for b in branches["branch"] if b in matrix.index]
    return matrix.reindex(order)


def branch_indicator_rows(indicators: pd.DataFrame, branch_id: int) -> pd.DataFrame:
    """The indicators of one branch, ready for the bullet chart and the detail table."""
    rows = indicators[(indicators["branch_id"] == branch_id) & indicators["applicable"]]
    actual = [value_text(a, m) for a, m in zip(rows["actual"], rows["measure"])]
    target = [value_text(t, m) for t, m in zip(rows["target"], rows["measure"])]
    pace = (rows["expected_by_now"] / rows["target"]).where(rows["target"] > 0)
    return pd.DataFrame({
        "indicator": rows["indicator"], "label": rows["label"],
        "actual_text": actual, "target_text": target,
        "value_text": [f"{a} / 目标{t}" for a, t in zip(actual, target)],
        "completion": rows["completion"], "status": rows["status"],
        "status_text": rows["status"].map(status_text), "scored": rows["scored"],
        "pace_completion": pace.clip(upper=1), "behind_pace": rows["behind_pace"].fillna(False),
        "projected": rows["projected"], "kind": rows["kind"], "measure": rows["measure"],
        "remaining_text": rows["remaining_text"].fillna(""),
    }).reset_index(drop=True)


CHART_LIMIT = 40


def chart_subset(branches: pd.DataFrame, limit: int = CHART_LIMIT) -> pd.DataFrame:
    """Branches to draw: all of them when few, else the best and worst ``limit // 2`` by rank
    (a chart of thousands of bars says nothing; the table below still lists every branch)."""
    ranked = branches.sort_values("rank", na_position="last", kind="stable")
    if len(ranked) <= limit:
        return ranked
    half = limit // 2
    return pd.concat([ranked.head(half), ranked.dropna(subset=["rank"]).tail(half)]).drop_duplicates("branch_id")
