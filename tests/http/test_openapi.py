"""The API's description is the code's: ``docs/openapi.json`` is what the application
generates (stale → fails), and a bounded Schemathesis run fuzzes the real service from that
description — no 5xx, every response of a documented status, type and schema. The longer run
is in docs/http.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from http_support import JWT_HTTP, KEY, REGION, auth, client, serving, write_config
from hypothesis import HealthCheck, settings

from onething.http import openapi_text

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "openapi.json"


def test_docs_openapi_json_is_what_the_code_generates():
    """Regenerate with: onething docs openapi --out docs/openapi.json --force"""
    assert DOC.read_text("utf-8") == openapi_text(), (
        "docs/openapi.json is stale: run onething docs openapi --out docs/openapi.json --force"
    )


def test_the_description_is_openapi_3_1_with_every_output_document_as_a_component():
    doc = json.loads(openapi_text())
    assert doc["openapi"].startswith("3.1")
    comps = doc["components"]["schemas"]
    for name in ("Case", "CaseSummary", "Checklist", "Record", "Problem", "Job", "EventPage"):
        assert name in comps
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert {"401", "422"} <= set(op["responses"]), (method, path)
            p401 = op["responses"]["401"]["content"]["application/problem+json"]
            assert p401["schema"] == {"$ref": "#/components/schemas/Problem"}


# uploads as the service takes them: JSON Lines as text, XLSX as bytes
schemathesis.serializer.alias("application/x-ndjson", "text/plain")
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"
)
SCHEMA = schemathesis.openapi.from_dict(json.loads(openapi_text()))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    """The real service over a deployment with one object, one warning case and a record,
    for the whole module (the fuzz makes hundreds of calls)."""
    from importlib import metadata

    from fake_support import FAKE

    from conftest import make_store
    from onething import Onething
    from onething.cli import main
    from onething.http import create_app, http_settings

    tmp = tmp_path_factory.mktemp("fuzz")
    store, cleanup = make_store("sqlite", tmp)
    store.config_url = store.url
    real = metadata.entry_points

    def entry_points(**kw):
        found = list(real(**kw))
        return [*found, FAKE] if kw.get("group") == "onething.domains" else found

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("onething.plugins.metadata.entry_points", entry_points)
        mp.setenv("ONETHING_TEST_JWT", "test-secret-for-the-host-platform-tokens")
        path = write_config(tmp, store, JWT_HTTP)
        objects = tmp / "objects.jsonl"
        objects.write_text(
            json.dumps({"uscc": KEY, "name": "测试商店", "region_code": REGION,
                        "domains": {"fake": {"object_types": ["shop"], "attributes": {}}}},
                       ensure_ascii=False) + "\n", "utf-8",
        )  # fmt: skip
        facts = tmp / "facts.csv"
        facts.write_text(
            f"key,fact,value,observed_at,source\n{KEY},abnormal_listed,true,2026-06-01,x\n", "utf-8"
        )
        for args in (
            ("registry", "import", str(objects)),
            ("facts", "ingest", str(facts)),
            ("risk", "evaluate", "--at", "2026-06-30"),
        ):
            with pytest.raises(SystemExit) as exc:
                main([*args, "--config", path])
            assert exc.value.code == 0
        app = Onething.from_config(path)
        with serving(create_app(app, http_settings(app.deployment))) as base:
            yield base
        app.close()
    cleanup()


@SCHEMA.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_fuzzed_from_its_own_description(case, fuzzed):
    """Bounded (3 examples an operation, derandomized): the longer run is in docs/http.md.
    A request the schema allows may still name a domain or case that is not there: refused
    with a located 4xx problem, as the command line refuses it (the one check left out)."""
    excluded = [schemathesis.checks.positive_data_acceptance]
    if case.operation.path == "/registry/imports":
        # an upload is bytes: a "wrong type" body Schemathesis makes (an object where the
        # schema says string) goes on the wire as text like any other — a file of one JSON
        # object is a well-formed JSON Lines upload; what it holds is the job's to judge
        excluded.append(schemathesis.checks.negative_data_rejection)
    case.call_and_validate(base_url=fuzzed, headers=auth(), excluded_checks=excluded)


def test_the_fuzzed_service_still_answers(fuzzed):
    with client(fuzzed) as c:
        assert c.get("/health").json()["status"] == "ok"
