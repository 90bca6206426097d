"""Checks of API answers shared by the serve tests: a PNG answer, a JSON error answer."""

from __future__ import annotations

import io

from PIL import Image


def png_of(response) -> Image.Image:
    """The PNG of a 200 image/png answer."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


def error_of(response, status: int, field: str | None = None, kind: str | None = None) -> list:
    """The `detail` of an error answer, checked for its status, field and error type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    if field is not None:
        assert detail[0]["loc"][-1] == field, detail
    if kind is not None:
        assert detail[0]["type"] == kind, detail
    return detail
