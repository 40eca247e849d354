"""Pure functions from a ``Dataset`` of frames to figures (DOMAIN.md §4–6).

periods (quarters, as-of), config (targets from defaults.json), matching (names → members),
xuexi (学习强国 points), indicators (per-branch indicator table), scorecard (scores, ranks, trend,
KPIs), lagging (党员预警, 政治生日), points (党员积分), problems (问题清单), quality (data gaps).
No Streamlit, no SQL: storage builds the ``Dataset``; pages and reports render the frames.
"""
