"""How far the data goes (DOMAIN §4, data coverage): per source, the day up to which it is known.

学习强国: the end of the latest export period that has ended by the as-of date. A branch's ledger:
the end of the period its latest file covers (its title period or months, never past the day
it was imported). Pace, the 还需… texts and the pro-rated lagging thresholds count elapsed days up
to these dates, not to today: a month nobody has exported yet is not a month of zero points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from domain.dataset import Dataset
from domain.formatting import month_day_text
from domain.periods import Quarter, effective_as_of, quarter_of
from metrics._frames import prepare, ts


@dataclass(frozen=True)
class Coverage:
    """The coverage of one quarter as of a date. ``xuexi``/``ledger``: the day each source is
    known to, capped at the as-of date (None: nothing yet); ``ledger_by_branch``: per branch."""

    quarter: Quarter
    as_of: date
    xuexi: date | None
    ledger: date | None
    ledger_by_branch: pd.Series  # branch_id → date

    def cut(self, known: date | None) -> date:
        """The last day that counts for pace: the source's coverage inside the quarter (the day
        before the quarter when the source knows nothing of it yet)."""
        first = self.quarter.start
        if known is None or known < first:
            return date.fromordinal(first.toordinal() - 1)
        return min(known, self.as_of)

    def elapsed(self, known: date | None) -> int:
        """Days of the quarter the source covers (0 when it covers none of it)."""
        return (self.cut(known) - self.quarter.start).days + 1

    @property
    def xuexi_cut(self) -> date:
        return self.cut(self.xuexi)

    def ledger_cut(self, branch_id) -> date:
        return self.cut(self.ledger_by_branch.get(branch_id, None) if branch_id is not None else self.ledger)

    def ledger_cuts(self, branch_ids: pd.Series) -> list[date]:
        """``ledger_cut`` of each branch; a branch without a ledger of its own is paced by the
        committee's newest ledger day (``ledger_cut(None)``)."""
        own = self.ledger_by_branch.to_dict()
        return [self.cut(own[b] if b in own else self.ledger) for b in branch_ids.tolist()]

    def texts(self) -> list[str]:
        """``学习强国数据截至10月31日``, ``台账数据截至11月20日`` (the newest of any branch)."""
        out = []
        out.append(f"学习强国数据截至{month_day_text(self.xuexi)}" if self.xuexi else "尚无学习强国数据")
        out.append(f"台账数据截至{month_day_text(self.ledger)}" if self.ledger else "尚无台账数据")
        return out

    def missing_months(self) -> list[str]:
        """Months ended by the as-of date after the last 学习强国 export: ``["2026-11"]``."""
        start = self.xuexi or date(self.quarter.year, 1, 1)
        months = pd.period_range(pd.Timestamp(start) + pd.Timedelta(days=1), pd.Timestamp(self.as_of), freq="M")
        return [str(m) for m in months if m.end_time.normalize() <= ts(self.as_of)]


def opening_quarter(quarters: list[Quarter], today: date,
                    coverage_of: Callable[[Quarter, date], Coverage]) -> Quarter:
    """The quarter the pages open on, and the one the warm-up computes first: the one in progress
    when its 学习强国 data (exported monthly, the slowest source) covers at least half of the days
    gone by, else the last finished one — a quarter of a few days, or whose exports are not
    imported yet, would make the first view a leader sees say little or mislead. ``quarters``:
    the quarters with data, newest first; ``coverage_of(quarter, as_of)``: its Coverage."""
    if not quarters:
        return quarter_of(today)
    newest = quarters[0]
    if newest.end < today or len(quarters) == 1:
        return newest
    cut = effective_as_of(newest, None, today)
    known = coverage_of(newest, cut)
    covered, elapsed = known.elapsed(known.xuexi), (cut - newest.start).days + 1
    return newest if covered * 2 >= elapsed else quarters[1]


def coverage(ds: Dataset, quarter: Quarter, as_of: date) -> Coverage:
    """The coverage of ``quarter`` as of ``as_of``. 学习强国 is read from the exports themselves;
    ledgers from the ``coverage`` frame — a Dataset built without one (by hand) is taken to be
    complete up to the as-of date; one read from a database (any file imported) has no ledger
    day for a branch that has imported no ledger, whoever reads it."""
    ds = prepare(ds)
    c = ds.coverage
    cut = ts(as_of)
    ends = pd.concat([c.loc[c["source"].eq("xuexi"), "covered_to"], ds.xuexi["period_end"]])
    xuexi = ends[ends.le(cut)]
    ledger = c[c["source"].eq("ledger")].assign(covered_to=lambda f: f["covered_to"].clip(upper=cut))
    if c.empty:  # built by hand; read from a database, a branch without a ledger has none
        ledger = pd.DataFrame({"branch_id": ds.branches["branch_id"], "covered_to": cut})
    by_branch = ledger.groupby("branch_id")["covered_to"].max()
    day = lambda v: None if v is None or pd.isna(v) else pd.Timestamp(v).date()  # noqa: E731
    return Coverage(quarter, as_of, day(xuexi.max() if len(xuexi) else None),
                    day(by_branch.max() if len(by_branch) else None),
                    by_branch.map(day))
