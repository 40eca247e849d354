"""Tables of the 数据质量 page, from metrics.quality.DataQuality (pure pandas)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from services.analytics import DataQuality


@dataclass
class Section:
    """One kind of data gap: a title, what it means and what to do, and its rows."""

    key: str
    title: str
    advice: str
    empty_text: str
    table: pd.DataFrame


def _day(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.strftime("%Y-%m-%d").astype("str")


def _in_scope(frame: pd.DataFrame, branch_ids: set[int] | None) -> pd.DataFrame:
    if branch_ids is None or "branch_id" not in frame.columns:
        return frame
    return frame[frame["branch_id"].isin(branch_ids)]


def _files(ids: pd.Series, file_names: dict[int, str]) -> pd.Series:
    texts = [f"第{int(i)}批 {file_names.get(int(i), '')}".strip() for i in ids]
    return pd.Series(texts, index=ids.index, dtype="str")


def sections(dq: DataQuality, file_names: dict[int, str],
             branch_ids: set[int] | None = None) -> list[Section]:
    """The gaps of one quarter, limited to ``branch_ids`` (None = every branch in scope).
    ``file_names`` maps import batch ids (学习强国 export ids) to file names."""
    unmatched = _in_scope(dq.unmatched, branch_ids)
    ambiguous = _in_scope(dq.ambiguous, branch_ids)
    by_name = _in_scope(dq.by_name, branch_ids)
    unknown = _in_scope(dq.unknown_types, branch_ids)
    no_roster = _in_scope(dq.branches_without_roster, branch_ids)
    clashes = _in_scope(dq.counts_clashes, branch_ids)
    overlaps = pd.concat([
        pd.DataFrame({
            "导出": _files(dq.xuexi_overlaps["export_a"], file_names),
            "期间": _day(dq.xuexi_overlaps["start_a"]) + "至" + _day(dq.xuexi_overlaps["end_a"]),
            "问题": "与" + _files(dq.xuexi_overlaps["export_b"], file_names) + "（"
                    + _day(dq.xuexi_overlaps["start_b"]) + "至" + _day(dq.xuexi_overlaps["end_b"])
                    + "）期间部分重叠，请核对是否重复",
        }),
        pd.DataFrame({
            "导出": _files(dq.xuexi_straddling["export_id"], file_names),
            "期间": _day(dq.xuexi_straddling["period_start"]) + "至"
                    + _day(dq.xuexi_straddling["period_end"]),
            "问题": "期间跨越季度边界，未计入季度积分",
        }),
    ], ignore_index=True)
    return [
        Section("unmatched", "名册中找不到的姓名",
                "这些记录中的姓名在该支部的党员名册中找不到（“未识别支部”：学习强国部门未写明支部、姓名又不唯一），"
                "相关记录未计入任何人。请核对姓名写法，或补充导入最新名册。",
                "所有姓名都能在名册中找到。",
                pd.DataFrame({"来源": unmatched["source"], "支部": unmatched["branch"],
                              "姓名": unmatched["name"],
                              "记录数": unmatched["n_rows"].astype(int), "记录": unmatched["rows"]})),
        Section("ambiguous", "同名待核实",
                "同一支部有两名以上同名党员，这些记录无法确定是谁：不给任何一人加分或扣分，也不据此预警；"
                "支部的合计（次数、积分总数和人均）仍计入。请在表格中加上党员编号或学习强国ID后重新导入。",
                "没有需要核实的同名党员。",
                pd.DataFrame({"来源": ambiguous["source"], "支部": ambiguous["branch"],
                              "姓名": ambiguous["name"],
                              "同名人数": ambiguous["candidates"].map(len).astype(int),
                              "记录数": ambiguous["n_rows"].astype(int), "记录": ambiguous["rows"]})),
        Section("by_name", "按姓名归入",
                "学习强国导出中这些人的「部门」没有写明所在支部（如“其他”），因姓名在全委唯一，已按姓名归入其支部。"
                "请核对是否确为本人；如不是，请在学习强国后台调整其组织架构。",
                "没有按姓名归入的记录。",
                pd.DataFrame({"来源": by_name["source"], "归入支部": by_name["branch"], "姓名": by_name["name"],
                              "记录数": by_name["n_rows"].astype(int), "记录": by_name["rows"]})),
        Section("unknown_types", "无法识别的活动类型",
                "这些活动的类型不是标准名称，已按“其他”统计，不计入三会一课等指标。如属三会一课，请在台账中改为标准名称后重新导入。",
                "所有活动类型都能识别。",
                pd.DataFrame({"支部": unknown["branch"], "日期": _day(unknown["date"]),
                              "台账中的类型": unknown["type_raw"]})),
        Section("missing_xuexi", "缺少学习强国导出",
                "这些已结束的月份或季度没有学习强国积分导出：季度积分只统计到最后一次导出的期末，"
                "进度按该日期计算。请导入缺少的导出文件。",
                "各月、各季度都有学习强国导出。",
                pd.DataFrame({"期间": [f"{int(m[:4])}年{int(m[-2:])}月" for m in dq.missing_xuexi_months]
                              + list(dq.missing_xuexi_quarters)})),
        Section("no_roster", "没有名册的支部",
                "这些支部有活动或学习记录，但名册中没有在册党员，学习强国、自学等指标无法计算。请导入该支部的名册。",
                "每个有记录的支部都有名册。",
                pd.DataFrame({"支部": no_roster["branch"],
                              "活动记录": no_roster["n_activities"].astype(int),
                              "学习记录": no_roster["n_study"].astype(int)})),
        Section("overlaps", "学习强国导出期间重叠",
                "部分重叠的导出会被重复计分；跨季度的导出不计入。请确认导出的统计区间，必要时撤销重复的批次。",
                "学习强国导出的期间没有问题。", overlaps),
        Section("clashes", "台账与统计表重复",
                "同一支部同一月份既有台账又有统计表，该月以台账为准，统计表中这一期间的次数未计入（季度统计表无法拆分到月，整行不计）。",
                "台账与统计表没有重复。",
                pd.DataFrame({"支部": clashes["branch"], "活动类型": clashes["type"],
                              "期间": _day(clashes["period_start"]) + "至"
                                      + _day(clashes["period_end"]),
                              "统计表次数": clashes["count"], "台账次数": clashes["ledger_count"]})),
    ]


def warnings_table(warnings: pd.DataFrame) -> pd.DataFrame:
    """Warnings stored with live import batches, as the page lists them."""
    return pd.DataFrame({
        "批次": warnings["batch_id"].astype(int), "文件": warnings["file_name"],
        "工作表": warnings["sheet"].fillna(""), "行": warnings["row"].astype("Int64"),
        "列": warnings["column"].fillna(""), "值": warnings["value"].fillna(""),
        "说明": warnings["message"],
    })
