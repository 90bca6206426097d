"""Fixtures for the web server tests: one tiny trained run, its service and a test client."""

from __future__ import annotations

import threading
import time
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

TINY_RUN = {"limit": "128", "batch_size": "32", "epochs": "1", "g_hidden": "32,64",
            "d_hidden": "64,32", "eval_every": "0"}


@pytest.fixture(scope="package")
def served_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny MLP run on a slice of real MNIST, trained once for every serve test."""
    from ganforge.config import resolve_config
    from ganforge.training.run import train
    from tests.conftest import REAL_DATA_ROOT

    if REAL_DATA_ROOT is None or not REAL_DATA_ROOT.is_dir():
        pytest.skip("real data sets not available (set GANFORGE_DATA)")
    mp = pytest.MonkeyPatch()
    mp.setenv("GANFORGE_DATA", str(REAL_DATA_ROOT))
    mp.setenv("GANFORGE_NO_DOWNLOAD", "1")
    try:
        out = tmp_path_factory.mktemp("serve") / "run"
        train(resolve_config("mlp-mnist", overrides=TINY_RUN), out, progress=False)
    finally:
        mp.undo()
    return out


@pytest.fixture(scope="package")
def service(served_run):
    from ganforge.serve.service import load_service

    return load_service(served_run)


@pytest.fixture(scope="package")
def client(service):
    from ganforge.serve.app import create_app

    with warnings.catch_warnings():
        # Starlette's notice about a future httpx successor; the client works as it is.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with TestClient(create_app(service)) as test_client:
        yield test_client


@pytest.fixture(scope="package")
def server_url(service):
    """uvicorn in a background thread on a free loopback port; stopped at the end."""
    from ganforge.serve.app import create_app
    from ganforge.serve.server import bind, make_server, url_of

    sock = bind("127.0.0.1", 0)
    server = make_server(create_app(service), access_log=False)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.02)
    yield url_of(sock)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
