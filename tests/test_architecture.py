"""The house rules of issue 17, checked on the source: a run's kind (what it is conditioned
on) is decided by the model registry alone (`model_configs.condition_of`), never by asking a
config or a data set what it has, by an architecture's name or by a data set's name.
The layers and the absence of import circles are checked by `make lint` (lint-imports,
pyproject.toml [tool.importlinter])."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from ganforge.data.registry import data_sets
from ganforge.model_configs import MODEL_CONFIGS

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ganforge"
# The registries: the only files that may name architectures and data sets in code.
REGISTRIES = {"model_configs/__init__.py", "model_configs/image.py", "model_configs/text.py",
              "models/__init__.py", "data/registry.py", "data/idx_specs.py"}


def sources() -> list[tuple[str, ast.AST]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name not in REGISTRIES:
            out.append((name, ast.parse(path.read_text(), name)))
    return out


def config_fields() -> set[str]:
    fields = {f.name for cls in MODEL_CONFIGS.values() for f in dataclasses.fields(cls)}
    return (fields | {"text", "levels", "truth"}) - {"arch"}


def named_strings(node: ast.AST) -> list[str]:
    """String constants of a compared value (a constant, or a tuple/list/set of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for e in node.elts for s in named_strings(e)]
    return []


def test_no_place_asks_a_config_or_data_set_what_it_has():
    """hasattr/getattr with a model setting's or a captioned split's field name."""
    fields = config_fields()
    found = [f"{name}:{node.lineno} {ast.unparse(node)}" for name, tree in sources()
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id in ("hasattr", "getattr") and len(node.args) >= 2
             and named_strings(node.args[1]) and named_strings(node.args[1])[0] in fields]
    assert found == []


def test_no_place_asks_a_config_its_class():
    """isinstance(x, T2IConfig) and the like: the class of a model config is its arch."""
    classes = {cls.__name__ for cls in MODEL_CONFIGS.values()}
    found = [f"{name}:{node.lineno} {ast.unparse(node)}" for name, tree in sources()
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id == "isinstance" and len(node.args) == 2
             and {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)} & classes]
    assert found == []


def test_no_place_compares_an_architecture_or_data_set_name():
    names = set(MODEL_CONFIGS) | set(data_sets())
    found = []
    for name, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                for side in [node.left, *node.comparators]:
                    hits = [s for s in named_strings(side) if s in names]
                    if hits:
                        found.append(f"{name}:{node.lineno} {ast.unparse(node)}")
    assert found == []


def _set_name_lookups(tree: ast.AST, names: set[str]) -> list[ast.AST]:
    """Dicts keyed by a data set's name, and subscripts or .get() calls with one."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [s for k in node.keys if k is not None for s in named_strings(k)]
            found += [node] if set(keys) & names else []
        elif isinstance(node, ast.Subscript) and set(named_strings(node.slice)) & names:
            found.append(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "get" and node.args \
                and set(named_strings(node.args[0])) & names:
            found.append(node)
    return found


def test_no_table_is_keyed_by_a_data_set_name_outside_the_registry():
    """What a data set means is its registry entry's (data/registry.py): no dict keyed by a
    set's name, no lookup by one, anywhere else."""
    names = set(data_sets())
    found = [f"{name}:{node.lineno} {ast.unparse(node)[:80]}" for name, tree in sources()
             for node in _set_name_lookups(tree, names)]
    assert found == []


def test_the_rules_see_what_they_forbid():
    """The checks above would catch the habits they forbid."""
    tree = ast.parse('hasattr(c.model, "text_encoder")\nif arch in ("dcgan28", "x"): pass\n')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert named_strings(calls[0].args[1]) == ["text_encoder"]
    assert "text_encoder" in config_fields()
    compare = next(n for n in ast.walk(tree) if isinstance(n, ast.Compare))
    assert "dcgan28" in named_strings(compare.comparators[0])
    tables = ast.parse('T = {"mnist": 1}\nx = T["mnist"]\ny = T.get("mnist")\n')
    assert len(_set_name_lookups(tables, {"mnist"})) == 3
