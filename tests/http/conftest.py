"""A deployment of the fake domain on the test's store (SQLite and PostgreSQL) with one object
whose fact fires ``fake.abnormal_list``, and the real service over it on a loopback port."""

from __future__ import annotations

import json
from importlib import metadata

import pytest
from cli_support import run
from fake_support import FAKE
from http_support import JWT_HTTP, KEY, REGION, SECRET, client, serving, write_config


@pytest.fixture
def faked(monkeypatch):
    import onething.plugins  # noqa: F401  (patched below, whichever test of a worker runs first)

    real = metadata.entry_points

    def entry_points(**kw):
        found = list(real(**kw))
        return [*found, FAKE] if kw.get("group") == "onething.domains" else found

    monkeypatch.setattr("onething.plugins.metadata.entry_points", entry_points)
    monkeypatch.setenv("ONETHING_TEST_JWT", SECRET)


@pytest.fixture
def deployment(faked, store, tmp_path, capsys):
    """The config (JWT auth) and the id of the warning case opened for KEY."""
    return populated(tmp_path, store, capsys, JWT_HTTP)


@pytest.fixture
def dev_deployment(faked, store, tmp_path, capsys):
    """The same with ``auth = "none"`` (the console's development login)."""
    return populated(tmp_path, store, capsys, '[http]\nauth = "none"\n')


def populated(tmp_path, store, capsys, http: str) -> str:
    """A config with ``http`` as its [http] section over a store holding KEY (its warning case
    opened by the risk evaluation of 2026-06-30)."""
    path = write_config(tmp_path, store, http)
    objects = tmp_path / "objects.jsonl"
    obj = {
        "uscc": KEY,
        "name": "测试商店",
        "region_code": REGION,
        "domains": {"fake": {"object_types": ["shop"], "attributes": {}}},
    }
    objects.write_text(json.dumps(obj, ensure_ascii=False) + "\n", "utf-8")
    facts = tmp_path / "facts.csv"
    facts.write_text(
        f"key,fact,value,observed_at,source\n{KEY},abnormal_listed,true,2026-06-01,公示系统\n",
        "utf-8",
    )
    for args in (
        ("registry", "import", str(objects)),
        ("registry", "map"),
        ("facts", "ingest", str(facts)),
        ("risk", "evaluate", "--at", "2026-06-30"),
    ):
        code, _out, err = run(capsys, *args, "--config", path)
        assert code == 0, err
    return path


@pytest.fixture
def service(deployment):
    from onething import Onething
    from onething.http import create_app, http_settings

    app = Onething.from_config(deployment)
    api = create_app(app, http_settings(app.deployment))
    with serving(api) as base, client(base) as c:
        yield c
    app.close()
