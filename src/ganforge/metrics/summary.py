"""An evaluation's result as text: the metric table (each figure next to its real-data
floor) and a text-to-image run's alignment figures, as `ganforge evaluate` and `ganforge
pretrained evaluate` print them."""

from __future__ import annotations

from typing import Any

FEW_REFERENCE = 100  # test images below which the table says its figures say little

# (key, label, format) of each row; a row is printed when the result holds its key.
ROWS = (
    ("fd", "FD (evaluator features)", "{:.3f}"),
    ("kid", "KID (± std over subsets)", "{:.4g}"),
    ("classifier_score", "classifier score (max K)", "{:.3f}"),
    ("coverage", "classes covered (>= 1%)", "{}"),
    ("modes", "modes hit (of 1000)", "{}"),
    ("kl_uniform", "KL(classes || uniform)", "{:.4f}"),
    ("precision", "precision (k=3)", "{:.3f}"),
    ("recall", "recall (k=3)", "{:.3f}"),
    ("spread", "spread (vs test split)", "{:.3f}"),
)


def cell(key: str, fmt: str, values: dict[str, Any]) -> str:
    """One figure of a result as the table shows it."""
    if key == "coverage":
        return f"{values['coverage']}/{values['num_classes']}"
    if key == "kid":
        return f"{values['kid']:.4g} ± {values['kid_std']:.3g}"
    return fmt.format(values[key])


def format_table(result: dict[str, Any]) -> str:
    """The results as a text table: figure, real-data floor, sample count on every row (and
    the real images' count beside it when fewer were at hand, as in a small folder)."""
    gen, real = result["metrics"], result["real"]
    real_n = real.get("n", result["n"])
    n = f"{result['n']}" if real_n == result["n"] else f"{result['n']} ({real_n} real)"
    lines = [f"{'metric':<27} {'generated':>21} {'real data':>21} {'n':>7}"]
    for key, label, fmt in ROWS:
        if key in gen:
            lines.append(f"{label:<27} {cell(key, fmt, gen):>21} {cell(key, fmt, real):>21} "
                         f"{n:>7}")
    reference = result.get("reference_n")
    if reference is not None and reference < FEW_REFERENCE:
        lines.append(f"note: the test split holds {reference} images; figures against so few "
                     "(precision, recall and KID above all) say little: a larger folder, or a "
                     "larger --test-fraction, steadies them")
    return "\n".join(lines)


def attribute_names(attributes: dict[str, Any]) -> list[str]:
    """The attributes of an attribute-alignment dict (its other keys: counts, chance, all)."""
    return [k for k in attributes
            if not k.endswith(("_n", "_chance")) and k not in ("all", "chance")]


def format_alignment(result: dict[str, Any]) -> str:
    """The alignment figures as text lines, each with its chance level."""
    a = result["alignment"]
    real = a.get("real", {})
    ceiling = f", real images {real['class']:.3f}" if "class" in real else ""
    if a.get("class_ceiling") is not None:
        ceiling += f", at best {a['class_ceiling']:.3f} from what the captions state"
    lines = [f"class alignment ({a['captions']} held-out captions): {a['class']:.3f} "
             f"(chance {1 / a['num_classes']:.3f}{ceiling})"] if "class" in a else []
    attributes, on_real = a.get("attributes"), real.get("attributes", {})
    if attributes:
        def extra(key: str) -> str:
            chance = f", chance {attributes[f'{key}_chance']:.3f}" \
                if f"{key}_chance" in attributes else ""
            return chance + (f", real {on_real[key]:.3f}" if key in on_real else "")

        parts = [f"{k} {attributes[k]:.3f} (n={attributes[f'{k}_n']}{extra(k)})"
                 for k in attribute_names(attributes)]
        lines.append(f"attribute alignment: all {attributes['all']:.3f} "
                     f"(n={attributes['all_n']}, chance {attributes['chance']:.3f}"
                     + (f", real {on_real['all']:.3f}" if "all" in on_real else "") + "); "
                     + ", ".join(parts))
    if "retrieval" in a:
        lines.extend(format_retrieval(a["retrieval"]))
    return "\n".join(lines)


def format_retrieval(r: dict[str, Any]) -> list[str]:
    """R-precision and caption similarity lines, each with the real images' figure (its
    ceiling)."""
    rp, real = r["r_precision"], r["real"]
    lines = [f"R-precision (R@1 among {rp['candidates']} captions, {rp['n']} images, none word "
             f"for word the image's own): {rp['r_precision']:.3f} ± {rp['stderr']:.3f} "
             f"(chance {rp['chance']:.3f}, real images {real['r_precision']['r_precision']:.3f})"]
    if "r_precision_other_classes" in r:
        lines.append(f"R-precision, candidates of other classes only: "
                     f"{r['r_precision_other_classes']['r_precision']:.3f} (real images "
                     f"{real['r_precision_other_classes']['r_precision']:.3f})")
    lines.append(f"caption similarity (mean cosine with its caption): "
                 f"{r['caption_similarity']:.3f} (real images {real['caption_similarity']:.3f})")
    return lines


CLASS_ROWS = ("class", "class_ceiling")  # rows read from the figures themselves


def _figure(values: dict[str, Any], name: str, counts: bool = True) -> tuple[str, str]:
    """(figure, with its count when `counts`; ratio) of one row of one kind of captions, "-"
    where absent."""
    held = values if name in CLASS_ROWS else values.get("attributes", {})
    if held.get(name) is None:
        return "-", "-"
    n = f" (n={held[f'{name}_n']})" if counts and f"{name}_n" in held else ""
    ratio = values.get("ratio", {}).get(name)
    return f"{held[name]:.3f}{n}", "-" if ratio is None else f"{ratio:.2f}"


def format_unseen(result: dict[str, Any]) -> str:
    """Alignment on captions never seen in training beside the held-out figures, with the
    ratio unseen / held-out of each figure."""
    unseen, held = result["unseen"], result["alignment"]
    kinds = [k for k, v in unseen.items() if isinstance(v, dict)]
    ceiling = [r for r in CLASS_ROWS[1:] if any(r in v for v in (held, *map(unseen.get, kinds)))]
    rows = ["class", *ceiling, *attribute_names(held.get("attributes") or {}), "all"]
    lines = [f"captions never seen in training ({unseen['captions']} of each kind), ratio = "
             "unseen / held-out:",
             f"{'figure':<15} {'held-out':>9}" + "".join(
                 f" {unseen[k]['name']:>22} {'ratio':>6}" for k in kinds)]
    for name in rows:
        cells = "".join(f" {f:>22} {r:>6}" for f, r in (_figure(unseen[k], name)
                                                        for k in kinds))
        lines.append(f"{name:<15} {_figure(held, name, counts=False)[0]:>9}{cells}")
    for k in kinds:
        real = unseen[k].get("real", {}).get("attributes", {}).get("all")
        ceiling = held.get("real", {}).get("attributes", {}).get("all")
        if real is not None and ceiling is not None:
            lines.append(f"real images on the {unseen[k]['name']}: all {real:.3f} "
                         f"(on the held-out captions {ceiling:.3f})")
    return "\n".join(lines)
