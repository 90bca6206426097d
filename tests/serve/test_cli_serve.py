"""`ganforge serve` as a user starts it: the start-up line, one-line errors, clean stop."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading

import httpx
import pytest

from ganforge.cli import main
from ganforge.serve.server import banner, bind


def _one_line(capsys, fragment: str) -> None:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err
    assert err[0].startswith("ganforge: error: ")


def test_without_the_web_extra_one_line_names_the_install(monkeypatch, capsys, served_run):
    import ganforge.serve.server as server

    real = server.importlib.util.find_spec
    monkeypatch.setattr(server.importlib.util, "find_spec",
                        lambda name: None if name == "uvicorn" else real(name))
    assert main(["serve", str(served_run)]) == 2
    _one_line(capsys, "needs uvicorn: pip install 'ganforge[web]'")


def test_missing_run_is_one_line(capsys, tmp_path):
    assert main(["serve", str(tmp_path / "nowhere")]) == 2
    _one_line(capsys, "no such run folder or checkpoint")


def test_port_in_use_is_one_line(capsys, served_run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["serve", str(served_run), "--port", str(port)]) == 2
    _one_line(capsys, f"port {port} on 127.0.0.1 is already in use")


@pytest.mark.parametrize("args,fragment", [
    (["--host", "no-such-host.invalid"], "--host 'no-such-host.invalid': not a known address"),
    (["--allow-host", "ok.example", "--allow-host", "not a name"],
     "--allow-host 'not a name': not a host name"),
])
def test_bad_address_is_one_line(capsys, served_run, args, fragment):
    assert main(["serve", str(served_run), *args]) == 2
    _one_line(capsys, fragment)


@pytest.mark.parametrize("args,fragment", [
    (["--port", "70000"], "argument --port: must be in 0..65535, got 70000"),
    (["--threads", "0"], "argument --threads: must be in 1..1024, got 0"),
    (["--threads", "2000"], "argument --threads: must be in 1..1024, got 2000"),
])
def test_a_number_out_of_range_is_one_usage_line(capsys, served_run, args, fragment):
    with pytest.raises(SystemExit) as stop:
        main(["serve", str(served_run), *args])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err


def test_banner_says_who_can_reach_the_server():
    with bind("127.0.0.1", 0) as local:
        port = local.getsockname()[1]
        assert banner("runs/x", local) == (
            f"serving runs/x on http://127.0.0.1:{port} (local only; use --host 0.0.0.0 to expose)")
    with bind("0.0.0.0", 0) as public:
        assert "reachable from other machines" in banner("runs/x", public)


def _first_line(stream, timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"no start-up line within {timeout} s")


def test_serves_on_loopback_and_stops_cleanly_on_ctrl_c(served_run):
    process = subprocess.Popen(
        [sys.executable, "-m", "ganforge", "serve", str(served_run), "--port", "0",
         "--no-access-log", "--allow-host", "gan.example.org"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=dict(os.environ))
    try:
        line = _first_line(process.stdout, timeout=60)
        match = re.fullmatch(r"serving (.+) on (http://127\.0\.0\.1:\d+) \(local only; .*\)\n",
                             line)
        assert match and match.group(1) == str(served_run), line
        info = httpx.get(match.group(2) + "/api/info", timeout=30).json()
        assert info["kind"] == "unconditional"
        for host, status in [("gan.example.org", 200), ("localhost", 200), ("evil.example", 400)]:
            answer = httpx.get(match.group(2) + "/api/info", headers={"host": host}, timeout=30)
            assert answer.status_code == status, host
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert process.stdout.read() == "server stopped\n"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)



def test_the_command_line_does_not_import_the_web_stack(monkeypatch):
    web = ("fastapi", "uvicorn", "starlette")
    for name in list(sys.modules):  # forget them for this test (monkeypatch puts them back)
        if name.split(".")[0] in web or name.startswith(("ganforge.serve", "ganforge.cli")):
            monkeypatch.delitem(sys.modules, name)
    from ganforge.cli import build_parser

    build_parser().parse_args(["serve", "runs/x", "--port", "0"])
    assert "ganforge.cli.serve" in sys.modules
    assert [name for name in web if name in sys.modules] == []
