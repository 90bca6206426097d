"""`ganforge serve`: a local web page and JSON API around a trained generator."""

from __future__ import annotations

import argparse

from ganforge.cli import examples
from ganforge.cli.numbers import PORT, THREADS
from ganforge.cli.pretrained import add_encoder_dir_argument, add_source_arguments


def add_parser(sub) -> None:
    p = sub.add_parser(
        "serve", help="web page and JSON API for a trained generator",
        description="Serve a page and an API (POST /api/generate, GET /api/interpolate, "
        "GET /api/info, schema at /openapi.json) for a trained run. Needs the web extra: "
        "pip install 'ganforge[web]'.", **examples("ganforge serve --pretrained t2i-fashion"))
    add_source_arguments(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=PORT, default=8000,
                   help=f"port (default 8000; 0: any free; {PORT.range})")
    p.add_argument("--threads", type=THREADS, metavar="N",
                   help="torch threads of the server process (default: torch's choice, one "
                   f"per core; {THREADS.range}, as train's --threads)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also answer requests for this host name (repeatable; e.g. the name "
                   "a reverse proxy forwards; '*.example.org' for its subdomains, '*' for "
                   "any). Other names than the listening address's get 400 (against DNS "
                   "rebinding)")
    p.add_argument("--no-access-log", action="store_true", help="do not log each request")
    add_encoder_dir_argument(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ganforge.serve.hosts import allowed_hosts, checked_name
    from ganforge.serve.server import banner, bind, make_server, require_web

    require_web()
    for name in args.allow_host:
        checked_name(name)
    from ganforge.pretrained.store import resolve_source
    from ganforge.serve.app import create_app
    from ganforge.serve.assembly import load_service

    source = resolve_source(args.run, args.pretrained, "serve")
    service = load_service(source, args.text_encoder_dir)  # the model is loaded once, here
    sock = bind(args.host, args.port)
    try:
        app = create_app(service, allowed_hosts(args.host, sock, args.allow_host))
        if args.threads is not None:
            import torch

            torch.set_num_threads(args.threads)  # for the whole server process
        shown = args.run if args.pretrained is None else f"pretrained {args.pretrained}"
        print(banner(shown, sock), flush=True)
        make_server(app, access_log=not args.no_access_log).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn has finished its graceful shutdown and re-raised Ctrl-C: a normal stop
    finally:
        sock.close()
    print("server stopped", flush=True)
    return 0
