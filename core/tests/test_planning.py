"""The planner: PRN sampling, joint visits, cap, inspectors, plan files and verification."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onething.errors import InvalidInput
from onething.planning import (
    Inspector,
    PlanDocument,
    build_population,
    compute_plan,
    draw,
    import_pool,
    make_plan,
    prn,
    read_pool,
    sample_size,
    verify_plan,
    write_pool,
)
from onething.planning.plan import History
from onething.rulebook import Rulebook

ON = dt.date(2026, 1, 1)
GRADES = ("A", "B", "C", "D")


def _objects(n: int, seed: int = 0):
    rng = random.Random(seed)
    return [
        (f"K{i:05d}", rng.choice(GRADES), rng.choice(("low", "high")), "371502") for i in range(n)
    ]


# -- PRN and sampling (pure) ------------------------------------------------------------------


def test_prn_follows_the_published_byte_layout():
    digest = hashlib.sha256(b"onething-prn-v1\x00" + b"S1" + b"\x00" + b"K1").digest()
    assert prn("S1", "K1") == int.from_bytes(digest[:8], "big") / 2**64
    assert 0 <= prn("S1", "K1") < 1
    assert prn("S1", "K1") != prn("S2", "K1")
    from onething.planning.prn import prn_head, prn_int

    # what the inspector draw hashes with (#31): the same bytes
    assert prn_head("S1") + b"K1" == b"onething-prn-v1\x00S1\x00K1"
    assert prn_int("種子", "K1") == int.from_bytes(
        hashlib.sha256(prn_head("種子") + b"K1").digest()[:8], "big"
    )


def test_sample_size_is_an_exact_ceiling():
    assert sample_size(0.1, 30) == 3  # 0.1*30 in binary floating point is 3.0000000000000004
    assert sample_size(0.1, 31) == 4
    assert sample_size(0, 10) == 0
    assert sample_size(1, 10) == 10


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False), st.text("abc", min_size=1, max_size=4))
def test_same_seed_gives_the_same_sample_for_any_row_order(rnd, seed):
    objects = _objects(80)
    pairs = [(k, f"fake.00{j}") for k, *_ in objects for j in (1, 2) if hash(k) % 3 or j == 1]
    a = build_population(objects, pairs)
    shuffled_o, shuffled_p = objects[:], pairs[:]
    rnd.shuffle(shuffled_o)
    rnd.shuffle(shuffled_p)
    b = build_population(shuffled_o, shuffled_p)
    assert a.sha256 == b.sha256
    ratios = {(i, g): 0.2 for i in a.item_codes for g in a.credit_labels}
    sa_, sb = draw(a, seed, ratios), draw(b, seed, ratios)
    assert np.array_equal(sa_.selected_obj, sb.selected_obj)
    assert np.array_equal(sa_.selected_item, sb.selected_item)


def test_a_different_seed_gives_a_different_sample():
    pop = build_population(_objects(200), [(k, "fake.001") for k, *_ in _objects(200)])
    ratios = {("fake.001", g): 0.1 for g in pop.credit_labels}
    a, b = draw(pop, "2026Q1-a", ratios), draw(pop, "2026Q1-b", ratios)
    assert len(a.selected_obj) == len(b.selected_obj)
    assert set(a.selected_obj.tolist()) != set(b.selected_obj.tolist())


def test_each_stratum_gets_the_ceiling_of_ratio_times_its_size():
    objects = _objects(300)
    pop = build_population(objects, [(k, "fake.001") for k, *_ in objects])
    sample = draw(pop, "s", {("fake.001", g): 0.15 for g in pop.credit_labels})
    for s in sample.strata:
        assert s.size == sample_size(0.15, s.population)
    assert len(sample.selected_obj) == sum(s.size for s in sample.strata)


def test_smaller_ratios_sample_nests_inside_a_larger_ones():
    """Two items on the same objects with ratios 5 % and 20 %: the 5 % sample is inside."""
    objects = _objects(500)
    pairs = [(k, c) for k, *_ in objects for c in ("fake.001", "fake.003")]
    pop = build_population(objects, pairs)
    ratios = {("fake.001", g): 0.05 for g in pop.credit_labels}
    ratios |= {("fake.003", g): 0.2 for g in pop.credit_labels}
    for seed in ("a", "b", "c"):
        s = draw(pop, seed, ratios)
        small = {
            o
            for o, i in zip(s.selected_obj, s.selected_item, strict=True)
            if pop.item_codes[i] == "fake.001"
        }
        large = {
            o
            for o, i in zip(s.selected_obj, s.selected_item, strict=True)
            if pop.item_codes[i] == "fake.003"
        }
        assert small and small <= large


def test_every_object_is_selected_with_its_strata_ratio_over_many_seeds():
    """Marginal fairness: over 400 fixed seeds each of 40 objects of one stratum is drawn about
    400 · 0.25 times; Pearson's statistic stays under the χ²(39) 99.9 % quantile (72.05)."""
    objects = [(f"K{i:03d}", "A", "low", "371502") for i in range(40)]
    pop = build_population(objects, [(k, "fake.001") for k, *_ in objects])
    counts = np.zeros(40)
    seeds = 400
    for n in range(seeds):
        s = draw(pop, f"seed-{n}", {("fake.001", "A"): 0.25})
        assert len(s.selected_obj) == 10
        counts[s.selected_obj] += 1
    expected, p = seeds * 0.25, 0.25
    stat = float(np.sum((counts - expected) ** 2 / (seeds * p * (1 - p))))
    assert stat < 72.05, (stat, counts)


