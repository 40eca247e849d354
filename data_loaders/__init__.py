"""Spreadsheets in, validated canonical frames out (see ``schema.py`` for the contract).

``load_file(source, *, file_name=None, kind=None, period=None, known_branches=None)`` reads one
.xlsx / .xls / .csv file; ``load_file_isolated`` (same arguments, same result) does it in a child
process whose crash or exhausted memory becomes a Problem — for untrusted uploads in the server;
``detect_kind`` only recognises its kind; ``normalize_name`` is the name normalisation used
everywhere. Bounds on what a file may make the reader do: ``data_loaders.limits``.
"""

from data_loaders.isolation import load_file_isolated, start_forkserver
from data_loaders.loader import detect_kind, empty_frame, load_file
from data_loaders.schema import LoadResult, Problem
from domain.names import normalize_name

__all__ = ["LoadResult", "Problem", "detect_kind", "empty_frame", "load_file", "load_file_isolated",
           "normalize_name", "start_forkserver"]
