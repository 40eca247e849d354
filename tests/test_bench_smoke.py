"""A quick S-scale run of bench/run.py: every section of the JSON is there, with positive numbers.

The full M and L runs (minutes, gigabytes of generated files) are not part of the test suite; see
bench/README.md. PostgreSQL is measured too when ``TEST_DATABASE_URL`` is set (in schemas of its
own, dropped afterwards)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent


def _positive(entry: dict, *keys: str) -> None:
    assert "error" not in entry, entry.get("error", "") + "\n" + entry.get("stderr", "")
    for key in keys:
        value = entry.get(key)
        assert isinstance(value, (int, float)) and value > 0, (key, entry)


def goals_of(report: dict) -> set[str]:
    return {g["goal"] for g in report["goals"]}


def _bench_module():
    """bench/run.py as a module (bench/ is a folder of scripts, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


@pytest.mark.slow
def test_bench_smoke_s_scale(tmp_path):
    out = tmp_path / "S.json"
    cmd = [sys.executable, str(ROOT / "bench" / "run.py"), "--scale", "S", "--out", str(out),
           "--work", str(tmp_path / "work"), "--cleanup", "--quiet", "--repeat", "2"]
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        cmd += ["--db", pg, "--tag", "_t" + uuid.uuid4().hex[:8]]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)  # 4–5 min on 2 cores beside the other worker; the check is the output, not the speed
    assert done.returncode == 0, done.stderr[-3000:]
    assert "goals:" in done.stdout  # the printed table
    report = json.loads(out.read_text(encoding="utf-8"))

    assert report["meta"]["cores"] >= 1 and report["meta"]["scales"] == ["S"]
    s = report["scales"]["S"]
    backends = ["sqlite"] + (["postgresql"] if pg else [])
    assert s["data"]["members"] > 500 and s["data"]["branches"] > 20
    for backend in backends:
        _positive(s["load"][backend], "rows", "seconds", "peak_rss_mb")

    for kind in ("xuexi", "activity"):
        entry = s["import"][kind]
        for backend in backends:
            _positive(entry["import"][backend], "rows", "rows_per_s", "seconds", "peak_rss_mb")
        _positive(entry["floor"], "rows_per_s", "read_s", "insert_s", "peak_rss_mb")
        _positive(entry["naive"], "rows_per_s", "read_s", "to_sql_s", "peak_rss_mb")
        _positive(entry, "rows", "import_over_floor", "naive_over_import")
        assert entry["floor"]["rows"] == entry["rows"] == entry["import"]["sqlite"]["rows"]
        for measure in (entry["import"]["sqlite"], entry["floor"], entry["naive"]):
            assert len(measure["runs_s"]) == 2 and measure["seconds"] == min(measure["runs_s"])

    for backend in backends:
        for what in ("scorecard", "lagging"):
            step = s["compute"][backend][what]
            _positive(step, "cold_s", "query_s", "metrics_s", "result_rows", "peak_rss_mb")
            # the warm call is a cache hit: at S it can round to 0.000 s, never above the cold one
            assert 0 <= step["warm_s"] <= step["cold_s"], step
            assert len(step["runs_s"]) == 2 and step["cold_s"] == min(step["runs_s"])  # --repeat 2
    if pg:  # two backends of one scale give no exponent; the keys must still line up
        assert set(s["compute"]) == {"sqlite", "postgresql"}

    for page in ("overview", "branch_detail"):
        entry = s["pages"][page]
        keys = ("cold_cache_s", "warm_s", "after_import_next_month_s", "after_import_same_quarter_s",
                "peak_rss_mb") + (("cold_process_s",) if page == "overview" else ())
        _positive(entry, *keys)

    shown = s["browser"]  # 总览 in Chromium on a running server
    if "skipped" in shown:
        assert not IN_CI, shown["skipped"]
    else:
        assert "error" not in shown, shown.get("error")
        _positive(shown, "cold_s", "warm_s", "warm_up_s", "after_import_warmed_s",
                  "after_import_not_warmed_s", "after_update_s", "update_warm_up_s", "peak_rss_mb",
                  "update_first_views_s")
        # the server filled its first views after the warm-up (None: not within 180 s)
        assert isinstance(shown["first_views_after_warm_up_s"], float) and shown["first_views_after_warm_up_s"] >= 0
        assert "stuck" not in shown, shown["stuck"]

    packet = s["packet"]
    if "skipped" not in packet:
        _positive(packet, "branches", "load_s", "per_branch_mean_s", "all_xlsx_bytes", "peak_rss_mb")

    cli = s["cli"]  # whole cli.py processes; bench itself checks the outputs' content
    for backend in backends:
        _positive(cli[backend]["scorecard_json"], "seconds", "items", "peak_rss_mb")
        _positive(cli[backend]["lagging_json"], "seconds", "items", "peak_rss_mb")
        _positive(cli[backend]["packet_xlsx"], "seconds", "bytes", "peak_rss_mb")
        for what in ("scorecard_json", "scorecard_json_kept", "lagging_json", "lagging_json_kept"):
            runs = cli[backend][what]["runs_s"]
            assert len(runs) == 2 and cli[backend][what]["seconds"] == min(runs)
        assert cli[backend]["scorecard_json"]["items"] == s["compute"][backend]["scorecard"]["result_rows"]
        for what in ("import_one_row", "warm_after_import", "scorecard_json_after_import",
                     "lagging_json_after_import", "import_second_row", "scorecard_json_not_warmed",
                     "lagging_json_not_warmed"):
            assert "error" not in cli[backend][what], cli[backend][what].get("error")
            _positive(cli[backend][what], "seconds", "peak_rss_mb")
            runs = cli[backend][what]["runs_s"]  # the whole sequence repeated, the median kept
            assert len(runs) == 2 and cli[backend][what]["seconds"] == min(runs)
    for backend in backends:  # the sample's 30 branch reminders, and 20 of them read alone
        reminders = s["reminders"][backend]
        _positive(reminders, "seconds", "per_message_ms", "alone_per_message_s", "ratio_to_alone")
        assert reminders["branches"] == s["data"]["branches"]
    for what in ("import", "again", "floor"):
        _positive(cli["import"][what], "seconds", "peak_rss_mb")
        assert len(cli["import"][what]["runs_s"]) == 2
    _positive(cli["import"], "import_over_floor")
    assert any(g.startswith("cli.py import of the same file again") for g in goals_of(report))

    assert report["peak_rss_mb"] and all(v > 0 for v in report["peak_rss_mb"].values())
    assert isinstance(report["unsteady"], list)  # a shared CI machine may well be unsteady
    goals = {g["goal"] for g in report["goals"]}
    assert any(g.startswith("import xuexi") for g in goals) and any("peak RSS" in g for g in goals)
    assert not (tmp_path / "work" / "S").exists(), "--cleanup removes the databases"