def test_a_random_item_without_a_ratio_is_reported_not_skipped():
    objects = _objects(30)
    pop = build_population(objects, [(k, "fake.001") for k, *_ in objects])
    s = draw(pop, "s", {("fake.001", g): None for g in pop.credit_labels})
    assert len(s.selected_obj) == 0
    assert sum(n for _i, _g, n in s.missing_ratios) == 30


# -- the store-backed plan ----------------------------------------------------------------------


def _registry(store, n=60, seed=1, grade="B"):
    from onething.registry.profiles import profile_id
    from onething.store.registry import RegistryObject

    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    with store.session() as s:
        shop = profile_id(
            s.connection(),
            [("fake", "shop")],
            [("fake", code) for code in ("fake.001", "fake.002", "fake.003")],
            ON,
        )
        for i in range(n):
            key = f"9137150{i:011d}"
            s.add(
                RegistryObject(
                    key=key,
                    key_kind="uscc",
                    name=f"商店{i}",
                    region_code="371502",
                    credit_grade=grade,
                    risk_grade=rng.choice(("low", "high")),
                    domains={"fake": {"object_types": ["shop"]}},
                    updated_at=now,
                    profile_id=shop,
                )
            )


def _pool(store, per_dept=6, **extra):
    pool = [
        Inspector(id=f"{d}-{n}", name=f"{d}{n}", department=d, region="371500", **extra)
        for d in ("market", "fire", "housing")
        for n in range(per_dept)
    ]
    import_pool(store, pool, "test")
    return pool


@pytest.fixture
def rulebook(fake_domains):
    return Rulebook(fake_domains)


def test_plan_merges_tasks_into_joint_visits_and_splits_constrained_ones(store, rulebook):
    _registry(store)
    _pool(store)
    doc = make_plan(store, rulebook, cycle="2026Q1", seed="S", by="tester")
    tasks = {t["id"]: t for t in doc["tasks"]}
    assert doc["platform"]["population_total"] == 60
    for v in doc["visits"]:
        items = {tasks[t]["item"] for t in v["tasks"]}
        if v["joint"]:
            assert "fake.002" not in items
        else:
            assert items == {"fake.002"} and v["split"] == "fake.unannounced_fire"
            assert v["split_reason"] == "消防检查须不预先通知"
    # coordinated: one joint visit per sampled object, however many items sampled it
    joint_keys = [v["key"] for v in doc["visits"] if v["joint"]]
    assert len(joint_keys) == len(set(joint_keys))
    assert doc["summary"]["visits_saved"] > 0


def test_every_visit_gets_two_law_enforcement_inspectors_per_department(store, rulebook):
    _registry(store)
    pool = _pool(store)
    doc = make_plan(store, rulebook, cycle="2026Q1", seed="S")
    by_id = {i.id: i for i in pool}
    staffed: dict[tuple[str, str], list[str]] = {}
    for a in doc["assignments"]:
        staffed.setdefault((a["visit"], a["department"]), []).append(a["inspector"])
    for v in doc["visits"]:
        for d in v["departments"]:
            got = staffed[(v["id"], d)]
            assert len(got) == 2 and all(
                by_id[i].law_enforcement and by_id[i].department == d for i in got
            )


