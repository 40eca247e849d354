"""Documentation that must not drift from the code."""

from pathlib import Path

from data_loaders.formats_doc import render

ROOT = Path(__file__).resolve().parent.parent


def test_data_formats_doc_is_current():
    committed = (ROOT / "docs" / "data-formats.md").read_text(encoding="utf-8")
    assert committed == render(), "运行 python -m data_loaders.formats_doc > docs/data-formats.md"


def test_every_environment_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    used = set()
    for path in list(ROOT.glob("*.py")) + list(ROOT.glob("*/*.py")):
        if ".venv" in path.parts or "tests" in path.parts or "bench" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for name in ("DATABASE_URL", "DASHBOARD_DEMO", "DASHBOARD_IDLE_MINUTES",
                     "DASHBOARD_PASSWORD"):
            if name in text:
                used.add(name)
    missing = sorted(n for n in used if n not in readme)
    assert used and not missing, missing
