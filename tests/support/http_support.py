"""The real HTTP service on a loopback port for tests: uvicorn in a thread of the test
process (so the fake domain's faked entry points reach it), driven with httpx."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import jwt
import uvicorn

from onething import schemas
from onething.registry.uscc import make_uscc

KEY = make_uscc("9", "1", "371502", "MA3C0001")
REGION = "371502"
SECRET = "test-secret-for-the-host-platform-tokens"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(api, *, port: int | None = None) -> Iterator[str]:
    """Serve the ASGI app ``api`` on 127.0.0.1 until the block ends; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):  # up to 10 s on a loaded machine
        if server.started:
            break
        time.sleep(0.02)
    else:
        raise RuntimeError("the test server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def client(base: str, **kw) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=30, **kw)


def token(
    dept="market", role="reviewer", region="371500", sub="u-1001", key=SECRET, **extra
) -> str:
    """A token the host platform signs (HS256, the tests' shared secret)."""
    claims = {
        "sub": sub,
        "dept": dept,
        "role": role,
        "region": region,
        "iss": "host-platform",
        "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10),
        **extra,
    }
    return jwt.encode(claims, key, algorithm="HS256")


def auth(**kw) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(**kw)}"}


def write_config(tmp_path, store, http: str) -> str:
    path = tmp_path / "onething.toml"
    path.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["fake"]\n'
        f'[storage]\nurl = "{store.config_url}"\n{http}',
        "utf-8",
    )
    return str(path)


JWT_HTTP = (
    '[http]\nauth = "jwt"\n[http.jwt]\nalgorithms = ["HS256"]\nsecret_env = "ONETHING_TEST_JWT"\n'
    'issuer = "host-platform"\n[http.jwt.claims]\ndepartment = "dept"\n'
)


REVIEWER = {"role": "reviewer", "sub": "u-reviewer"}
INSPECTOR = {"role": "inspector", "sub": "u-inspector"}
LEADER = {"role": "leader", "sub": "u-leader"}


def _valid(doc, name: str):
    errors = list(schemas.validator(name).iter_errors(doc))
    assert not errors, (list(errors[0].absolute_path), errors[0].message)
    return doc


def _case_id(c) -> int:
    page = c.get("/cases", params={"object": KEY}, headers=auth(**REVIEWER)).json()
    _valid(page, "case-page")
    (case,) = page["cases"]
    return case["id"]


def _act(c, case_id, code, who, body=None, version=None):
    if version is None:
        version = int(c.get(f"/cases/{case_id}", headers=auth(**who)).headers["ETag"].strip('"'))
    return c.post(
        f"/cases/{case_id}/transitions/{code}",
        headers={**auth(**who), "If-Match": f'"{version}"'},
        json=body or {},
    )