def test_each_department_gets_its_inspectors_with_the_smallest_published_hashes(store, rulebook):
    """The documented rule, computed here the slow way: the two with the smallest
    ``(prn_int(seed, "<visit>/<department>/<id>"), id)`` among those who may go (#31: the
    draw's inlined hashing orders them the same)."""
    from onething.planning.prn import prn_int

    _registry(store)
    pool = _pool(store, per_dept=9)
    doc = make_plan(store, rulebook, cycle="2026Q1", seed="種子", inspector_cap=1000)
    assert doc["assignments"] and not doc["infeasible"]
    got: dict[tuple[str, str], list[str]] = {}
    for a in doc["assignments"]:
        got.setdefault((a["visit"], a["department"]), []).append(a["inspector"])
    for (visit, dept), ids in got.items():
        staff = [i.id for i in pool if i.department == dept and i.law_enforcement]
        ranked = sorted(staff, key=lambda i: (prn_int("種子", f"{visit}/{dept}/{i}"), i))
        assert sorted(ids) == sorted(ranked[:2])


def test_recusal_workload_and_infeasibility_are_honoured(store, rulebook):
    _registry(store)
    _pool(store, per_dept=3)
    first = make_plan(store, rulebook, cycle="2026Q1", seed="S", inspector_cap=100)
    # previous cycle's inspectors on an object are recused in the next cycle
    second = make_plan(store, rulebook, cycle="2026Q2", seed="S", inspector_cap=100)
    before = {(a["visit"].split(":")[1], a["inspector"]) for a in first["assignments"]}
    after = {(a["visit"].split(":")[1], a["inspector"]) for a in second["assignments"]}
    assert not before & after
    # workload cap of 1 visit per inspector: most visits become infeasible, with a reason
    third = make_plan(store, rulebook, cycle="2026Q3", seed="T", inspector_cap=1)
    load: dict[str, int] = {}
    for a in third["assignments"]:
        load[a["inspector"]] = load.get(a["inspector"], 0) + 1
    assert max(load.values()) <= 1
    assert third["infeasible"] and all(
        "workload" in x["reason"] for x in third["infeasible"] if "workload" in x["reason"]
    )
    assert third["summary"]["infeasible_visits"] == len({x["visit"] for x in third["infeasible"]})


def test_declared_conflicts_keep_an_inspector_away(store, rulebook):
    _registry(store, n=20)
    keys = [f"9137150{i:011d}" for i in range(20)]
    _pool(store, per_dept=4, conflicts=frozenset(keys))  # everyone conflicted with everyone
    doc = make_plan(store, rulebook, cycle="2026Q1", seed="S")
    assert not doc["assignments"]
    assert all("recusal=4" in x["reason"] for x in doc["infeasible"])


def test_cap_reports_every_task_it_could_not_place(store, rulebook):
    from onething.planning.visits import apply_cap, merge

    _registry(store, n=80, grade="A")  # visit_cap.A = 1: joint + unannounced split = 2 visits
    _pool(store)
    doc = make_plan(store, rulebook, cycle="2026Q1", seed="S")
    assert doc["unplaced"], "the fire task's separate visit exceeds a cap of one"
    assert all(x["reason"] == "visit_cap" for x in doc["unplaced"])
    per_key: dict[str, int] = {}
    for v in doc["visits"]:
        per_key[v["key"]] = per_key.get(v["key"], 0) + 1
    assert max(per_key.values()) == 1
    placed = {t for v in doc["visits"] for t in v["tasks"]}
    assert placed | {x["task"] for x in doc["unplaced"]} == {t["id"] for t in doc["tasks"]}
    assert merge and apply_cap  # the pure functions behind it are public for hosts


