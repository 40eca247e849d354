"""Documentation that must not drift from the code."""

from pathlib import Path

from data_loaders.formats_doc import render

ROOT = Path(__file__).resolve().parent.parent


def test_data_formats_doc_is_current():
    committed = (ROOT / "docs" / "data-formats.md").read_text(encoding="utf-8")
    assert committed == render(), "运行 python -m data_loaders.formats_doc > docs/data-formats.md"


def _code_files():
    skip = {".venv", "tests", "bench", ".git", "sample_data"}
    return [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]


def test_the_code_reads_only_registered_settings():
    """Every environment variable the code reads is in domain.settings.SETTINGS (so it has a
    default and a meaning), found by reading the code, not by a list kept in this test."""
    import re

    from domain.settings import SETTINGS

    # every name the code spells in quotes that looks like one of ours
    pattern = re.compile(r"""["']((?:DASHBOARD|DATABASE)_[A-Z0-9_]+)["']""")
    read = {name for path in _code_files() for name in pattern.findall(path.read_text(encoding="utf-8"))}
    assert read, "the pattern finds nothing: it no longer matches how the code reads settings"
    assert read <= set(SETTINGS), sorted(read - set(SETTINGS))


def test_every_registered_setting_is_in_the_readme():
    from domain.settings import SETTINGS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = sorted(name for name in SETTINGS if name not in readme)
    assert not missing, missing
