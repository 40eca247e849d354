"""The quarterly inspection packet and the committee ranking as data (metrics.packet), for the
季度督查 page and ``cli.py report``; reports/ turns them into Excel and Word bytes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Engine

from domain.access import Viewer
from domain.periods import Quarter, parse_quarter
from metrics.packet import Packet, build_packet
from metrics.quality import data_quality
from metrics.scorecard import ScorecardResult
from services import analytics
from storage.rectification import list_tasks


def packet(engine: Engine, viewer: Viewer, quarter: Quarter | str, as_of: date | None = None,
           branch_ids: Iterable[int] | None = None) -> Packet:
    """The packet of ``branch_ids`` (default: every branch the viewer sees). A secretary gets
    their own branch only, whatever ``branch_ids`` says: every frame it is built from is
    already reduced to that branch."""
    q = parse_quarter(quarter)
    cut = analytics.as_of_for(q, as_of)
    scoped = analytics.scorecard(engine, viewer, q, cut, with_previous=True)
    ds = analytics.dataset(engine, viewer, q)
    lagging = analytics.lagging(engine, viewer, q, cut)  # the list the pages show (and keep)
    quality = data_quality(ds, q, cut)
    tasks = list_tasks(engine, viewer, quarters=[q, q.previous()])
    return build_packet(scoped.card, ds, lagging, quality, scoped.previous, tasks, branch_ids,
                        scoped.n_ranked, scoped.committee_average)


def ranking(engine: Engine, viewer: Viewer, quarter: Quarter | str,
            as_of: date | None = None) -> ScorecardResult:
    """The committee-wide scorecard for the ranking export (leadership and admins only)."""
    if not viewer.can_export_ranking:
        raise PermissionError("支部排名表只对工委领导和管理员开放。")
    q = parse_quarter(quarter)
    return analytics.scorecard(engine, viewer, q, analytics.as_of_for(q, as_of)).card
