"""Start 机关党建看板 with its login-session cookie: ``streamlit run serve.py`` (run.sh and
deploy/dashboard@.service do). It serves dashboard.py, the router, behind the middleware of
ui/session_http.py, which sets the HttpOnly session cookie (a Streamlit script cannot), checks it
before downloads and uploads, and caps what one browser tab may upload.

``streamlit run dashboard.py`` still works, without those: a login then lasts for one tab only.
"""

import streamlit as st
from starlette.middleware import Middleware

from ui.session_http import SessionCookieMiddleware

app = st.App("dashboard.py", middleware=[Middleware(SessionCookieMiddleware)])
