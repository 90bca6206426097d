"""The FastAPI app of `ganforge serve`: one page and a small JSON/PNG API.

Routes: `GET /` (the page), `GET /api/info`, `POST /api/generate`, `GET /api/interpolate`,
`GET /openapi.json` (the schema). The interactive /docs pages are off: they load their
scripts from a CDN, and the server makes no use of other sites.

Handlers are plain functions, so FastAPI runs them on its thread pool; the service they call
only reads the model, which makes concurrent requests safe.

Around the routes, outermost first: security headers on every answer (serve.headers), the
Host check against DNS rebinding (400 for a name not in `allowed_hosts`, serve.hosts), the
body size limit (413, serve.body_limit). Refused requests get 422 without their values
echoed (serve.errors).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import quote

import torch
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.middleware.trustedhost import TrustedHostMiddleware

from ganforge.serve.body_limit import BodySizeLimit
from ganforge.serve.errors import error_answer, validation_answer
from ganforge.serve.familiar import CaptionCheck
from ganforge.serve.headers import SecurityHeaders
from ganforge.serve.hosts import LOOPBACK_NAMES
from ganforge.serve.page import FAVICON_SVG, render_page
from ganforge.serve.png import base64_pngs, grid_png
from ganforge.serve.schemas import (
    MAX_BODY_BYTES,
    ErrorResponse,
    GenerateRequest,
    ImageFormat,
    ImagesResponse,
    InfoResponse,
    InterpolateQuery,
    Limits,
)
from ganforge.serve.service import RequestError, Service

_IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "format png: one grid image; format json: one base64 PNG per image",
        "model": ImagesResponse,
        "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
    },
    413: {"model": ErrorResponse, "description": "request body over the size limit"},
}


def create_app(service: Service, allowed_hosts: Sequence[str] = LOOPBACK_NAMES) -> FastAPI:
    """The app serving `service` (already loaded: the model is read once, at startup) to
    requests whose Host header names one of `allowed_hosts` ("*": any)."""
    app = FastAPI(
        title="ganforge", version=_version(), docs_url=None, redoc_url=None,
        description="Images from a trained ganforge generator.",
    )
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts),
                       www_redirect=False)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_answer(exc)

    @app.exception_handler(RequestError)
    async def refused(request: Request, exc: RequestError) -> JSONResponse:
        place = "body" if request.method == "POST" else "query"
        return error_answer([{"type": "value_error", "loc": [place, exc.field],
                              "msg": exc.message}])

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        html, policy = render_page(service.condition, service.describe().classes)
        return HTMLResponse(html, headers={"Content-Security-Policy": policy})

    @app.get("/favicon.svg", include_in_schema=False)
    def favicon() -> Response:
        return Response(FAVICON_SVG, media_type="image/svg+xml")

    @app.get("/api/info", response_model=InfoResponse)
    def info() -> InfoResponse:
        """The served model (kind, image shape, latent size, conditional) and the limits."""
        return InfoResponse(**vars(service.describe()), limits=Limits())

    @app.post("/api/generate", response_class=Response, responses=_IMAGE_RESPONSES)
    def generate(request: GenerateRequest) -> Response:
        """n images from a seed (and a caption, or a class): the same request gives the same
        images.

        A text-conditioned model needs `caption`; with `caption_to` and `t`, it draws the
        same noise at fraction t of the way from caption to caption_to. A class-conditional
        model draws `class` when given one, else each image's class from its noise."""
        images, check = service.generate_checked(request.n, request.seed, request.caption,
                                                 request.caption_to, request.t,
                                                 request.class_name)
        return _answer(images, request.format, service, check)

    @app.get("/api/interpolate", response_class=Response, responses=_IMAGE_RESPONSES)
    def interpolate(query: Annotated[InterpolateQuery, Query()]) -> Response:
        """n images at fraction t of the way from seed_a's latent points to seed_b's (of
        `caption`, for a text-conditioned model; of `class`, when given, for a
        class-conditional one)."""
        images, check = service.interpolate_checked(query.n, query.seed_a, query.seed_b,
                                                    query.t, query.method, query.caption,
                                                    query.class_name)
        return _answer(images, query.format, service, check)

    return app


def _answer(images: torch.Tensor, fmt: ImageFormat, service: Service,
            check: CaptionCheck | None = None) -> Response:
    """The images as one PNG grid (the caption check in X-Caption-* headers) or as JSON."""
    if fmt == "png":
        return Response(grid_png(images), media_type="image/png", headers=check_headers(check))
    c, h, w = images.shape[1:]
    body = ImagesResponse(images=base64_pngs(images), channels=c, height=h, width=w,
                          step=service.describe().step,
                          caption_check=None if check is None else check.as_dict())
    return JSONResponse(body.model_dump(exclude_none=True))


def check_headers(check: CaptionCheck | None) -> dict[str, str]:
    """X-Caption-Similarity (3 decimals), X-Caption-Familiar (yes/no), X-Caption-Threshold
    and X-Caption-Nearest (percent-encoded UTF-8: header values are ASCII)."""
    if check is None:
        return {}
    return {"X-Caption-Similarity": f"{check.similarity:.3f}",
            "X-Caption-Familiar": "yes" if check.familiar else "no",
            "X-Caption-Threshold": f"{check.threshold:g}",
            "X-Caption-Nearest": quote(check.nearest, safe="")}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ganforge")
    except PackageNotFoundError:
        return "unknown"
