"""A large 学习强国 export goes through the vectorised path with the same results as a small one.

Speed is measured by bench/run.py (import throughput against the naive path and the floor), not here.
"""

from __future__ import annotations

from data_loaders import load_file
from tests.loader_fixtures import write_big_xuexi


def expected_points(n: int) -> float:
    return float(sum(i % 1000 for i in range(n) if i % 50))


def test_twenty_thousand_row_export(tmp_path):
    n = 20_000
    known = {f"单位{u}第{b}党支部": f"单位{u}第{b}党支部" for u in range(100) for b in (1, 2)}
    result = load_file(write_big_xuexi(tmp_path / "big.xlsx", n), known_branches=known)
    assert result.kind == "xuexi" and result.ok, result.problems[:3]
    frame = result.frame
    assert len(frame) == n
    assert frame["row"].iloc[0] == 3 and frame["row"].iloc[-1] == n + 2
    assert frame["name"].iloc[10] == "党员10"  # padded with U+3000 in the file
    assert frame["points"].iloc[7] == 7.0  # written as "7分"
    assert frame["points"].sum() == expected_points(n)
    assert int((~frame["activated"]).sum()) == n // 50
    assert frame["branch"].isna().sum() == sum(1 for i in range(n) if i % 3 == 2)  # 第3党支部 unknown
    assert {w.code for w in result.warnings} == {"unknown_branch"}
    assert len(result.warnings) == 100  # one per distinct unknown 部门, not one per row
