"""Helpers for tests that enable plugins through faked entry points (no installation)."""

from importlib import metadata

GROUP = "onething.domains"


def entry_point(name: str, value: str) -> metadata.EntryPoint:
    return metadata.EntryPoint(name=name, value=value, group=GROUP)


FAKE = entry_point("fake", "onething_fake")
FAKECITY = entry_point("fakecity", "onething_fakecity:plugin")


def fake_deployment(store, tmp_path, monkeypatch, key: str, region: str = "371502"):
    """A deployment of the fake domain on the test's store (its plugin found beside the
    installed ones), with one object ``key`` and a fact that fires ``fake.abnormal_list``:
    ``(config path, objects file, facts file)``."""
    import json

    real = metadata.entry_points

    def entry_points(**kw):
        found = list(real(**kw))
        return [*found, FAKE] if kw.get("group") == "onething.domains" else found

    monkeypatch.setattr("onething.plugins.metadata.entry_points", entry_points)
    path = tmp_path / "onething.toml"
    path.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["fake"]\n'
        f'[storage]\nurl = "{store.config_url}"\n',
        "utf-8",
    )
    obj = {
        "uscc": key,
        "name": "测试商店",
        "region_code": region,
        "domains": {"fake": {"object_types": ["shop"], "attributes": {}}},
    }
    objects = tmp_path / "objects.jsonl"
    objects.write_text(json.dumps(obj, ensure_ascii=False) + "\n", "utf-8")
    facts = tmp_path / "facts.csv"
    facts.write_text(
        f"key,fact,value,observed_at,source\n{key},abnormal_listed,true,2026-06-01,公示系统\n",
        "utf-8",
    )
    return str(path), objects, facts
