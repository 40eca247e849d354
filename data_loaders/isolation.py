"""``load_file`` in a child process that may die without taking the server with it.

The inspection (``data_loaders.inspection``) refuses the files it knows to be dangerous; this is
the second wall, for whatever it does not know: the native reader runs in a child process whose
address space is capped (``resource.setrlimit(RLIMIT_AS)``), so a reader that asks for too much
memory gets a MemoryError or aborts — and its death becomes a Problem in the result, not the end of
the dashboard. Children are forked from a forkserver (safe in a multi-threaded server, unlike a
plain fork) that has already imported the loaders, so a call costs a fork, not an interpreter
start.

    result = load_file_isolated(content, file_name="台账.xlsx", known_branches=branches)

Same arguments and result as ``load_file``. Bounds: ``DASHBOARD_PARSE_MEMORY_MB`` (memory the
child may add to what it starts with) and ``DASHBOARD_PARSE_TIMEOUT_S`` (see ``limits``).
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.spawn
import threading
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from data_loaders.limits import ENV_PARSE_MEMORY_MB, ENV_PARSE_TIMEOUT_S, Limits, current_limits
from data_loaders.loader import empty_frame, load_file
from data_loaders.schema import KINDS, LoadResult, Problem

log = logging.getLogger(__name__)

_PRELOAD = ["data_loaders.isolation"]  # what every child finds imported already
_CHILD_NAME = "data_loaders reader: "
_context: multiprocessing.context.BaseContext | None = None
_context_lock = threading.Lock()
_plain_preparation = multiprocessing.spawn.get_preparation_data


def _preparation(name: str) -> dict:
    """What a new child is told to set up; for a reader child, without ``__main__``: in the server
    that is whatever Streamlit page was running, which the child would otherwise run again."""
    data = _plain_preparation(name)
    if name.startswith(_CHILD_NAME):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


def _forkserver() -> multiprocessing.context.BaseContext:
    global _context
    with _context_lock:
        if _context is None:
            multiprocessing.spawn.get_preparation_data = _preparation  # only reader children differ
            try:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(_PRELOAD)
            except ValueError:  # no forkserver (Windows): a fresh interpreter per file, slower
                context = multiprocessing.get_context("spawn")
            _context = context
    return _context


def start_forkserver() -> None:
    """Start the forkserver now (about a second: it imports pandas and the readers), so that the
    first upload does not wait for it. Optional: ``load_file_isolated`` starts it when needed."""
    if _forkserver().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def load_file_isolated(
    source: str | Path | bytes,
    *,
    file_name: str | None = None,
    kind: str | None = None,
    period: tuple[date, date] | None = None,
    known_branches: dict[str, str] | None = None,
    limits: Limits | None = None,
    _reader: Callable[..., LoadResult] = load_file,
) -> LoadResult:
    """``load_file`` in a child process with capped memory and time: same arguments, same result.

    If the child runs out of memory, is killed or aborts (a native reader's crash), or does not
    finish within the time bound, the result has ``kind`` as given (None when not forced), an
    empty frame and one error Problem (code ``reader_out_of_memory``, ``reader_crashed`` or
    ``reader_timeout``) whose message says what to do. Wrong arguments raise here, as with
    ``load_file``. ``_reader`` is for tests (a module-level function run instead of load_file).
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        if not file_name:
            raise ValueError("file_name is required when source is bytes")
        source = bytes(source)
    elif not isinstance(source, (str, Path)):
        raise TypeError(f"source must be a path or bytes, not {type(source).__name__}")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    name = file_name or Path(source).name
    limits = limits or current_limits()
    arguments = {"file_name": file_name, "kind": kind, "period": period, "known_branches": known_branches}

    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, _reader, source, arguments, limits.parse_memory_bytes),
                            name=_CHILD_NAME + name, daemon=True)
    child.start()
    sender.close()  # the child holds the only writing end: its death closes the pipe
    status, payload = "died", None
    try:
        if receiver.poll(limits.parse_timeout_s):
            try:
                status, payload = receiver.recv()
            except (EOFError, OSError):
                status = "died"
        else:
            status = "timeout"
    finally:
        receiver.close()
        if status == "timeout" and child.is_alive():
            child.kill()
        child.join(10)
        if child.is_alive():  # sent its result, then hung on the way out
            child.kill()
            child.join()
    if status == "ok":
        return payload
    return _failure(name, kind, status, payload, child.exitcode, limits)


def _child(sender, reader: Callable[..., LoadResult], source, arguments: dict, memory_bytes: int) -> None:
    """In the child: cap the address space, read, send back the result (or why there is none)."""
    try:
        _cap_memory(memory_bytes)
        result = reader(source, **arguments)
        sender.send(("ok", result))
    except MemoryError:
        _send_quietly(sender, ("memory", None))
    except BaseException:  # noqa: BLE001 - the parent logs it and tells the user
        _send_quietly(sender, ("error", traceback.format_exc()))
    finally:
        sender.close()


def _send_quietly(sender, message: tuple) -> None:
    try:
        sender.send(message)
    except Exception:  # noqa: BLE001 - nothing left to tell: the parent sees the pipe close
        pass


def _cap_memory(extra: int) -> None:
    """RLIMIT_AS = the address space the child has now (the forkserver's imports) + ``extra``;
    and should the machine (or the service's cgroup) run out of memory anyway, the kernel kills
    this child first, not the server."""
    try:
        with open("/proc/self/oom_score_adj", "w", encoding="ascii") as score:
            score.write("1000")
    except OSError:
        pass
    try:
        import resource  # POSIX only

        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (size + extra, size + extra))
    except (ImportError, OSError, ValueError, StopIteration) as exc:  # not Linux: the time bound only
        log.warning("could not cap the reader's memory: %s", exc)


def _failure(name: str, kind: str | None, status: str, payload: object, exitcode: int | None,
             limits: Limits) -> LoadResult:
    if status == "memory":
        code = "reader_out_of_memory"
        message = (f"读取这个文件需要的内存超过上限（{limits.parse_memory_bytes >> 20} MB），文件未导入，"
                   "服务不受影响。请检查文件中是否有大量多余的行、列或工作表，删除后“另存为”.xlsx再导入，"
                   f"或分成几个文件导入（管理员可调高 {ENV_PARSE_MEMORY_MB}）")
    elif status == "timeout":
        code = "reader_timeout"
        message = (f"读取这个文件超过 {limits.parse_timeout_s:g} 秒仍未完成，已停止，文件未导入。"
                   "请检查文件是否过大，删除多余的内容或分成几个文件后再导入"
                   f"（管理员可调高 {ENV_PARSE_TIMEOUT_S}）")
    elif status == "error":
        code = "reader_failed"
        log.error("load_file failed on %s:\n%s", name, payload)
        message = "读取文件时程序出错，文件未导入，服务不受影响：请把这个文件发给管理员排查"
    else:
        code = "reader_crashed"
        log.error("the reader of %s died (exit code %s)", name, exitcode)
        message = (f"读取文件的程序意外退出（退出码 {exitcode}），文件未导入，服务不受影响。"
                   "常见原因是表格中有极大的空白区域或文件已损坏：请用Excel或WPS打开文件，按 Ctrl+End "
                   "找到最后一个单元格，删除表格之外多余的行和列后“另存为”.xlsx再导入；仍不行请把文件发给管理员")
    problem = Problem(name, "", None, None, None, message, "error", code)
    return LoadResult(name, kind, empty_frame(kind) if kind else pd.DataFrame(), None, [problem])