def test_each_import_measure_keeps_its_median_run():
    bench = _bench_module()
    runs = [{"seconds": 3.0, "rows": 1}, {"seconds": 1.0, "rows": 2}, {"seconds": 2.0, "rows": 3}]
    assert bench._median_run(runs) == {"seconds": 2.0, "rows": 3, "runs_s": [3.0, 1.0, 2.0]}
    assert bench._median_run(runs[:2])["seconds"] == 1.0  # even count: the lower middle
    assert "error" in bench._median_run([runs[0], {"error": "boom"}])


def test_a_run_whose_repeats_differ_too_much_is_flagged():
    bench = _bench_module()
    steady = {"runs_s": [1.0, 1.1, 1.2]}  # 1.2× apart: within the 1.25× allowed
    shaky = {"runs_s": [0.7, 0.72, 2.1]}  # 3×
    report = {"scales": {"L": {"import": {
        "xuexi": {"file": "a.xlsx", "import": {"sqlite": steady}, "floor": steady, "naive": shaky},
        "activity": {"file": "b.xlsx", "import": {"sqlite": {"runs_s": [1.0, 1.3]}}, "floor": steady},
    }}}}
    assert bench.unsteady(report) == [
        {"scale": "L", "file": "a.xlsx", "measure": "naive", "runs_s": [0.7, 0.72, 2.1], "spread": 3.0},
        {"scale": "L", "file": "b.xlsx", "measure": "import", "runs_s": [1.0, 1.3], "spread": 1.3},
    ]
    repeated = {"scales": {"L": {
        "compute": {"sqlite": {"scorecard": {"cold_s": 2.0, "runs_s": [2.0, 3.1]}, "lagging": steady}},
        "cli": {"postgresql": {"lagging_json": {"seconds": 4.0, "runs_s": [4.0, 2.9, 4.1]},
                               "scorecard_json": steady}, "import": {"import": steady}},
    }}}
    assert bench.unsteady(repeated) == [
        {"scale": "L", "measure": "compute scorecard cold · sqlite", "runs_s": [2.0, 3.1], "spread": 1.55},
        {"scale": "L", "measure": "cli lagging_json · postgresql", "runs_s": [4.0, 2.9, 4.1], "spread": 1.41},
    ]
    assert bench.unsteady({"scales": {"S": {"data": {}}}}) == []
    short = {"runs_s": [0.1, 0.3]}  # 3× apart, but under half a second: fixed costs, not the machine
    assert bench.unsteady({"scales": {"S": {"import": {"x": {"file": "c", "floor": short}}}}}) == []
