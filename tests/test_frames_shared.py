"""metrics._frames: a Dataset is typed once (also across the pages' cache, which pickles it) and
the steps several metrics share are remembered on the typed Dataset, never across a change."""

import pickle
from datetime import date

import pandas as pd

from metrics._frames import members_during, prepare
from tests.metrics_fixtures import DatasetBuilder


def _two_members() -> DatasetBuilder:
    b = DatasetBuilder()
    b.branch(1)
    b.member(11, 1, "张伟")
    b.member(12, 1, "李娜")
    return b


def test_a_dataset_is_typed_once_and_again_after_a_frame_is_swapped():
    raw = _two_members().build()
    typed = prepare(raw)
    assert typed is not raw and prepare(raw) is typed and prepare(typed) is typed
    assert str(typed.members["member_id"].dtype) == "Int64"
    raw.members = raw.members[raw.members["name"] == "李娜"]  # the frame swapped: typed again
    again = prepare(raw)
    assert again is not typed and again.members["name"].tolist() == ["李娜"]


def test_a_pickled_typed_dataset_stays_typed_and_leaves_what_it_remembered_behind():
    typed = prepare(_two_members().build())
    members_during(typed, date(2026, 7, 1), date(2026, 9, 30))
    assert typed.__dict__["_shared"]
    copy = pickle.loads(pickle.dumps(typed))
    assert prepare(copy) is copy  # not typed a second time
    assert "_shared" not in copy.__dict__
    pd.testing.assert_frame_equal(copy.members, typed.members)
    raw = _two_members().build()
    prepare(raw)
    plain = pickle.loads(pickle.dumps(raw))  # an untyped Dataset stays untyped, without the copy
    assert "_prepared_as" not in plain.__dict__ and prepare(plain) is not plain


def test_a_remembered_step_is_not_read_from_a_dataset_whose_frames_changed():
    typed = prepare(_two_members().build())
    window = (date(2026, 7, 1), date(2026, 9, 30))
    assert sorted(members_during(typed, *window)["name"]) == ["张伟", "李娜"]
    typed.members = typed.members[typed.members["name"] == "张伟"]  # no longer the typed frames
    assert members_during(typed, *window)["name"].tolist() == ["张伟"]
