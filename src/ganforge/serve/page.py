"""The single page of `ganforge serve`: plain HTML, CSS and JavaScript, all inline.

One shell (header, error line, style, the helpers of every script) around the controls of
the served run's condition (ganforge.serve.controls: seeds and latent walks, or captions and
the walk between two captions), chosen when the page is rendered.

It loads nothing from other sites; the Content-Security-Policy sent with it says so to the
browser too (scripts and styles only with the response's nonce, requests only to this server).
"""

from __future__ import annotations

import html as markup
import secrets
from collections.abc import Sequence

from ganforge.model_configs import Condition
from ganforge.serve.controls import CONTROLS
from ganforge.serve.page_tools import GALLERY, TOOLBAR, TOOLS_SCRIPT, TOOLS_STYLE

# The tab icon: a 2x2 grid of grey squares, like a sample grid.
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" fill="#111"/><rect x="1" y="1" width="6" height="6" fill="#ccc"/>'
    '<rect x="9" y="1" width="6" height="6" fill="#888"/>'
    '<rect x="1" y="9" width="6" height="6" fill="#888"/>'
    '<rect x="9" y="9" width="6" height="6" fill="#ccc"/></svg>'
)

STYLE = """
body { font: 16px/1.4 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem;
       color: #222; background: #fafafa; }
h1 { margin: 0 0 .2rem; } h2 { font-size: 1.15rem; margin: 0 0 .5rem; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 1rem;
          margin: 1rem 0; }
form { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; margin-bottom: .8rem; }
label { display: flex; flex-direction: column; font-size: .85rem; color: #555; }
input[type=number] { width: 8.5rem; font-size: 1rem; }
button, select { font-size: 1rem; }
img { display: block; background: #000; max-width: 100%; }
img[aria-busy=true] { opacity: .6; }
#model { color: #555; margin: 0; }
#data-note { color: #555; margin: .2rem 0 0; font-size: .9rem; }
#error { color: #a00; font-weight: 600; }
.slider { display: flex; align-items: center; gap: .8rem; margin-bottom: .8rem; }
.slider input { width: 24rem; max-width: 70vw; }
"""

HEADER = """
<header><h1>ganforge</h1><p id="model">loading model information&hellip;</p>
<p id="data-note"></p>@TOOLBAR@</header>
<p id="error" role="alert" hidden></p>
"""

# The seed and image-count inputs, the same for every condition.
SEED_AND_COUNT = """\
    <label>Seed <input id="seed" type="number" min="0" max="2147483647" step="1" value="0"
      required></label>
    <label>Images <input id="n" type="number" min="1" max="64" step="1" value="16"
      required></label>"""

# Shared by the scripts of every kind of controls.
HELPERS_SCRIPT = """
"use strict";
const $ = (id) => document.getElementById(id);
let maxSeed = 2147483647;
const pending = new Map();

function showError(text) {
  $("error").textContent = text;
  $("error").hidden = !text;
}

async function explain(response) {
  try {
    const detail = (await response.json()).detail;
    if (Array.isArray(detail)) {
      return detail.map((e) => (e.loc || []).slice(1).join(".") + ": " + e.msg).join("; ");
    }
    return String(detail);
  } catch (err) {
    return response.status + " " + response.statusText;
  }
}

function show(img, blob) {
  const old = img.src;
  img.onload = () => {
    if (old.startsWith("blob:")) URL.revokeObjectURL(old);
    img.classList.add("shown");
    fit(img);
    img.dataset.version = String(Number(img.dataset.version) + 1);
  };
  img.src = URL.createObjectURL(blob);
}

// Draw an answer's PNG into `img`; `onAnswer(response, blob)`, if given, reads the rest.
async function load(img, url, options, onAnswer) {
  if (pending.has(img.id)) pending.get(img.id).abort();
  const controller = new AbortController();
  pending.set(img.id, controller);
  img.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(url, { ...options, signal: controller.signal });
    if (!response.ok) {
      showError(await explain(response));
      return;
    }
    showError("");
    const blob = await response.blob();
    show(img, blob);
    if (onAnswer) onAnswer(response, blob);
  } catch (err) {
    if (err.name !== "AbortError") showError("request failed: " + err.message);
  } finally {
    if (pending.get(img.id) === controller) {
      pending.delete(img.id);
      img.removeAttribute("aria-busy");
    }
  }
}

function randomSeed() {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return word[0] % (maxSeed + 1);
}

// The served model's description (/api/info), with the seed limit taken from it; null
// (and the error shown) when the server refuses.
async function modelInfo() {
  const response = await fetch("/api/info");
  if (!response.ok) {
    showError(await explain(response));
    return null;
  }
  const info = await response.json();
  maxSeed = info.limits.max_seed;
  return info;
}

// One sentence on what the model draws, in plain words; the note on its data goes below it.
function modelLine(info, source) {
  $("data-note").textContent = info.trained_on || "";
  const colour = info.channels === 1 ? "greyscale" : "colour";
  return "Draws " + info.height + "x" + info.width + " " + colour + " images from " + source +
    " with " + (info.about || info.arch) + ", trained for " + info.step.toLocaleString("en") +
    " steps on " + info.dataset + ".";
}
"""


def class_options(classes: Sequence[str]) -> str:
    """The class selector's options after "any": one per class, index order, its name the
    value (a name as written is the first thing a class is found by); a name with spaces at
    its ends is shown in quotes, so that " x" and "x" look apart."""
    return "".join(f'\n      <option value="{markup.escape(name)}">{markup.escape(_shown(name))}'
                   '</option>' for name in classes)


def _shown(name: str) -> str:
    return f'"{name}"' if name != name.strip() else name


def render_page(condition: Condition, classes: Sequence[str] = ()) -> tuple[str, str]:
    """(HTML, Content-Security-Policy) with a fresh nonce for the inline script and style:
    the page with the controls of a run conditioned on `condition` (none, class or text),
    a class-conditional run's selector offering `classes` (its class names, index order)."""
    controls = CONTROLS[condition]
    style = STYLE + TOOLS_STYLE + controls.style
    body = (HEADER.replace("@TOOLBAR@", TOOLBAR)
            + controls.body.replace("@SEED_AND_COUNT@", SEED_AND_COUNT)
            .replace("@CLASS_OPTIONS@", class_options(classes)) + GALLERY)
    script = HELPERS_SCRIPT + TOOLS_SCRIPT + controls.script
    nonce = secrets.token_urlsafe(16)
    html = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>ganforge</title><link rel="icon" href="/favicon.svg">'
        f'<style nonce="{nonce}">{style}</style></head>'
        f'<body>{body}<script nonce="{nonce}">{script}</script></body></html>\n'
    )
    policy = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    return html, policy