def test_a_redraw_needs_a_reason_and_is_audited(english, store, rulebook):
    import sqlalchemy as sa

    _registry(store, n=10)
    make_plan(store, rulebook, cycle="2026Q1", seed="S", by="甲")
    with pytest.raises(InvalidInput, match="redraw"):
        make_plan(store, rulebook, cycle="2026Q1", seed="S2")
    make_plan(store, rulebook, cycle="2026Q1", seed="S2", by="乙", reason="种子公布前泄露")
    with store.engine.connect() as c:
        rows = c.execute(sa.text("SELECT kind, who, why FROM planning_draw ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("draw", "甲", ""), ("redraw", "乙", "种子公布前泄露")]


def test_a_blank_reason_is_refused(english, store, rulebook):
    _registry(store, n=10)
    with pytest.raises(InvalidInput, match="--reason: blank"):
        make_plan(store, rulebook, cycle="2026Q1", seed="S", reason=" \t ")


def test_files_that_cannot_be_written_leave_no_draw(store, rulebook, tmp_path):
    import sqlalchemy as sa

    from onething.planning import write_plan

    _registry(store, n=10)
    blocked = tmp_path / "a-file"
    blocked.write_text("", "utf-8")  # --out names a file: no directory can be made there
    with pytest.raises(InvalidInput, match="不是目录"):
        make_plan(store, rulebook, cycle="2026Q1", seed="S", write=lambda d: write_plan(d, blocked))
    with store.engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM planning_draw")).scalar_one() == 0
    # the rerun is a first draw again, and needs no reason
    doc = make_plan(
        store, rulebook, cycle="2026Q1", seed="S", write=lambda d: write_plan(d, tmp_path)
    )
    assert doc["kind"] == "draw" and json.loads((tmp_path / "plan.json").read_text("utf-8"))


def test_the_old_argument_order_still_works_and_warns(store, rulebook):
    """make_plan and verify_plan take the store first, like every engine; the rulebook first
    (their first order) gives the same plan, with a DeprecationWarning."""
    _registry(store, n=10)
    with pytest.warns(DeprecationWarning, match=r"make_plan\(store, rulebook"):
        doc = make_plan(rulebook, store, cycle="2026Q1", seed="S")
    with pytest.warns(DeprecationWarning, match=r"verify_plan\(store, rulebook"):
        assert verify_plan(rulebook, store, doc) == []
    assert verify_plan(store, rulebook, doc) == []


def test_verify_catches_a_changed_drawer_or_reason(store, rulebook):
    _registry(store, n=10)
    doc = make_plan(store, rulebook, cycle="2026Q1", seed="S", by="甲", reason="例行")
    assert verify_plan(store, rulebook, doc) == []
    assert verify_plan(store, rulebook, {**doc, "drawn_by": "乙"})[0].startswith("drawn_by:")
    assert verify_plan(store, rulebook, {**doc, "reason": "别的"})[0].startswith("reason:")


def test_verify_passes_an_untouched_plan_and_catches_every_tampering(store, rulebook):
    _registry(store)
    _pool(store)
    doc = make_plan(store, rulebook, cycle="2026Q1", seed="S")
    assert verify_plan(store, rulebook, doc) == []

    def tampered(change):
        d = json.loads(json.dumps(doc))
        change(d)
        return verify_plan(store, rulebook, d)

    assert any(p.startswith("seed") for p in tampered(lambda d: d.update(seed="X")))
    extra = dict(doc["tasks"][0], id="R:fake.001:ZZZ")
    assert any("ZZZ" in p for p in tampered(lambda d: d["tasks"].append(extra)))
    assert any("重算得出，但文件中没有" in p for p in tampered(lambda d: d["tasks"].pop()))

    def swap(d):
        d["assignments"][0]["inspector"] = "market-999"

    assert any("market-999" in p for p in tampered(swap))
    # a changed registry: one more object
    _registry_extra(store)
    problems = verify_plan(store, rulebook, doc)
    assert any("抽取后名录库已变化" in p for p in problems)


def _registry_extra(store):
    from onething.registry.profiles import profile_id
    from onething.store.registry import RegistryObject

    with store.session() as s:
        one_item = profile_id(s.connection(), [], [("fake", "fake.001")], ON)
        s.add(
            RegistryObject(
                key="91371500EXTRA00001",
                key_kind="uscc",
                name="新店",
                region_code="371502",
                credit_grade="B",
                risk_grade="low",
                domains={},
                updated_at=dt.datetime.now(dt.UTC),
                profile_id=one_item,
            )
        )


def test_non_random_tasks_join_the_visit_and_bad_rows_are_named(store, rulebook, tmp_path):
    from onething.planning import read_task_file

    _registry(store, n=10)
    key = "913715000000000003"
    f = tmp_path / "tasks.jsonl"
    f.write_text(
        json.dumps(
            {"key": key, "item": "fake.003", "kind": "complaint", "due": "2026-02-01", "id": "C1"}
        )
        + "\n"
        + json.dumps({"key": key, "item": "fake.001", "kind": "reinspection", "due": "2026-09-01"})
        + "\n",
        "utf-8",
    )
    doc = make_plan(store, rulebook, cycle="2026Q1", seed="S", task_rows=read_task_file(f))
    assert any(t["id"] == "N:complaint:C1" for t in doc["tasks"])
    assert [d["task"] for d in doc["deferred"]] == [f"N:reinspection:fake.001:{key}"]
    visit = next(v for v in doc["visits"] if v["key"] == key and v["joint"])
    assert "N:complaint:C1" in visit["tasks"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"key": "K", "item": "fake.001", "kind": "weekly"}\n', "utf-8")
    with pytest.raises(InvalidInput, match=r"bad.jsonl:1"):
        read_task_file(bad)


def test_a_stored_task_the_plan_cannot_place_is_listed_not_a_crash(store, rulebook, tmp_path):
    """A closed-loop task whose object left the registry, or whose item is not in force, is
    listed as unplaceable with its reason (and recomputed by verify); the same row in a tasks
    file is an input error naming the line."""
    from onething.planning import read_task_file, verify_plan

    _registry(store, n=10)
    key = "913715000000000003"
    gone = {"key": "913715000000009999", "item": "fake.001", "kind": "reinspection"}
    stale = {"key": key, "item": "fake.999", "kind": "post_licence"}
    ok = {"key": key, "item": "fake.001", "kind": "reinspection", "due": "2026-02-01"}
    rows = [{**r, "_line": f"loop[{n}]"} for n, r in enumerate([gone, stale, ok])]
    doc = make_plan(store, rulebook, cycle="2026Q1", seed="S", task_rows=rows)
    reasons = {u["task"]: u["reason"] for u in doc["unplaceable"]}
    assert reasons == {
        f"N:reinspection:fake.001:{gone['key']}": "object_not_in_registry",
        f"N:post_licence:fake.999:{key}": "item_not_in_force",
    }
    assert doc["summary"]["unplaceable_tasks"] == 2
    assert f"N:reinspection:fake.001:{key}" in {t["id"] for t in doc["tasks"]}
    assert verify_plan(store, rulebook, doc) == []
    edited = {**doc, "unplaceable": doc["unplaceable"][:1]}
    assert any(p.startswith("unplaceable:") for p in verify_plan(store, rulebook, edited))

    f = tmp_path / "tasks.jsonl"
    f.write_text(json.dumps(gone) + "\n", "utf-8")
    with pytest.raises(InvalidInput, match=r"tasks.jsonl:1: key: .*not in the registry"):
        make_plan(store, rulebook, cycle="2026Q2", seed="S", task_rows=read_task_file(f))


def test_pool_file_errors_name_the_row_and_column(tmp_path):
    f = tmp_path / "pool.csv"
    f.write_text(
        "id,name,department,region\nm1,王伟,market,371500\nm2,李娜,nosuch,371500\n", "utf-8"
    )
    with pytest.raises(InvalidInput, match=r"pool.csv:3: department"):
        read_pool(f)


@pytest.mark.parametrize("bad", ["=cmd", "+1", "-1", "@x", "王伟", "a b", "x" * 65])
def test_an_inspector_id_must_be_plain_and_the_message_says_what_is_expected(
    english, tmp_path, bad
):
    f = tmp_path / "pool.csv"
    f.write_text(f"id,name,department,region\n{bad},王伟,market,371500\n", "utf-8")
    with pytest.raises(InvalidInput, match=r"pool.csv:2: id: .*expected letters, digits"):
        read_pool(f)


def test_pool_names_that_look_like_formulas_are_written_as_text(tmp_path):
    f = tmp_path / "pool.csv"
    write_pool(f, [Inspector(id="m1", name="=1+1", department="market", region="371500")])
    assert "'=1+1" in f.read_text("utf-8")
    assert read_pool(f)[0].id == "m1"


def test_compute_plan_is_pure_given_its_inputs(rulebook):
    objects = _objects(50)
    pop = build_population(objects, [(k, "fake.001") for k, *_ in objects])
    pool = [Inspector(id=f"m{n}", name="x", department="market", region="371500") for n in range(5)]
    a = compute_plan(rulebook, pop, pool, History({}, {}), cycle="2026Q1", seed="S")
    b = compute_plan(rulebook, pop, pool, History({}, {}), cycle="2026Q1", seed="S")
    assert a == b and a["assignments"]


def test_a_case_waiting_for_reinspection_is_a_task_of_the_next_cycle(store, rulebook):
    """Issue 19: a case in rectification — opened from a warning, so without items of its own —
    gives a re-inspection task per item of the object in its domain, due on the order's
    deadline, in the object's joint visit; an overdue one is due now, a later one deferred;
    plan verify recomputes them from the rows recorded with the draw."""
    from onething.loop import Actor, CaseSource, Loop, open_case, transition
    from onething.planning import verify_plan
    from onething.planning.cycle import cycle_window
    from onething.planning.tasks import loop_tasks

    _registry(store, n=10)
    loop = Loop(rulebook)
    inspector = Actor("market", "inspector", "371500")
    at = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)

    def in_rectification(key: str, deadline: str) -> int:
        case = open_case(
            store,
            loop,
            CaseSource(kind="warning", domain="fake", object_key=key),
            region="371502",
            at=at,
        )
        for code, who, ev in (
            ("assess", Actor("market", "reviewer", "371500"), None),
            ("transfer_clue", Actor("market", "reviewer", "371500"), {"to_department": "market"}),
            ("accept_clue", inspector, None),
            (
                "order_rectification_on_handling",
                inspector,
                {"order_no": f"责改-{key[-2:]}", "deadline": deadline},
            ),
        ):
            case = transition(
                store, loop, case.id, code, who, version=case.version, evidence=ev, at=at
            )
        assert case.state == "rectification"
        return case.id

    due_now = in_rectification("913715000000000003", "2026-02-20")  # in 2026Q1
    overdue = in_rectification("913715000000000004", "2025-12-20")  # before it
    later = in_rectification("913715000000000005", "2026-05-20")  # in Q2: not yet
    rows = loop_tasks(store, cycle_window("2026Q1"))
    doc = make_plan(store, rulebook, cycle="2026Q1", seed="S", task_rows=rows)
    tasks = {t["id"]: t for t in doc["tasks"] if t["kind"] == "reinspection"}
    for case_id, key, due in (
        (due_now, "913715000000000003", "2026-02-20"),
        (overdue, "913715000000000004", "2025-12-20"),
    ):
        ids = {f"N:reinspection:case-{case_id}-fake.00{n}" for n in (1, 2, 3)}
        assert ids <= set(tasks), (case_id, sorted(tasks))
        assert {tasks[i]["due"] for i in ids} == {due}
        visits = [v for v in doc["visits"] if v["key"] == key]
        joint = next(v for v in visits if f"N:reinspection:case-{case_id}-fake.001" in v["tasks"])
        assert f"N:reinspection:case-{case_id}-fake.003" in joint["tasks"]  # one joint visit
        apart = [v for v in visits if v is not joint]  # where a merge constraint forbids it
        assert all(v["split_reason"] for v in apart)
        assert ids <= {t for v in visits for t in v["tasks"]}
    assert not any(f"case-{later}-" in t for t in tasks)
    assert verify_plan(store, rulebook, doc) == []
    dropped = {**doc, "tasks": [t for t in doc["tasks"] if t["kind"] != "reinspection"]}
    assert any(p.startswith("tasks:") for p in verify_plan(store, rulebook, dropped))


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    seed=st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
    ),
    cycle=st.sampled_from(["2026", "2026H2", "2026Q3", "2026-11"]),
    cap=st.integers(1, 6),
)
def test_every_plan_is_a_valid_document_that_round_trips_and_verifies(
    store, rulebook, tmp_path_factory, seed, cycle, cap
):
    """#17: whatever the seed, cycle and cap, the plan document fits plan.schema.json, reads
    back from its file unchanged, and ``plan verify`` finds nothing to recompute differently."""
    from onething.planning.verify import read_plan
    from onething.store.registry import RegistryObject

    with store.session() as s:
        if s.get(RegistryObject, "913715000000000000") is None:
            _registry(store, n=40, seed=3)
            _pool(store)
    from onething.planning import PlanDocument, read_document, write_plan
    from onething.store.planning import PlanningPlan

    written = {}
    doc = make_plan(
        store,
        rulebook,
        cycle=cycle,
        seed=seed,
        inspector_cap=cap,
        reason="property test",
        write=lambda d: written.update(paths=write_plan(d, tmp_path_factory.mktemp("plan"))),
    )
    path = written["paths"]["json"]
    assert read_plan(path) == doc
    model = read_document(path)  # the typed document, and back: exactly the file
    assert model.as_json() == doc
    assert model.file_text().encode() == path.read_bytes()
    assert PlanDocument.from_json(model.as_json()) == model
    # the recorded hash is the hash of what the file says
    with store.session() as s:
        recorded = s.get(PlanningPlan, doc["plan_id"]).plan_sha256
    assert model.digest() == recorded == doc["plan_sha256"]
    assert verify_plan(store, rulebook, read_plan(path)) == []
    assert verify_plan(store, rulebook, model) == []
    # the files written from the typed document are those written from its values (#31)
    again = write_plan(model, tmp_path_factory.mktemp("typed"))
    for k, p in written["paths"].items():
        assert again[k].read_bytes() == p.read_bytes(), k


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """One stored draw on SQLite, as its typed document (for the model's properties)."""
    from fake_support import FAKE

    from conftest import make_store
    from onething import enable

    store, drop = make_store("sqlite", tmp_path_factory.mktemp("drawn"))
    try:
        _registry(store, n=30, seed=5)
        _pool(store)
        book = Rulebook(enable(["fake"], entry_points=[FAKE]))
        yield PlanDocument.from_json(make_plan(store, book, cycle="2026H2", seed="S", reason="r"))
    finally:
        drop()


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    seed=_TEXT.filter(bool),
    reason=_TEXT,
    drawn_by=_TEXT,
    drawn_at=st.datetimes(timezones=st.just(dt.UTC)).map(lambda t: t.isoformat()),
    plan_id=st.integers(1, 2**62),
    name=st.none() | _TEXT,
    percentage=st.floats(0, 100),
)
def test_a_plan_document_round_trips_through_its_file_bytes_with_the_same_hash(
    drawn, tmp_path_factory, seed, reason, drawn_by, drawn_at, plan_id, name, percentage
):
    """#17: document → the bytes of plan.json → read_document is the same document with the
    same hash, whatever text and numbers it holds (control characters, quotes, line
    separators, any float); the hash ignores the audit fields and sees everything else."""
    import attrs

    from onething.planning import read_document

    doc = drawn.evolve(
        seed=seed,
        reason=reason,
        drawn_by=drawn_by,
        drawn_at=drawn_at,
        plan_id=plan_id,
        deployment=attrs.evolve(drawn.deployment, name=name),
        platform=attrs.evolve(drawn.platform, percentage=percentage),
    )
    path = tmp_path_factory.mktemp("rt") / "plan.json"
    path.write_bytes(doc.file_text().encode())
    back = read_document(path)
    assert back == doc
    assert back.file_text().encode() == path.read_bytes()
    assert back.digest() == doc.digest()
    # written straight from the typed document (#31), the hashed bytes are the canonical JSON
    # of the file's values: floats as the standard library writes them (1e-05, not 0.00001)
    from onething.planning.document import canonical_bytes, canonical_json, same_digest

    assert canonical_bytes(doc) == canonical_json(doc.as_json())
    assert same_digest(doc.as_json(), doc.digest())
    assert not same_digest(doc.as_json(), drawn.evolve(seed=seed + "x").digest())
    audit_only = drawn.evolve(reason=reason, drawn_by=drawn_by, drawn_at=drawn_at, plan_id=plan_id)
    assert audit_only.digest() == drawn.digest()
    assert (doc.digest() == drawn.digest()) == (
        (seed, name, percentage) == (drawn.seed, drawn.deployment.name, drawn.platform.percentage)
    )


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["visits"][0].update(region="37150"), "visits[0].region"),
        (lambda d: d["tasks"][0].update(kind="random_walk"), "tasks[0].kind"),
        (lambda d: d.pop("seed"), "(top level)"),
        (lambda d: d.update(extra=1), "(top level)"),
        (lambda d: d.update(seed=20260101), "seed"),  # ill-typed: a number, not text
        (lambda d: d["summary"].update(visits="12"), "summary.visits"),
        (lambda d: d["strata"][0].update(ratio=1.5), "strata[0].ratio"),
        (lambda d: d["assignments"][0].pop("inspector"), "assignments[0]"),
        (lambda d: d.update(drawn_at="yesterday"), "drawn_at"),  # only fastjsonschema checks
        (lambda d: d["window"].update(start="2026-02-30"), "window.start"),
    ],
)
def test_plan_verify_refuses_a_malformed_plan_file_naming_the_key(
    store, rulebook, tmp_path, edit, where
):
    from onething.planning.verify import read_plan

    _registry(store, n=20)
    _pool(store)
    doc = make_plan(store, rulebook, cycle="2026Q1", seed="S")
    edit(doc)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    with pytest.raises(InvalidInput) as exc:
        read_plan(path)
    assert exc.value.path == where
    # plan verify's way (#31): the schema checked by verify_plan, in full for a file that does
    # not hash as its draw did, else its audit fields and short parts
    with pytest.raises(InvalidInput) as exc:
        verify_plan(store, rulebook, read_plan(path, check=False), checked=False, location="f")
    assert (exc.value.location, exc.value.path) == ("f", where)


