"""Monthly self-study (自学, DOMAIN.md §4 ``self_study`` and §5 ``no_self_study``): the one rule
the indicator, the lagging list and the branch page share.

A member owes a 自学 record in every month of the quarter that has ended by the as-of date and
during which they belonged to the branch (pro-rated to the part they belonged: a member who
joined in September owes September only). Records are the member's own (matched, DOMAIN §2); a
study row naming two members of one name gives neither of them credit nor a penalty: while such
rows exist for their name in the quarter, both are left out of the rate and not flagged.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from domain.dataset import Dataset
from domain.periods import Quarter, current_month, ended_months
from domain.vocabulary import SELF_STUDY
from metrics._frames import between, named_in, overlap_days, shared
from metrics.matching import AMBIGUOUS, CREDITED, match_members


def study_rows(ds: Dataset) -> pd.DataFrame:
    """Study rows matched to members (``match_members``); a row without a branch takes the
    branch of the member it names."""
    return shared(ds, ("study_rows",), lambda: _study_rows(ds))


def _study_rows(ds: Dataset) -> pd.DataFrame:
    study = match_members(ds.study, ds.members)
    member_branch = ds.members.drop_duplicates("member_id", keep="last").set_index("member_id")["branch_id"]
    branch_id = study["branch_id"].fillna(study["member_id"].map(member_branch)).astype("Int64")
    return study.assign(branch_id=branch_id)


def self_study_status(study: pd.DataFrame, members: pd.DataFrame, q: Quarter, cut: date) -> pd.DataFrame:
    """Per (member, branch) row of ``members`` (metrics._frames.members_during): ``owed`` (months
    owed), ``done`` (of those, months with a record), ``complete``, ``missing_YYYY-MM`` per ended
    month (owed without a record), ``current_missing`` (the running month, not ended yet, has no
    record so far), ``unsure`` (a 同名 study row could be theirs: left out)."""
    months = [str(m) for m in ended_months(q, cut)]
    rows = study[study["form"].eq(SELF_STUDY) & between(study["date"], q.start, cut)]
    credited = rows[rows["match"].isin(CREDITED)]
    # a Period per row (strftime formats row by row: a third of a second for a quarter at L)
    by_month = credited["member_id"].groupby(credited["date"].dt.to_period("M"))
    done_in = {str(month): set(ids.dropna().astype(int)) for month, ids in by_month}

    ids = members["member_id"].astype(int)
    owed = pd.Series(0, index=members.index, dtype="int64")
    got = pd.Series(0, index=members.index, dtype="int64")
    missing_cols = {}
    for month in months:  # at most three
        period = pd.Period(month, freq="M")
        belonged = overlap_days(members["start"], members["end"], period.start_time.date(),
                                period.end_time.date()) > 0
        has = ids.isin(done_in.get(month, set()))
        owed += belonged
        got += belonged & has
        missing_cols[month] = belonged & ~has
    current = current_month(q, cut)
    if current is not None:
        belongs_now = overlap_days(members["start"], members["end"], current.start_time.date(), cut) > 0
        current_missing = belongs_now & ~ids.isin(done_in.get(str(current), set()))
    else:
        current_missing = pd.Series(False, index=members.index)
    out = members[["member_id", "branch_id"]].assign(
        owed=owed.astype(int), done=got.astype(int),
        current_missing=current_missing.to_numpy(),
        unsure=named_in(members, rows[rows["match"].eq(AMBIGUOUS)]),
        **{f"missing_{m}": v.to_numpy() for m, v in missing_cols.items()},
    )
    return out.assign(complete=out["done"].eq(out["owed"]))
