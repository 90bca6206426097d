"""Small helpers for self-contained HTML pages: escaped text, images inlined as data: URIs,
tables and the page frame (inline CSS and a Content-Security-Policy that forbids any
network access, so a report never loads anything from outside its own file)."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from pathlib import Path
from string import Template

_MIME = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}

_PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px;
       padding: 0 1em; color: #222; background: #fff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; }
div.wide { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left;
         vertical-align: top; overflow-wrap: break-word; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { display: inline-block; margin: 0.5em 1em 0.5em 0; vertical-align: top; }
figcaption { font-size: 0.85em; color: #555; }
img.pixels { image-rendering: pixelated; }
img.plot, img.pixels { max-width: 100%; height: auto; }
p.note { color: #666; font-style: italic; }
.settings { display: flex; flex-wrap: wrap; gap: 0 1.5em; align-items: flex-start; }
</style>
</head>
<body>
$body
</body>
</html>
""")


class Html(str):
    """Text that is already HTML: `table` and `tag` insert it without escaping."""


def esc(value: object) -> str:
    """Escape any value's text for use in HTML content or a quoted attribute."""
    return html.escape(str(value), quote=True)


def fmt(value: object) -> str:
    """Numbers as a reader wants them: 4 significant digits, integers whole, NaN as '-'."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return "-"
    return f"{value:.4g}"


def data_uri(data: bytes, mime: str) -> str:
    """The bytes as a base64 data: URI."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def mime_of(path: Path) -> str:
    """The image MIME type for a file's suffix (png, gif, jpeg)."""
    try:
        return _MIME[path.suffix.lower()]
    except KeyError:
        raise ValueError(f"{path}: not an image type a report can inline") from None


def img(data: bytes, mime: str, alt: str, kind: str, *, width: int | None = None,
        pixels: bool = False) -> Html:
    """An <img> holding `data` inline; `kind` (data-kind) says what it shows."""
    cls = "pixels" if pixels else "plot"
    size = f' width="{int(width)}"' if width else ""
    return Html(f'<img class="{cls}" data-kind="{esc(kind)}" alt="{esc(alt)}"{size} '
                f'src="{data_uri(data, mime)}">')


def file_img(path: Path, alt: str, kind: str, *, scale: int = 1) -> Html:
    """An <img> of an image file, shown `scale` times its size with sharp pixels."""
    data = path.read_bytes()
    width = _image_width(path) * scale if scale > 1 else None
    return img(data, mime_of(path), alt, kind, width=width, pixels=True)


def _image_width(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return image.width


def figure(content: str, caption: str) -> Html:
    """Content (normally an <img>) with a caption below it."""
    return Html(f"<figure>{content}<figcaption>{esc(caption)}</figcaption></figure>")


def tag(name: str, content: object, **attrs: str) -> Html:
    """<name attrs>content</name>; content is escaped unless it is Html."""
    inner = content if isinstance(content, Html) else esc(content)
    extra = "".join(f' {k.rstrip("_")}="{esc(v)}"' for k, v in attrs.items())
    return Html(f"<{name}{extra}>{inner}</{name}>")


def _cell(value: object, name: str) -> str:
    if isinstance(value, Html):
        return f"<{name}>{value}</{name}>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<{name} class="num">{esc(fmt(value))}</{name}>'
    return f"<{name}>{esc(value)}</{name}>"


def table(header: Sequence[object], rows: Sequence[Sequence[object]], **attrs: str) -> Html:
    """A table; numbers are right-aligned and formatted, Html cells are inserted as is. Long
    texts wrap, and a table still wider than the page scrolls sideways inside its own box."""
    head = "<tr>" + "".join(_cell(h, "th") for h in header) + "</tr>"
    body = "".join("<tr>" + "".join(_cell(c, "td") for c in row) + "</tr>" for row in rows)
    extra = "".join(f' {k.rstrip("_")}="{esc(v)}"' for k, v in attrs.items())
    return Html(f'<div class="wide"><table{extra}><thead>{head}</thead><tbody>{body}</tbody>'
                "</table></div>")


def section(title: str, *parts: str) -> Html:
    """An <h2> heading followed by its parts."""
    return Html(f"<section><h2>{esc(title)}</h2>\n" + "\n".join(parts) + "\n</section>")


def note(text: str) -> Html:
    return Html(f'<p class="note">{esc(text)}</p>')


def page(title: str, parts: Sequence[str]) -> str:
    """A complete HTML document: the title as <title> and <h1>, then the parts."""
    body = f"<h1>{esc(title)}</h1>\n" + "\n".join(parts)
    return _PAGE.substitute(title=esc(title), body=body)
