"""The effective loop as Mermaid, Graphviz and BPMN 2.0; the BPMN runs in SpiffWorkflow."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.util.task import TaskState

from onething.loop import Loop
from onething.loop.diagram import BPMN_NS, bpmn, graphviz, mermaid
from onething.rulebook import Rulebook


@pytest.fixture
def loop(fake_domains):
    return Loop(Rulebook(fake_domains))


def _walk(xml: str, process: str, entry: str, path: list[str]) -> list[str]:
    parser = BpmnParser()
    parser.add_bpmn_str(xml.encode("utf-8"))
    wf = BpmnWorkflow(parser.get_spec(process))
    for task in wf.get_tasks(state=TaskState.READY):
        task.data["entry"] = entry
    wf.do_engine_steps()
    visited = []
    for code in path:
        (task,) = wf.get_tasks(state=TaskState.READY, manual=True)
        visited.append(task.task_spec.name)
        task.data["transition"] = code
        task.run()
        wf.do_engine_steps()
    assert wf.is_completed()
    return visited


def test_exported_bpmn_walks_a_path_through_the_extension_in_spiffworkflow(loop):
    xml = bpmn(loop, dialect="python")
    path = [
        "assess",
        "transfer_clue",
        "accept_clue",
        "inspect_jointly",
        "order_rectification",
        "fake_suspend",
        "fake_resume",
        "confirm_rectified",
        "close",
    ]
    visited = _walk(xml, "onething_loop_fake", "warning", path)
    assert visited[0] == "task_warning" and "task_fake_suspended" in visited


def test_exported_bpmn_core_process_walks_the_sanction_and_repair_path(loop):
    xml = bpmn(loop, dialect="python")
    visited = _walk(
        xml,
        "onething_loop_core",
        "joint_sanction",
        ["apply_credit_repair", "credit_repair_refused", "sanction_ended", "close"],
    )
    assert visited == [
        "task_joint_sanction",
        "task_credit_repair",
        "task_joint_sanction",
        "task_retrospective",
    ]
    assert "fake_suspended" not in xml.split('id="onething_loop_fake"')[0]


def test_bpmn_for_flowable_and_camunda_uses_juel_conditions(loop):
    root = ET.fromstring(bpmn(loop))
    conditions = [c.text for c in root.iter(f"{{{BPMN_NS}}}conditionExpression")]
    assert "${transition == 'assess'}" in conditions
    assert all(p.get("isExecutable") == "true" for p in root.iter(f"{{{BPMN_NS}}}process"))


def test_mermaid_and_graphviz_show_core_and_extension(loop):
    text = mermaid(loop)
    assert text.startswith("stateDiagram-v2")
    assert "rectification --> fake_suspended" in text and "[*] --> warning" in text
    dot = graphviz(loop).source
    assert "fake_suspended" in dot and "cluster_joint_sanction" in dot
    assert "fake_suspended" not in mermaid(Loop(Rulebook(loop.rulebook.domains)), "other")
