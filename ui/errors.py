"""Unexpected errors: logged with their traceback under a short reference, shown to the user as
a Chinese sentence with that reference (never a traceback)."""

from __future__ import annotations

import logging
import secrets

import streamlit as st

log = logging.getLogger("dashboard")


def log_unexpected(context: str) -> str:
    """Log the exception being handled with a new reference; returns the reference."""
    ref = secrets.token_hex(4)
    log.exception("unexpected error [%s] in %s", ref, context)
    return ref


def show_unexpected(context: str) -> None:
    """For a page that failed: log it, and tell the user what to do."""
    ref = log_unexpected(context)
    st.error(f"页面出现了意外错误，已记录。请刷新页面重试；如仍出现，请把参考编号 {ref} 告诉管理员。",
             icon=":material/error:")
