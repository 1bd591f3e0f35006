"""Events files that are not plain UTF-8 JSON Lines: a located error and nothing stored, or
read as intended (a UTF-8 BOM)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from loop_support import REGION, register

from onething import schemas
from onething.errors import InvalidInput
from onething.loop import Loop, ingest_events
from onething.rulebook import Rulebook
from onething.store.loop import LoopCase, LoopEvent, LoopTask


@pytest.fixture
def loop(fake_domains):
    return Loop(Rulebook(fake_domains))


def _event(i, type_, **kw):
    return {
        "id": f"e{i}", "type": type_, "at": "2026-11-20T10:00:00+08:00", "domain": "fake",
        "object_key": "K1", "region": REGION, **kw,
    }  # fmt: skip


def _write(path, events):
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\n", "utf-8")
    return path


@pytest.mark.parametrize(
    ("encoding", "location"),
    [("gbk", ":2"), ("utf-16", ":1")],  # GBK: line 1 is ASCII; UTF-16: its BOM is byte 0
)
def test_an_events_file_not_in_utf8_is_a_located_error_and_stores_nothing(
    store, loop, tmp_path, encoding, location
):
    f = tmp_path / "ev.jsonl"
    lines = [_event(1, "complaint_received", complaint_id="C-0")]  # ASCII only
    lines.append(_event(2, "complaint_received", complaint_id="C-1", summary="预付卡无法退款"))
    f.write_bytes("\n".join(json.dumps(e, ensure_ascii=False) for e in lines).encode(encoding))
    with pytest.raises(InvalidInput, match="UTF-8") as exc:
        ingest_events(store, loop, f)
    assert exc.value.location == f"{f}{location}"
    with store.session() as s:
        for table in (LoopTask, LoopCase):
            assert s.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0


def test_an_events_file_with_a_utf8_bom_is_read(store, loop, tmp_path):
    register(store, "K1")
    f = _write(tmp_path / "ev.jsonl", [_event(1, "complaint_received", complaint_id="C-1")])
    f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    assert ingest_events(store, loop, f).applied == 1


def test_an_events_path_that_is_a_directory_says_it_expected_a_file(store, loop, tmp_path):
    with pytest.raises(InvalidInput, match=r"应为文件|expected a file"):
        ingest_events(store, loop, tmp_path)


def test_an_event_on_a_day_that_does_not_exist_is_a_located_error(store, loop, tmp_path):
    f = _write(
        tmp_path / "ev.jsonl",
        [
            _event(1, "complaint_received", complaint_id="C-1"),
            _event(2, "complaint_received", complaint_id="C-2", at="2026-02-30T10:00:00+08:00"),
        ],
    )
    with pytest.raises(InvalidInput, match=r"不是真实存在的日期|not a real date") as exc:
        ingest_events(store, loop, f)
    assert (exc.value.location, exc.value.path) == (f"{f}:2", "at")
    with store.session() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(LoopCase)).scalar_one() == 0


def test_an_event_with_a_nul_character_is_a_located_error(store, loop, tmp_path):
    """PostgreSQL cannot store NUL: refused on both databases, naming the line and field."""
    ok = _event(1, "complaint_received", complaint_id="C-1")
    bad = _event(2, "complaint_received", complaint_id="C-2", summary="退款\u0000")
    f = _write(tmp_path / "ev.jsonl", [ok, bad])
    with pytest.raises(InvalidInput, match="NUL") as exc:
        ingest_events(store, loop, f)
    assert (exc.value.location, exc.value.path) == (f"{f}:2", "summary")
    with store.session() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(LoopCase)).scalar_one() == 0


_STORABLE = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False)
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.text().filter(lambda t: "\0" not in t),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=3).filter(lambda t: "\0" not in t), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(_STORABLE, st.sampled_from([2**63, -(2**63) - 1, int("9" * 400), "a\0b"]))
def test_only_64_bit_integers_and_text_without_nul_are_storable(value, bad):
    assert schemas.unstorable(value) is None
    assert schemas.unstorable({"a": [value, bad]})[0] == "a[1]"


def test_concurrent_ingests_of_the_same_events_apply_each_once(store, tmp_path):
    """Four processes ingesting one file at once: every run succeeds, each complaint opens one
    case and each event is recorded once (#16.1: the losers printed UniqueViolation)."""
    from race_support import events_ingest, race

    register(store, "K1")
    f = _write(
        tmp_path / "ev.jsonl",
        [_event(i, "complaint_received", complaint_id=f"C-{i}") for i in range(20)],
    )
    assert race(events_ingest, store.url, store.connect_args, str(f)) == [0, 0, 0, 0]
    with store.session() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(LoopCase)).scalar_one() == 20
        events = s.execute(sa.select(sa.func.count()).select_from(LoopEvent)).scalar_one()
        assert events == 20
