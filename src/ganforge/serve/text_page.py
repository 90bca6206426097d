"""The page of `ganforge serve` for a text-conditioned model: a caption box that draws its
images, and a second caption with a slider that walks from the first caption to it.

It uses the helpers of ganforge.serve.page (error line, image loading, random seed) and the
same style, plus a few rules of its own; `render_page(text=True)` puts it together.
"""

from __future__ import annotations

TEXT_STYLE = """
label.caption { flex: 1 1 22rem; }
label.caption input { font-size: 1rem; width: 100%; box-sizing: border-box; }
.note { color: #555; font-size: .85rem; margin: .4rem 0 0; }
"""

TEXT_BODY = """
<header><h1>ganforge</h1><p id="model">loading model information&hellip;</p></header>
<p id="error" role="alert" hidden></p>
<section aria-labelledby="caption-title">
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
"""

TEXT_SCRIPT = """
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
  $("model").textContent = modelLine(info, info.text_encoder + " caption vectors and a " +
    info.latent_dim + "-d " + info.noise + " latent");
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
"""
