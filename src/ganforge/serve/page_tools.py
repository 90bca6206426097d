"""Parts of the page of `ganforge serve` shared by every kind of controls: images enlarged to
the room there is (crisp nearest-neighbour pixels or smooth, the user's choice, kept in the
browser's localStorage), the page's state in its address (read on load, written after each
draw, so a link shares the seed and caption), and a gallery of the last results (in the page
only). The controls' script defines `restore(state)`, which the gallery calls.
"""

from __future__ import annotations

TOOLS_STYLE = """
img.shown { image-rendering: pixelated; }
img:not([src]) { display: none; }  /* nothing drawn yet */
body.smooth img.shown, body.smooth #gallery img { image-rendering: auto; }
.toolbar { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center;
           font-size: .9rem; color: #555; margin: .5rem 0 0; }
.toolbar label { flex-direction: row; align-items: center; gap: .4rem; font-size: .9rem; }
#data-note { background: #eef4fb; border-left: 4px solid #6a9fd4; padding: .4rem .6rem;
             color: #234; border-radius: 3px; }
#data-note:empty { display: none; }
#gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(7rem, 1fr));
           gap: .6rem; }
#gallery button { display: flex; flex-direction: column; gap: .3rem; padding: .3rem;
                  background: #fff; border: 1px solid #ccc; border-radius: 4px;
                  cursor: pointer; text-align: left; font-size: .75rem; color: #333;
                  overflow-wrap: anywhere; }
#gallery button:hover { border-color: #6a9fd4; }
#gallery img { width: 100%; height: auto; image-rendering: pixelated; }
.note { color: #555; font-size: .85rem; margin: .4rem 0 0; }
"""

TOOLBAR = """
<p class="toolbar"><label>Enlarged pixels <select id="scaling">
  <option value="crisp">crisp (nearest neighbour)</option>
  <option value="smooth">smooth</option></select></label>
  <a id="share" href="./">link to these images</a></p>
"""

GALLERY = """<section id="gallery-section" aria-labelledby="gallery-title" hidden>
  <h2 id="gallery-title">Your last images</h2>
  <div id="gallery"></div>
  <p class="note">The last 8 results, kept in this page only; click one to draw it again.</p>
</section>
"""

TOOLS_SCRIPT = """
const MAX_DISPLAY = 768;  // px: the widest an image is enlarged to
const GALLERY_SIZE = 8;
const gallery = [];  // newest first: { key, url, button }

// Enlarge an image to the room there is (at most MAX_DISPLAY px); crisp pixels grow by a
// whole factor when two or more fit, so every pixel is a square of the same size.
function fit(img) {
  const natural = img.naturalWidth;
  if (!natural) return;
  const room = Math.min(MAX_DISPLAY, img.parentElement.clientWidth || MAX_DISPLAY);
  let scale = room / natural;
  if (scale >= 2 && !document.body.classList.contains("smooth")) scale = Math.floor(scale);
  img.style.width = Math.floor(natural * scale) + "px";
}

function fitAll() {
  document.querySelectorAll("img.shown").forEach(fit);
}

function setScaling(mode) {
  const smooth = mode === "smooth";
  document.body.classList.toggle("smooth", smooth);
  $("scaling").value = smooth ? "smooth" : "crisp";
  try { localStorage.setItem("ganforge-scaling", $("scaling").value); } catch (err) { }
  fitAll();
}

function savedScaling() {
  try { return localStorage.getItem("ganforge-scaling") || "crisp"; } catch (err) {
    return "crisp";
  }
}

// The page's state in its address: `keys` read from the query string on load ...
function readUrl(keys) {
  const query = new URLSearchParams(location.search);
  const found = {};
  for (const key of keys) if (query.has(key)) found[key] = query.get(key);
  return found;
}

// ... and written after each draw (the address bar and the share link).
function writeUrl(state) {
  const url = location.pathname + "?" + new URLSearchParams(state);
  history.replaceState(null, "", url);
  $("share").href = url;
}

// Keep a drawn grid in the gallery (its own copy of the image), newest first.
function remember(blob, label, state) {
  const key = JSON.stringify(state);
  if (gallery.length > 0 && gallery[0].key === key) return;
  const url = URL.createObjectURL(blob);
  const button = document.createElement("button");
  button.type = "button";
  button.title = "draw again: " + label;
  const thumb = document.createElement("img");
  thumb.src = url;
  thumb.alt = label;
  const text = document.createElement("span");
  text.textContent = label;
  button.append(thumb, text);
  button.addEventListener("click", () => restore(state));
  $("gallery").prepend(button);
  gallery.unshift({ key, url, button });
  while (gallery.length > GALLERY_SIZE) {
    const old = gallery.pop();
    old.button.remove();
    URL.revokeObjectURL(old.url);
  }
  $("gallery-section").hidden = false;
}

$("scaling").addEventListener("change", () => setScaling($("scaling").value));
window.addEventListener("resize", fitAll);
setScaling(savedScaling());
"""