def _schema_fields(schema, node):
    node = schema["$defs"][node] if isinstance(node, str) else node
    return set(node["properties"])


def test_the_plan_schema_and_the_plan_document_model_have_the_same_fields():
    """#17: ``schemas/plan.schema.json`` publishes the :class:`PlanDocument` model — every
    field of the model and of its parts is in the schema and the schema has no other; a
    required key is one the model always writes."""
    import attrs

    from onething import schemas
    from onething.planning import document as D
    from onething.planning.model import Assignment, Infeasible, Task, Unplaced, Visit
    from onething.planning.sampling import Stratum

    schema = schemas.load("plan")
    props = schema["properties"]

    def names(cls):
        return {a.name for a in attrs.fields(cls)}

    def omitted(cls):
        return {a.name for a in attrs.fields(cls) if a.metadata.get("omit")}

    assert set(props) == names(D.PlanDocument)
    assert set(schema["required"]) == names(D.PlanDocument) - {
        "presence",
        "offsite_checks",
    }, "presence and offsite_checks only where objects are supervised off site or on sites"
    parts = {
        "algorithm": D.Algorithm,
        "window": D.Window,
        "deployment": D.DeploymentRef,
        "population": D.PopulationRef,
        "platform": D.Platform,
        "options": D.PlanOptions,
        "inspectors": D.InspectorFigures,
        "presence": D.PresenceRef,
        "summary": D.Summary,
    }
    for key, cls in parts.items():
        assert set(props[key]["properties"]) == names(cls), key
        assert set(props[key].get("required", ())) <= names(cls) - omitted(cls), key
    listed = {
        "missing_ratios": D.MissingRatio,
        "strata": Stratum,
        "unplaced": Unplaced,
        "assignments": Assignment,
        "infeasible": Infeasible,
        "offsite_checks": D.OffsiteCheck,
    }
    for key, cls in listed.items():
        assert set(props[key]["items"]["properties"]) == names(cls), key
    assert _schema_fields(schema, "task") == names(Task)
    assert _schema_fields(schema, "visit") == names(Visit)
    assert set(schema["$defs"]["visit"]["required"]) == names(Visit) - omitted(Visit) - {
        "split",
        "split_reason",
    }
    assert props["kind"] == {"enum": ["draw", "redraw"]}


