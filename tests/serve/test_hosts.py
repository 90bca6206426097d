"""The Host check against DNS rebinding: the names a server answers to, 400 for others."""

from __future__ import annotations

import socket

import pytest

from ganforge.errors import ConfigError
from ganforge.serve.hosts import LOOPBACK_NAMES, allowed_hosts, checked_name
from ganforge.serve.server import bind


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "localhost:8000",
                                  "127.0.0.1:1", "[::1]:8000", "LOCALHOST"])
def test_loopback_names_are_answered(client, host):
    assert client.get("/api/info", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example",
                                  "localhost.evil.example", "10.0.0.1", "", "[::2]"])
def test_other_names_are_refused(client, host):
    response = client.post("/api/generate", json={"n": 1, "seed": 0}, headers={"host": host})
    assert response.status_code == 400
    assert response.text == "Invalid host header"


def test_allowed_hosts_of_a_loopback_server():
    with bind("127.0.0.1", 0) as sock:
        assert allowed_hosts("127.0.0.1", sock) == ["127.0.0.1", "localhost", "[::1]"]
        names = allowed_hosts("localhost", sock, ["Proxy.Example.org", "*.example.net"])
        assert names == ["127.0.0.1", "localhost", "[::1]", "proxy.example.org",
                         "*.example.net"]


def test_allowed_hosts_of_a_server_on_every_interface():
    with bind("0.0.0.0", 0) as sock:
        names = allowed_hosts("0.0.0.0", sock)
    assert set(LOOPBACK_NAMES) <= set(names)
    assert socket.gethostname().lower() in names
    assert "evil.example" not in names


def test_allowed_hosts_of_a_server_on_one_address():
    sock = socket.socket()
    sock.bind(("127.0.0.2", 0))  # loopback too on Linux; stands for any single address
    try:
        assert allowed_hosts("127.0.0.2", sock)[0] == "127.0.0.2"
    finally:
        sock.close()


@pytest.mark.parametrize("name", ["proxy.example.org", "*.example.org", "10.0.0.5", "[fe80::1]",
                                  "*", "my_host"])
def test_allow_host_names_accepted(name):
    assert checked_name(name) == name


@pytest.mark.parametrize("name", ["", "evil example", "a*.b", "http://x", "x:80", "a..b",
                                  "*.", "x" * 300])
def test_allow_host_bad_names_are_one_line(name):
    with pytest.raises(ConfigError, match="--allow-host .*: not a host name"):
        checked_name(name)


def test_an_allowed_proxy_name_is_answered(service):
    import warnings

    from ganforge.serve.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    app = create_app(service, allowed_hosts=[*LOOPBACK_NAMES, "gan.example.org"])
    with TestClient(app, base_url="http://gan.example.org") as proxied:
        assert proxied.get("/api/info").status_code == 200
        assert proxied.get("/api/info", headers={"host": "other.example.org"}).status_code == 400
