"""The caption controls of the page of `ganforge serve` (a text-to-image run): a caption box
draws its images, a row of example captions (the run's own, from /api/info) draws one with a
click, a gentle warning appears when the server says a caption is far from the training
captions (X-Caption-* headers, ganforge.serve.familiar), and a slider walks from the caption
to a second one. The caption, seed and count go into the page's address after each draw.
"""

from __future__ import annotations

from ganforge.serve.control_kind import Controls

CAPTION = Controls(style="""
label.caption { flex: 1 1 22rem; }
label.caption input { font-size: 1rem; width: 100%; box-sizing: border-box; }
.chips { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin: 0 0 .8rem; }
.chips span { color: #555; font-size: .85rem; }
.chips button { font-size: .85rem; border: 1px solid #bcd; background: #f3f7fb;
                border-radius: 1rem; padding: .2rem .7rem; cursor: pointer; color: #234; }
.chips button:hover { background: #e2ecf6; }
@media (max-width: 40rem) {  /* a phone: one row that scrolls sideways */
  .chips { flex-wrap: nowrap; overflow-x: auto; padding-bottom: .3rem; }
  .chips button { white-space: nowrap; }
}
.warning { background: #fff6e0; border-left: 4px solid #e0a800; color: #5a4300;
           padding: .4rem .6rem; border-radius: 3px; margin: 0 0 .8rem; }
""", body="""<section aria-labelledby="caption-title">
  <h2 id="caption-title">Draw a caption</h2>
  <form id="caption-form" novalidate>
    <label class="caption">Caption <input id="caption" type="text" maxlength="300"
      list="examples" autocomplete="off" placeholder="describe the image" required></label>
@SEED_AND_COUNT@
    <button type="submit" id="generate">Generate</button>
    <button type="button" id="new-seed">New seed</button>
  </form>
  <div id="example-row" class="chips" aria-label="example captions" hidden>
    <span>Try:</span></div>
  <p id="caption-warning" class="warning" role="status" hidden></p>
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
function post(img, extra, onAnswer) {
  const body = { n: Number($("n").value), seed: Number($("seed").value),
                 caption: $("caption").value, format: "png", ...extra };
  load(img, "/api/generate", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }, onAnswer);
}

// The server's word on how close the caption is to the training captions.
function warnIfFar(response) {
  const warning = $("caption-warning");
  if (response.headers.get("X-Caption-Familiar") !== "no") {
    warning.hidden = true;
    warning.textContent = "";
    return;
  }
  const nearest = decodeURIComponent(response.headers.get("X-Caption-Nearest") || "");
  const similarity = Number(response.headers.get("X-Caption-Similarity")).toFixed(2);
  warning.textContent = "This caption is far from anything the model was trained on, so " +
    "the images may not show it. The closest training caption is \\u201c" + nearest +
    "\\u201d (similarity " + similarity + ", below " +
    response.headers.get("X-Caption-Threshold") + "). Words like the examples above work best.";
  warning.hidden = false;
}

function drawSamples() {
  const state = { caption: $("caption").value, seed: $("seed").value, n: $("n").value };
  post($("grid"), {}, (response, blob) => {
    warnIfFar(response);
    writeUrl(state);
    remember(blob, state.caption + " (seed " + state.seed + ")", state);
  });
}

function drawWalk() {
  $("t-value").textContent = Number($("t").value).toFixed(2);
  post($("walk"), { caption_to: $("caption-to").value, t: Number($("t").value) });
}

function drawBoth() {
  drawSamples();
  if ($("caption-to").value.trim()) drawWalk();
}

// A gallery entry or the address's query string: its caption, seed and count.
function setState(state) {
  if (state.caption !== undefined) $("caption").value = state.caption;
  if (state.seed !== undefined) $("seed").value = state.seed;
  if (state.n !== undefined) $("n").value = state.n;
}

function restore(state) {
  setState(state);
  drawBoth();
}

function offerExamples(examples) {
  for (const caption of examples) {
    const option = document.createElement("option");
    option.value = caption;
    $("examples").append(option);
    const chip = document.createElement("button");
    chip.type = "button";
    chip.textContent = caption;
    chip.addEventListener("click", () => restore({ caption }));
    $("example-row").append(chip);
  }
  $("example-row").hidden = examples.length === 0;
}

async function describeModel() {
  const info = await modelInfo();
  if (!info) return;
  $("n").max = info.limits.max_n;
  for (const id of ["caption", "caption-to"]) $(id).maxLength = info.limits.max_caption;
  $("model").textContent = modelLine(info, "a caption and a seed");
  const examples = info.example_captions;
  offerExamples(examples);
  if (!$("caption").value && examples.length === 0) return;  // nothing to draw yet
  if (!$("caption").value) $("caption").value = examples[0];
  if (!$("caption-to").value && examples.length > 0) {
    $("caption-to").value = examples[Math.min(1, examples.length - 1)];
  }
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
setState(readUrl(["caption", "seed", "n"]));
describeModel().catch((err) => showError("cannot reach the server: " + err.message));
""")
