"""The controls of the page of `ganforge serve`, by what the served run is conditioned on.

`LATENT`: a seed draws its images, and a slider walks between two seeds' latent points (an
unconditional run). `CLASS`: the same, with a class selector (a class-conditional run): its
first choice, "any", leaves the class to the noise; the class names are filled in when the
page is rendered (`@CLASS_OPTIONS@`, ganforge.serve.page). `CAPTION`
(ganforge.serve.caption_controls): a caption box draws its images, and a slider walks from it
to a second caption (a text-to-image run).
Each holds its style rules, its sections and its script, which uses the helpers of the page
(ganforge.serve.page: error line, image loading, random seed; ganforge.serve.page_tools:
address, gallery), defines `restore(state)` for the gallery and fills in the inputs named
`@SEED_AND_COUNT@`.
"""

from __future__ import annotations

from ganforge.model_configs import Condition
from ganforge.serve.caption_controls import CAPTION
from ganforge.serve.control_kind import Controls

__all__ = ["CAPTION", "CLASS", "CONTROLS", "LATENT", "Controls"]

# The class selector of a class-conditional run; its options follow the first when rendered.
CLASS_CHOICE = """
    <label>Class <select id="class">
      <option value="">any (from the noise)</option>@CLASS_OPTIONS@</select></label>"""
CLASS_WALK_NOTE = """\
  <p class="note">Every walk draws the class chosen above (any: each image's class comes
    from its own point of the walk).</p>
"""

LATENT_BODY = """<section aria-labelledby="samples-title">
  <h2 id="samples-title">Samples</h2>
  <form id="sample-form" novalidate>
@SEED_AND_COUNT@@CLASS_CHOICE@
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
@CLASS_WALK_NOTE@</section>
"""

LATENT_SCRIPT = """
const classChoice = $("class");  // null: the model draws no chosen class

// The chosen class as extra fields of a request (and of the page's state): none for "any".
function classFields() {
  return classChoice && classChoice.value ? { class: classChoice.value } : {};
}

// Choose a class by its name; one the list lacks (an index or other spelling in a shared
// address) is added as it is, and the server reads it as `ganforge sample --class` would.
function chooseClass(name) {
  if (!classChoice) return;
  const known = Array.from(classChoice.options).some((option) => option.value === name);
  if (!known) classChoice.append(new Option(name, name));
  classChoice.value = name;
}

function drawSamples() {
  const state = { seed: $("seed").value, n: $("n").value, ...classFields() };
  const body = { n: Number(state.n), seed: Number(state.seed), caption: null, format: "png",
                 ...classFields() };
  load($("grid"), "/api/generate", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }, (response, blob) => {
    writeUrl(state);
    const drawn = state.class === undefined ? "" : ", " + state.class;
    remember(blob, "seed " + state.seed + ", " + state.n + " images" + drawn, state);
  });
}

// A gallery entry or the address's query string: its seed, count and class, drawn again.
function restore(state) {
  if (state.seed !== undefined) $("seed").value = state.seed;
  if (state.n !== undefined) $("n").value = state.n;
  chooseClass(state.class === undefined ? "" : state.class);
  drawSamples();
}

function drawWalk() {
  $("t-value").textContent = Number($("t").value).toFixed(2);
  const query = new URLSearchParams({
    seed_a: $("seed-a").value, seed_b: $("seed-b").value, t: $("t").value,
    n: $("walk-n").value, method: $("method").value, ...classFields(),
  });
  load($("walk"), "/api/interpolate?" + query);
}

async function describeModel() {
  const info = await modelInfo();
  if (!info) return;
  for (const id of ["n", "walk-n"]) $(id).max = info.limits.max_n;
  const source = "a seed (its " + info.latent_dim + " random numbers)" +
    (classChoice ? " and one of " + info.classes.length + " classes" : "");
  $("model").textContent = modelLine(info, source);
}

$("sample-form").addEventListener("submit", (event) => {
  event.preventDefault();
  drawSamples();
});
$("new-seed").addEventListener("click", () => {
  $("seed").value = randomSeed();
  drawSamples();
});
if (classChoice) {
  classChoice.addEventListener("change", () => {
    drawSamples();
    drawWalk();
  });
}
$("walk-form").addEventListener("change", drawWalk);
$("walk-form").addEventListener("submit", (event) => event.preventDefault());
$("t").addEventListener("input", drawWalk);
describeModel().catch((err) => showError("cannot reach the server: " + err.message));
restore(readUrl(["seed", "n", "class"]));
drawWalk();
"""

LATENT = Controls(style="", body=LATENT_BODY.replace("@CLASS_CHOICE@", "").replace(
    "@CLASS_WALK_NOTE@", ""), script=LATENT_SCRIPT)
CLASS = Controls(style="", body=LATENT_BODY.replace("@CLASS_CHOICE@", CLASS_CHOICE).replace(
    "@CLASS_WALK_NOTE@", CLASS_WALK_NOTE), script=LATENT_SCRIPT)

# The page's controls by the run's condition (ganforge.model_configs.condition_of).
CONTROLS: dict[Condition, Controls] = {"none": LATENT, "class": CLASS, "text": CAPTION}
