"""Start 机关党建看板 with its login-session cookie: ``streamlit run serve.py`` (run.sh and
deploy/dashboard@.service do). It serves dashboard.py, the router, behind the middleware of
ui/session_http.py, which sets the HttpOnly session cookie (a Streamlit script cannot), checks it
before downloads and uploads, and caps what one browser tab may upload.

``streamlit run dashboard.py`` still works, without those: a login then lasts for one tab only.

While it runs, the process keeps the day's figures warm (cli.warming.keep_warm): it starts
``cli.py warm`` when it starts and every day at 00:05, so the first leader of the day does not
wait for the quarter in progress to be figured as of today.
"""

import logging
import os
import threading
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from cli import warming
from domain import settings
from ui.session_http import SessionCookieMiddleware

FIRST_VIEWS = "DASHBOARD_FIRST_VIEWS"
# as dashboard.py: the server's own threads log before any page has run
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@asynccontextmanager
async def figures_kept_warm(app):
    stop = threading.Event()
    threading.Thread(target=warming.keep_warm, name="daily-warm", daemon=True,
                     args=(lambda: warming.start_warm_url(os.environ.get("DATABASE_URL")), stop.wait)
                     ).start()
    if settings.get(FIRST_VIEWS) != "0":
        from ui import first_views  # imports Streamlit's page machinery: only once the server runs

        threading.Thread(target=first_views.keep_first_views, name="first-views", daemon=True, args=(stop.wait,)).start()
    yield
    stop.set()


app = st.App("dashboard.py", middleware=[Middleware(SessionCookieMiddleware)], lifespan=figures_kept_warm)
