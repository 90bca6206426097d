"""The controls of the page of `ganforge serve`, by what the served run is conditioned on.

`LATENT`: a seed draws its images, and a slider walks between two seeds' latent points (an
unconditional or class-conditional run). `CAPTION`: a caption box draws its images, and a
slider walks from it to a second caption (a text-to-image run). Each holds its style rules,
its sections and its script, which uses the helpers of the page (ganforge.serve.page: error
line, image loading, random seed) and fills in the inputs named `@SEED_AND_COUNT@`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganforge.model_configs import Condition


@dataclass(frozen=True)
class Controls:
    """One kind of controls: CSS rules, HTML sections and the script that drives them."""

    style: str
    body: str
    script: str


LATENT = Controls(style="", body="""<section aria-labelledby="samples-title">
  <h2 id="samples-title">Samples</h2>
  <form id="sample-form" novalidate>
@SEED_AND_COUNT@
    <button type="submit" id="draw">Draw</button>
    <button type="button" id="new-seed">New seed</button>
  </form>
  <img id="grid" alt="images generated from the seed" data-version="0">
</section>
<section aria-labelledby="walk-title">
  <h2 id="walk-title">Walk between two latent points</h2>
  <form id="walk-form" novalidate>
    <label>From seed <input id="seed-a" type="number" min="0" max="2147483647" step="1"
      value="0" required></label>
    <label>To seed <input id="seed-b" type="number" min="0" max="2147483647" step="1"
      value="1" required></label>
    <label>Walks <input id="walk-n" type="number" min="1" max="64" step="1" value="4"
      required></label>
    <label>Path <select id="method"><option value="slerp">spherical</option>
      <option value="lerp">linear</option></select></label>
  </form>
  <div class="slider"><input id="t" type="range" min="0" max="1" step="0.01" value="0"
    aria-label="position between the two seeds"><output id="t-value">0.00</output></div>
  <img id="walk" alt="images part of the way between the two seeds" data-version="0">
</section>
""", script="""
function drawSamples() {
  const body = { n: Number($("n").value), seed: Number($("seed").value), caption: null,
                 format: "png" };
  load($("grid"), "/api/generate", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

function drawWalk() {
  $("t-value").textContent = Number($("t").value).toFixed(2);
  const query = new URLSearchParams({
    seed_a: $("seed-a").value, seed_b: $("seed-b").value, t: $("t").value,
    n: $("walk-n").value, method: $("method").value,
  });
  load($("walk"), "/api/interpolate?" + query);
}

async function describeModel() {
  const info = await modelInfo();
  if (!info) return;
  for (const id of ["n", "walk-n"]) $(id).max = info.limits.max_n;
  $("model").textContent = modelLine(info, "a seed (its " + info.latent_dim +
    " random numbers)");
}

$("sample-form").addEventListener("submit", (event) => {
  event.preventDefault();
  drawSamples();
});
$("new-seed").addEventListener("click", () => {
  $("seed").value = randomSeed();
  drawSamples();
});
$("walk-form").addEventListener("change", drawWalk);
$("walk-form").addEventListener("submit", (event) => event.preventDefault());
$("t").addEventListener("input", drawWalk);
describeModel().catch((err) => showError("cannot reach the server: " + err.message));
drawSamples();
drawWalk();
""")

CAPTION = Controls(style="""
label.caption { flex: 1 1 22rem; }
label.caption input { font-size: 1rem; width: 100%; box-sizing: border-box; }
.note { color: #555; font-size: .85rem; margin: .4rem 0 0; }
""", body="""<section aria-labelledby="caption-title">
  <h2 id="caption-title">Draw a caption</h2>
  <form id="caption-form" novalidate>
    <label class="caption">Caption <input id="caption" type="text" maxlength="300"
      list="examples" autocomplete="off" placeholder="describe the image" required></label>
@SEED_AND_COUNT@
    <button type="submit" id="generate">Generate</button>
    <button type="button" id="new-seed">New seed</button>
  </form>
  <img id="grid" alt="images generated from the caption" data-version="0">
</section>
<section aria-labelledby="walk-title">
  <h2 id="walk-title">Walk between two captions</h2>
  <form id="walk-form" novalidate>
    <label class="caption">To caption <input id="caption-to" type="text" maxlength="300"
      list="examples" autocomplete="off" placeholder="a second description" required></label>
    <button type="submit" id="walk-draw">Walk</button>
  </form>
  <div class="slider"><input id="t" type="range" min="0" max="1" step="0.05" value="0"
    aria-label="position between the two captions"><output id="t-value">0.00</output></div>
  <img id="walk" alt="images part of the way between the two captions" data-version="0">
  <p class="note">The seed and number of images above, the same noise all the way: 0 shows
    the first caption's images, 1 the second caption's.</p>
</section>
<datalist id="examples"></datalist>
""", script="""
function post(img, extra) {
  const body = { n: Number($("n").value), seed: Number($("seed").value),
                 caption: $("caption").value, format: "png", ...extra };
  load(img, "/api/generate", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

function drawSamples() {
  post($("grid"), {});
}

function drawWalk() {
  $("t-value").textContent = Number($("t").value).toFixed(2);
  post($("walk"), { caption_to: $("caption-to").value, t: Number($("t").value) });
}

function drawBoth() {
  drawSamples();
  if ($("caption-to").value.trim()) drawWalk();
}

async function describeModel() {
  const info = await modelInfo();
  if (!info) return;
  $("n").max = info.limits.max_n;
  for (const id of ["caption", "caption-to"]) $(id).maxLength = info.limits.max_caption;
  $("model").textContent = modelLine(info, "a caption and a seed");
  const examples = info.example_captions;
  for (const caption of examples) {
    const option = document.createElement("option");
    option.value = caption;
    $("examples").append(option);
  }
  if (examples.length === 0) return;  // nothing to draw until a caption is typed
  if (!$("caption").value) $("caption").value = examples[0];
  if (!$("caption-to").value) $("caption-to").value = examples[Math.min(1, examples.length - 1)];
  drawBoth();
}

$("caption-form").addEventListener("submit", (event) => {
  event.preventDefault();
  drawBoth();
});
$("new-seed").addEventListener("click", () => {
  $("seed").value = randomSeed();
  drawBoth();
});
$("walk-form").addEventListener("submit", (event) => {
  event.preventDefault();
  drawWalk();
});
$("t").addEventListener("input", drawWalk);
describeModel().catch((err) => showError("cannot reach the server: " + err.message));
""")

# The page's controls by the run's condition (ganforge.model_configs.condition_of); a
# class-conditional generator picks the class from the noise, so it has the latent controls.
CONTROLS: dict[Condition, Controls] = {"none": LATENT, "class": LATENT, "text": CAPTION}
