"""Spreadsheets in, validated canonical frames out (see ``schema.py`` for the contract).

``load_file(source, *, file_name=None, kind=None, period=None, known_branches=None)`` reads one
.xlsx / .xls / .csv file; ``detect_kind`` only recognises its kind; ``normalize_name`` is the name normalisation used everywhere.
"""

from data_loaders.loader import detect_kind, empty_frame, load_file
from data_loaders.schema import LoadResult, Problem
from domain.names import normalize_name

__all__ = ["LoadResult", "Problem", "detect_kind", "empty_frame", "load_file", "normalize_name"]