def test_a_plan_with_a_stratum_without_a_ratio_fits_its_schema(drawn):
    """#31: a random-mode item with no ratio in force is drawn from no one (its stratum's ratio
    null, listed in missing_ratios, or ratio 0), and ``plan verify`` read such a plan file as
    malformed; a ratio outside [0, 1] still is."""
    from onething import schemas

    doc = drawn.as_json()
    for ratio in (None, 0, 1):
        doc["strata"][0] = {**doc["strata"][0], "ratio": ratio, "size": 0, "parameter": None}
        schemas.check_document(doc, "plan", location="plan.json")
    for ratio in (-0.1, 1.5, "0.1"):
        doc["strata"][0]["ratio"] = ratio
        with pytest.raises(InvalidInput) as exc:
            schemas.check_document(doc, "plan", location="plan.json")
        assert exc.value.path == "strata[0].ratio"


class _Item:
    def __init__(self, departments):
        self.departments = departments


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n=st.integers(1, 40),
    n_items=st.integers(1, 5),
    seed=st.text(min_size=1, max_size=5),
)
def test_the_independent_expectation_is_the_loops_to_the_last_bit(data, n, n_items, seed):
    """#31: the vectorised expectation of today's visits equals, bit for bit, the loop it
    replaced (so a plan drawn before recomputes its summary exactly): any objects, items,
    ratios (0, 1 and between), departments repeated across items, objects off site."""
    from onething.planning.plan import _independent_expectation_loop, independent_expectation

    rnd = random.Random(data.draw(st.integers(0, 10**6)))
    codes = [f"fake.{i:03d}" for i in range(n_items)]
    objects = [
        (f"K{i:03d}", rnd.choice(GRADES), rnd.choice(("low", "high")), "371502") for i in range(n)
    ]
    pairs = [(k, c) for k, *_ in objects for c in codes if rnd.random() < 0.6]
    if not pairs:
        return
    pop = build_population(objects, pairs)
    choice = st.sampled_from([0.0, 0.05, 0.3, 1.0, None])
    ratios = {(c, g): data.draw(choice) for c in pop.item_codes for g in pop.credit_labels}
    sample = draw(pop, seed, ratios)
    depts = ["market", "fire", "health"]
    items = {
        c: _Item(data.draw(st.lists(st.sampled_from(depts), max_size=3))) for c in pop.item_codes
    }
    offsite = frozenset(k for k in pop.keys if rnd.random() < 0.2)
    for off in (frozenset(), offsite):
        fast = independent_expectation(pop, ratios, items, sample.strata, off)
        loop = _independent_expectation_loop(pop, ratios, items, sample.strata, off)
        assert fast == loop
