"""Tests for gdanim.objectives: the whitelisted parser, the catalog and the exact derivatives."""

from __future__ import annotations

import ast
import builtins
import pickle
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy
import sympy.parsing.sympy_parser as sympy_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdanim import objectives
from gdanim.objectives import Objective, ObjectiveError, get, names, parse, resolve

x, y, z = sympy.symbols("x y z", real=True)
x1, x2, x3 = sympy.symbols("x1 x2 x3", real=True)

REQUIRED = [
    "parabola",
    "shifted_parabola",
    "wavy",
    "bowl",
    "long_valley",
    "cubic_bowl",
    "saddle",
    "monkey_saddle",
    "rosenbrock",
    "beale",
    "himmelblau",
    "rastrigin",
]


@pytest.fixture
def no_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x**2/20 + y**2", x**2 / 20 + y**2),
        ("x*cos(0.15*pi*x)", x * sympy.cos(sympy.Rational(3, 20) * sympy.pi * x)),
        ("(1-x)^2 + 100*(y-x^2)^2", (1 - x) ** 2 + 100 * (y - x**2) ** 2),
        ("x^2 + 4*x + 1", x**2 + 4 * x + 1),
        ("-x^2/2 + y^2", -(x**2) / 2 + y**2),
        ("x^3 - 3*x*y^2", x**3 - 3 * x * y**2),
        ("e^x", sympy.exp(x)),
        ("e*x", sympy.E * x),
        ("-x", -x),
        ("+x", x),
        ("--x", x),
        ("-(-(x))", x),
        ("x**-2", x**-2),
        ("x^-2", x**-2),
        ("2^-x", 2**-x),
        ("x^0.5", sympy.sqrt(x)),
        ("x**(1/3)", x ** sympy.Rational(1, 3)),
        ("1e-3*x", sympy.Float("0.001") * x),
        ("2.5e0*x", sympy.Rational(5, 2) * x),
        ("2.625 - x", sympy.Rational(21, 8) - x),
        ("1e6*x", 1000000 * x),
        ("1_000*x", 1000 * x),
        ("abs(x) + sqrt(y)", sympy.Abs(x) + sympy.sqrt(y)),
        ("x*y*z", x * y * z),
        ("x1^2 + x2^2", x1**2 + x2**2),
        ("x1 + x2 + x3", x1 + x2 + x3),
        ("  x^2  ", x**2),
        ("((((x))))", x),
        ("x**y**z", x ** (y**z)),
    ],
)
def test_parse_examples(text: str, expected: sympy.Expr) -> None:
    objective = parse(text)
    assert sympy.simplify(objective.expr - expected) == 0
    assert objective.expr == expected
    assert objective.name is None
    assert objective.text == text.strip()


def test_parse_keeps_short_decimals_exact_for_latex() -> None:
    wavy = parse("x*cos(0.15*pi*x)")
    assert wavy.latex == r"x \cos{\left(\frac{3 \pi x}{20} \right)}"
    assert parse("x**2/20 + y**2").latex == r"\frac{x^{2}}{20} + y^{2}"
    assert parse("0.001*x").latex == r"0.001 x"
    assert parse("123.456*x").expr == sympy.Float("123.456") * x
    assert isinstance(parse("1e-8*x").expr.args[0], sympy.Float)


def test_every_function_is_allowed_and_matches_numpy() -> None:
    point = 0.7
    reference = {
        "sin": np.sin,
        "cos": np.cos,
        "tan": np.tan,
        "exp": np.exp,
        "log": np.log,
        "sqrt": np.sqrt,
        "abs": np.abs,
        "tanh": np.tanh,
        "sinh": np.sinh,
        "cosh": np.cosh,
    }
    assert set(reference) == set(objectives.FUNCTIONS)
    for name, function in reference.items():
        objective = parse(f"{name}(x)")
        assert float(objective.value([point])) == pytest.approx(function(point), rel=1e-15)
    assert float(parse("pi*x").value([1.0])) == pytest.approx(np.pi)
    assert float(parse("e*x").value([1.0])) == pytest.approx(np.e)


@pytest.mark.parametrize(
    ("text", "variables"),
    [
        ("x", ("x",)),
        ("y^2", ("y",)),
        ("y + x", ("x", "y")),
        ("z*x + y", ("x", "y", "z")),
        ("x + z", ("x", "z")),
        ("x2 + x1", ("x1", "x2")),
        ("x3*x1 + x2", ("x1", "x2", "x3")),
        ("x + y - y", ("x", "y")),
    ],
)
def test_variables_are_found_and_ordered(text: str, variables: tuple[str, ...]) -> None:
    objective = parse(text)
    assert objective.variable_names == variables
    assert objective.dim == len(variables)
    assert all(v.is_real for v in objective.variables)


def test_forced_variables_make_a_constant_direction() -> None:
    objective = parse("x**2", ["x", "y"])
    assert objective.dim == 2
    assert objective.variable_names == ("x", "y")
    assert objective.grad([3.0, 5.0]).tolist() == [6.0, 0.0]
    assert objective.hessian([3.0, 5.0]).tolist() == [[2.0, 0.0], [0.0, 0.0]]
    grid = np.zeros((4, 5, 2))
    assert objective.grad(grid).shape == (4, 5, 2)
    assert objective.hessian(grid).shape == (4, 5, 2, 2)
    assert np.all(objective.grad(grid)[..., 1] == 0.0)


def test_forced_variables_may_use_other_names() -> None:
    cost = parse("(2*w - 4)^2", ["w"])
    assert cost.variable_names == ("w",)
    assert cost.grad([1.0]).tolist() == [-8.0]
    theta = parse("theta^2 + b", ("theta", "b"))
    assert theta.variable_names == ("theta", "b")
    assert r"\theta" in theta.latex
    with pytest.raises(ObjectiveError, match="unknown name 'y'.*allowed: x, pi"):
        parse("x + y", ["x"])
    with pytest.raises(ObjectiveError, match="unknown name 'x'"):
        parse("x + w", ["w"])


@pytest.mark.parametrize(
    "variables",
    [
        [],
        ["x", "x"],
        ["x", "y", "z", "w"],
        ["pi"],
        ["e"],
        ["sin"],
        ["lambda"],
        ["_x"],
        ["__import__"],
        ["x y"],
        ["1x"],
        "xy",
        [3],
    ],
)
def test_bad_variable_lists_are_rejected(variables: Any) -> None:
    with pytest.raises(ObjectiveError):
        parse("x", variables)


def test_error_messages_name_the_piece_and_column() -> None:
    with pytest.raises(ObjectiveError) as info:
        parse("os")
    message = str(info.value)
    assert message.startswith("unknown name 'os' at column 1; allowed: x, y, z, x1, x2, x3, pi, e,")
    assert "sin, cos, tan, exp, log, sqrt, abs, tanh, sinh, cosh" in message
    assert "\n" not in message
    # Columns refer to the text as typed, before ^ is rewritten to **.
    with pytest.raises(ObjectiveError, match="unknown name 'os' at column 7;"):
        parse("x^2 + os")
    with pytest.raises(ObjectiveError, match=r"exponent '101' = 101 in 'x\^101' at column 1"):
        parse("x^101")
    with pytest.raises(ObjectiveError, match="character '@' at column 3"):
        parse("x @ y")
    with pytest.raises(ObjectiveError, match="unknown function 'open' at column 1"):
        parse("open(x)")
    with pytest.raises(ObjectiveError, match="attribute access 'x.real' at column 1"):
        parse("x.real")
    with pytest.raises(ObjectiveError, match="function 'sin' at column 5 must be called"):
        parse("x + sin")
    with pytest.raises(ObjectiveError, match="'sin\\(x, y\\)' at column 1 passes 2 arguments"):
        parse("sin(x, y)")
    with pytest.raises(ObjectiveError, match="division by zero in '1/0'"):
        parse("x + 1/0")
    with pytest.raises(ObjectiveError, match="does not depend on any variable"):
        parse("2 + pi")
    with pytest.raises(ObjectiveError, match="syntax error at column 1 in '2x'"):
        parse("2x")
    with pytest.raises(ObjectiveError, match="formula uses 4 variables"):
        parse("x + y + z + x1")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "5",
        "pi*e",
        "x - x",
        "0*x",
        "x**0",
        "1/0",
        "x/0",
        "x/(1-1)",
        "x/sin(pi)",
        "0**-1*x",
        "x**101",
        "x**-101",
        "x**100.5",
        "x**1000",
        "(x**10)**20",
        "x**x**x**x",
        "x**sin(x**x**x)",
        "10**400*x",
        "1e400*x",
        "1" + "0" * 301 + "*x",
        "x*1e300*1e300",
        "(10**15*x)**100",
        "x*(1/10**60)**20",
        "exp(1000)*x",
        "exp(exp(exp(100)))*x",
        "cosh(1000)*x",
        "log(0)*x",
        "log(-1)*x",
        "sqrt(-1)*x",
        "(-8)**(1/3)*x",
        "(-pi)**x",
        "(-2)^x",
        "0^x",
        "(1-1)^x",
        "sin(pi)^y",
        "tan(pi/2)*x",
        "sqrt(-x**2)",
        "x*" * 120 + "x",
        "-" * 60 + "x",
        "sin(" * 60 + "x" + ")" * 60,
        "(" * 240 + "x" + ")" * 240,
        "x +",
        "x ^^ 2",
        "2 x",
        "x..real",
        "sin",
        "x(2)",
        "pi(3)",
        "sin()",
        "sin(*x)",
        "sin(x)(y)",
        "x,y",
        "()",
        "1j*x",
        "True*x",
        "None",
        "...",
        "x//2",
        "x<<2",
        "x|y",
        "x&y",
        "not x",
        "x and y",
        "x or y",
        "x for x in y",
        "1or x",
        "1if x else y",
        "w",
        "E*x",
        "I*x",
        "oo*x",
        "Abs(x)",
        "ln(x)",
        "asin(x)",
        "pi.real*x",
    ],
)
def test_invalid_formulas_are_rejected(text: str) -> None:
    with pytest.raises(ObjectiveError) as info:
        parse(text)
    assert "\n" not in str(info.value)


# The hostile inputs from the issue, plus more of the same kind.
HOSTILE = [
    "__import__('os').system('touch {marker}')",
    '__import__("os").system("touch {marker}")',
    "().__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.real",
    "x.__class__",
    "lambda: 1",
    "(lambda: 1)()",
    "'a'",
    "[x]",
    "x if x else y",
    "open('f')",
    "open('{marker}', 'w')",
    "exec('1')",
    "eval('1')",
    "compile('1', 'f', 'eval')",
    "globals()",
    "getattr(x, 'real')",
    "breakpoint()",
    "exit()",
    "9**9**9**9",
    "9^9^9^9",
    "x" * 600,
    "x+" * 300 + "x",
    "x+y+z+w",
    "sin(x, y)",
    "sin(x=1)",
    "sin(**{{}})",
    "x @ y",
    "x == 1",
    "x < y",
    "x; __import__('os')",
    "x\n__import__('os')",
    "x # comment",
    "[c for c in ()]",
    "{{x}}",
    "f'{{x}}'",
    "(x := 1)",
    "x[0]",
    "__builtins__",
    "sin.__call__(x)",
    "\x00",
    "π*x",
    "x\u2028y",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_input_is_rejected_and_nothing_runs(template: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = template.format(marker=marker)
    with pytest.raises(ObjectiveError) as info:
        parse(text)
    assert "\n" not in str(info.value)
    assert not marker.exists()
    with pytest.raises(ObjectiveError):
        resolve(text)
    assert not marker.exists()


def test_typed_text_never_reaches_eval(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """During parse only ast-only compilation happens: no eval, exec, sympify of strings."""
    texts = [
        "x*cos(0.15*pi*x)",
        "(1-x)^2 + 100*(y-x^2)^2",
        "abs(x) + sqrt(y) + log(z) + tanh(x)*e^y + sinh(x) + cosh(y) + tan(z) + exp(x)",
        "1e-8*x + 123.456*y",
        "sqrt(-x**2)",
        "tan(pi/2)*x",
        "log(-1)*x",
    ]
    for text in texts:  # warm up sympy's lazy imports, which legitimately use exec
        try:
            parse(text)
        except ObjectiveError:
            pass

    calls: list[str] = []
    real_compile = builtins.compile

    def forbidden(name: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"{name} was called")

        return refuse

    def ast_only_compile(
        source: Any, filename: Any, mode: Any, flags: int = 0, *args: Any, **kwargs: Any
    ) -> Any:
        if not flags & ast.PyCF_ONLY_AST:
            calls.append("compile")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden("eval"))
    monkeypatch.setattr(builtins, "exec", forbidden("exec"))
    monkeypatch.setattr(builtins, "compile", ast_only_compile)
    monkeypatch.setattr(sympy_parser, "parse_expr", forbidden("parse_expr"))
    monkeypatch.setattr(sympy_parser, "eval_expr", forbidden("eval_expr"))

    marker = tmp_path / "pwned"
    outcomes = []
    for text in texts + [t.format(marker=marker) for t in HOSTILE]:
        try:
            parse(text)
            outcomes.append("ok")
        except ObjectiveError:
            outcomes.append("rejected")
        except AssertionError as error:  # a forbidden call
            outcomes.append(str(error))
    monkeypatch.undo()
    assert calls == []
    assert set(outcomes) == {"ok", "rejected"}
    assert not marker.exists()


def test_text_longer_than_the_limit_is_rejected() -> None:
    ok = "x" + " " * (objectives.MAX_TEXT_LENGTH - 1)
    assert parse(ok).expr == x
    with pytest.raises(ObjectiveError, match="at most 500"):
        parse(ok + " ")


def test_limits_allow_what_they_promise() -> None:
    assert parse("x**100").expr == x**100
    assert parse("x**-100").expr == x**-100
    assert parse("x**y**z").dim == 3
    assert parse("9**9*x").expr == 387420489 * x
    assert parse("x+" * 249 + "x").expr == 250 * x  # long sums count as one level
    assert parse("sin(" * 40 + "x" + ")" * 40).dim == 1
    assert parse("(" * 150 + "x" + ")" * 150).expr == x


def test_non_string_text_is_rejected() -> None:
    with pytest.raises(ObjectiveError):
        parse(3)  # type: ignore[arg-type]
    with pytest.raises(ObjectiveError):
        resolve(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "x*cos(0.15*pi*x)",
        "abs(x) + e^y",
        "1e-8*x + 123.456*y",
        "x**(1/3) - 2/x**3",
        "sqrt(x1) * log(x2) + tanh(x3)",
        *(objectives.get(name).text for name in objectives.names()),
    ],
)
def test_display_text_reads_back_to_the_same_expression(text: str) -> None:
    objective = parse(text)
    again = parse(objective.display_text, objective.variable_names)
    assert again.expr == objective.expr


# --------------------------------------------------------------------------------------------
# Fuzzing: parse returns an Objective or raises ObjectiveError, never anything else
# --------------------------------------------------------------------------------------------

FORMULA_ALPHABET = "xyz123 0.5e+-*/^()_,pisncoqrtabhlgw"


def _attempt(text: str, variables: list[str] | None = None) -> Objective | None:
    try:
        return parse(text, variables)
    except ObjectiveError as error:
        assert "\n" not in str(error)
        return None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_fuzz_any_text(text: str) -> None:
    _attempt(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=FORMULA_ALPHABET, max_size=60))
def test_fuzz_formula_characters(text: str) -> None:
    objective = _attempt(text)
    if objective is not None:
        assert 1 <= objective.dim <= 3


_leaves = st.sampled_from(["x", "y", "z", "pi", "e", "0", "1", "2", "0.5", "1e-3", "3.25", "10"])
_functions = sorted(objectives.FUNCTIONS) + ["foo", "__import__"]


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "^", "//"]), children)
    return st.one_of(
        binary.map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        binary.map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(st.sampled_from(_functions), children).map(lambda t: f"{t[0]}({t[1]})"),
        children.map(lambda c: f"-{c}"),
    )


FORMULAS = st.recursive(_leaves, _combine, max_leaves=10)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORMULAS, st.integers(min_value=0, max_value=2**32 - 1))
def test_fuzz_grammar_formulas_evaluate_without_raising(text: str, seed: int) -> None:
    objective = _attempt(text)
    if objective is None:
        return
    points = np.random.default_rng(seed).uniform(-3, 3, size=(3, objective.dim))
    value = objective.value(points)
    grad = objective.grad(points)
    hessian = objective.hessian(points)
    assert value.shape == (3,) and value.dtype == np.float64
    assert grad.shape == (3, objective.dim) and grad.dtype == np.float64
    assert hessian.shape == (3, objective.dim, objective.dim) and hessian.dtype == np.float64
    assert isinstance(objective.latex, str) and isinstance(objective.grad_latex, str)


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet=FORMULA_ALPHABET, max_size=40),
    st.lists(st.sampled_from(["x", "y", "w", "a1", "pi", "sin", "", "_", "x x"]), max_size=4),
)
def test_fuzz_forced_variables(text: str, variables: list[str]) -> None:
    _attempt(text, variables)


# --------------------------------------------------------------------------------------------
# Catalog
# --------------------------------------------------------------------------------------------

CATALOG_EXPRESSIONS = {
    "parabola": x**2,
    "shifted_parabola": x**2 + 4 * x + 1,
    "wavy": x * sympy.cos(sympy.Rational(3, 20) * sympy.pi * x),
    "bowl": x**2 + y**2,
    "long_valley": x**2 / 20 + y**2,
    "cubic_bowl": x**2 + y**2 + y**3 + x * y,
    "saddle": -(x**2) / 2 + y**2,
    "monkey_saddle": x**3 - 3 * x * y**2,
    "rosenbrock": (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "beale": (sympy.Rational(3, 2) - x + x * y) ** 2
    + (sympy.Rational(9, 4) - x + x * y**2) ** 2
    + (sympy.Rational(21, 8) - x + x * y**3) ** 2,
    "himmelblau": (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "rastrigin": 20
    + x**2
    - 10 * sympy.cos(2 * sympy.pi * x)
    + y**2
    - 10 * sympy.cos(2 * sympy.pi * y),
}

VIEWS = {
    "parabola": (-5.0, 5.0),
    "shifted_parabola": (-4.0, 2.0),
    "wavy": (-20.0, 20.0),
    "bowl": (-3.0, 3.0, -3.0, 3.0),
    "long_valley": (-10.0, 10.0, -5.0, 5.0),
    "cubic_bowl": (-3.0, 3.0, -3.0, 3.0),
    "saddle": (-1.0, 2.0, -1.0, 1.0),
    "rosenbrock": (-2.0, 2.0, -1.0, 3.0),
}


def test_catalog_names() -> None:
    assert names() == REQUIRED
    assert names() is not names()  # a fresh list each time


@pytest.mark.parametrize("name", REQUIRED)
def test_catalog_entry(name: str) -> None:
    objective = get(name)
    assert objective.name == name
    assert objective.expr == CATALOG_EXPRESSIONS[name]
    assert objective.dim == (1 if name in ("parabola", "shifted_parabola", "wavy") else 2)
    assert objective.variable_names == ("x", "y")[: objective.dim]
    assert objective.view is not None and len(objective.view) == 2 * objective.dim
    if name in VIEWS:
        assert objective.view == VIEWS[name]
    assert parse(objective.text).expr == objective.expr
    assert get(name) is objective
    assert resolve(name) is objective
    assert resolve(f"  {name.upper().replace('_', '-')} ") is objective
    for point in objective.minima + objective.saddles + objective.maxima:
        lo, hi = np.array(objective.view[::2]), np.array(objective.view[1::2])
        assert np.all(lo <= point) and np.all(np.array(point) <= hi)


def test_unknown_catalog_name_lists_the_known_ones() -> None:
    with pytest.raises(ObjectiveError, match="unknown objective 'nope'; known: parabola, "):
        get("nope")
    assert resolve("x^2 + 3*y^2").name is None


def test_catalog_latex() -> None:
    assert get("parabola").grad_latex == "2 x"
    assert get("shifted_parabola").grad_latex == "2 x + 4"
    assert get("bowl").grad_latex == r"\begin{pmatrix}2 x\\2 y\end{pmatrix}"
    assert get("long_valley").latex == r"\frac{x^{2}}{20} + y^{2}"
    assert get("cubic_bowl").grad_latex == r"\begin{pmatrix}2 x + y\\x + 3 y^{2} + 2 y\end{pmatrix}"
    assert get("wavy").latex == r"x \cos{\left(\frac{3 \pi x}{20} \right)}"


def _classify(objective: Objective, point: tuple[float, ...]) -> str:
    eigenvalues = np.linalg.eigvalsh(objective.hessian(np.array(point)))
    scale = max(1.0, float(np.max(np.abs(eigenvalues))))
    if np.all(eigenvalues > 1e-9 * scale):
        return "min"
    if np.all(eigenvalues < -1e-9 * scale):
        return "max"
    if eigenvalues.min() < -1e-9 * scale and eigenvalues.max() > 1e-9 * scale:
        return "saddle"
    return "degenerate"


@pytest.mark.parametrize("name", REQUIRED)
def test_listed_critical_points_are_correct(name: str) -> None:
    objective = get(name)
    listed = [(p, "min") for p in objective.minima]
    listed += [(p, "saddle") for p in objective.saddles]
    listed += [(p, "max") for p in objective.maxima]
    assert listed
    for point, kind in listed:
        grad = objective.grad(np.array(point))
        assert np.linalg.norm(grad) < 1e-10, (name, point, grad)
        found = _classify(objective, point)
        if found == "degenerate":
            # The monkey saddle's Hessian vanishes: look at values around the point instead.
            assert name == "monkey_saddle"
            angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
            ring = np.array(point) + 0.1 * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
            change = objective.value(ring) - objective.value(np.array(point))
            assert change.min() < 0 < change.max()
        else:
            assert found == kind, (name, point, found)


def test_cubic_bowl_critical_points_solved_exactly() -> None:
    objective = get("cubic_bowl")
    solutions = sympy.solve(objective.grad_exprs, objective.variables, dict=True)
    exact = sorted((float(s[x]), float(s[y])) for s in solutions)
    assert exact == sorted(objective.minima + objective.saddles)
    assert objective.saddles == ((0.25, -0.5),)


def _newton_critical_points(objective: Objective, starts: int = 41) -> list[np.ndarray]:
    assert objective.view is not None
    xmin, xmax, ymin, ymax = objective.view
    grid = np.stack(
        np.meshgrid(np.linspace(xmin, xmax, starts), np.linspace(ymin, ymax, starts)), axis=-1
    ).reshape(-1, 2)
    points = grid.copy()
    for _ in range(60):
        hessian = objective.hessian(points)
        grad = objective.grad(points)
        ok = np.abs(np.linalg.det(hessian)) > 1e-12
        step = np.zeros_like(points)
        step[ok] = np.linalg.solve(hessian[ok], grad[ok][..., None])[..., 0]
        points = points - step
        points[~np.isfinite(points).all(axis=-1)] = 1e6
    grad = objective.grad(points)
    inside = (
        (points[:, 0] >= xmin)
        & (points[:, 0] <= xmax)
        & (points[:, 1] >= ymin)
        & (points[:, 1] <= ymax)
    )
    converged = np.linalg.norm(grad, axis=-1) < 1e-8
    found: list[np.ndarray] = []
    for point in points[inside & converged]:
        if not any(np.linalg.norm(point - other) < 1e-6 for other in found):
            found.append(point)
    return found


@pytest.mark.parametrize(
    "name", ["bowl", "long_valley", "cubic_bowl", "saddle", "rosenbrock", "beale", "himmelblau"]
)
def test_no_critical_point_in_the_view_is_missing(name: str) -> None:
    objective = get(name)
    listed = np.array(objective.minima + objective.saddles + objective.maxima)
    found = _newton_critical_points(objective)
    assert found
    for point in found:
        assert np.min(np.linalg.norm(listed - point, axis=-1)) < 1e-6, (name, point)
    # And Newton from the listed points stays there (they are accurate to float64).
    for point in listed:
        step = np.linalg.solve(objective.hessian(point), objective.grad(point))
        assert np.linalg.norm(step) < 1e-12


def test_wavy_lists_every_local_extremum_in_its_view() -> None:
    objective = get("wavy")
    assert objective.view is not None
    xs = np.linspace(objective.view[0], objective.view[1], 200_001)
    slope = objective.grad(xs[:, None])[:, 0]
    crossings = np.nonzero(np.sign(slope[:-1]) != np.sign(slope[1:]))[0]
    roots = xs[crossings]
    assert len(roots) == len(objective.minima) + len(objective.maxima) == 6
    listed = sorted(p[0] for p in objective.minima + objective.maxima)
    assert np.allclose(roots, listed, atol=1e-3)
    for (point,) in objective.minima:
        assert float(objective.hessian(np.array([point]))[0, 0]) > 0


def test_known_minimum_values() -> None:
    assert float(get("rosenbrock").value(np.array([1.0, 1.0]))) == 0.0
    assert float(get("beale").value(np.array([3.0, 0.5]))) == 0.0
    assert float(get("rastrigin").value(np.array([0.0, 0.0]))) == 0.0
    himmelblau = get("himmelblau")
    assert np.all(himmelblau.value(np.array(himmelblau.minima)) < 1e-25)
    assert float(get("shifted_parabola").value(np.array([-2.0]))) == -3.0
    # Rastrigin's listed minimum is the global one.
    rastrigin = get("rastrigin")
    grid = np.stack(np.meshgrid(*[np.linspace(-5.12, 5.12, 401)] * 2), axis=-1)
    assert rastrigin.value(grid).min() >= 0.0


# --------------------------------------------------------------------------------------------
# Derivatives against central differences
# --------------------------------------------------------------------------------------------


def _central_difference(
    function: Callable[[np.ndarray], np.ndarray], points: np.ndarray, h: float
) -> np.ndarray:
    """d function / d p_i for every coordinate i, appended as the last axis."""
    columns = []
    for i in range(points.shape[-1]):
        offset = np.zeros(points.shape[-1])
        offset[i] = h
        columns.append((function(points + offset) - function(points - offset)) / (2 * h))
    return np.stack(columns, axis=-1)


def _random_points(objective: Objective, count: int, seed: int) -> np.ndarray:
    assert objective.view is not None
    lo = np.array(objective.view[::2])
    hi = np.array(objective.view[1::2])
    return np.random.default_rng(seed).uniform(lo, hi, size=(count, objective.dim))


@pytest.mark.parametrize("name", REQUIRED)
def test_catalog_gradients_and_hessians_match_central_differences(name: str) -> None:
    objective = get(name)
    points = _random_points(objective, 12, seed=7)
    points = np.concatenate([points, np.array(objective.minima + objective.saddles)])
    h = 1e-5
    scale = 1.0 + float(np.max(np.abs(objective.value(points))))
    numeric_grad = _central_difference(objective.value, points, h)
    # Truncation error ~ h^2 |f'''| / 6, rounding ~ eps |f| / h: both far below this.
    np.testing.assert_allclose(objective.grad(points), numeric_grad, rtol=1e-6, atol=1e-6 * scale)
    grad_scale = 1.0 + float(np.max(np.abs(objective.grad(points))))
    numeric_hessian = _central_difference(objective.grad, points, h)
    np.testing.assert_allclose(
        objective.hessian(points), numeric_hessian, rtol=1e-6, atol=1e-6 * grad_scale
    )


@pytest.mark.parametrize(
    "text",
    [
        "x*y*z + sin(x)*exp(y/3) - log(1 + z^2)",
        "sqrt(x^2 + y^2 + 1) + tanh(x*y) + cosh(z/2) - sinh(x/3)",
        "x^-2 + y^-3 + z^5 + x^7*y",
        "abs(x - 0.3)*y + tan(z/4)",
        "x1*x2 + x2^3 - x3^4",
    ],
)
def test_parsed_3d_derivatives_match_central_differences(text: str) -> None:
    objective = parse(text)
    points = np.random.default_rng(3).uniform(0.6, 1.4, size=(10, objective.dim))
    h = 1e-6
    np.testing.assert_allclose(
        objective.grad(points), _central_difference(objective.value, points, h), rtol=1e-6
    )
    np.testing.assert_allclose(
        objective.hessian(points),
        _central_difference(objective.grad, points, h),
        rtol=1e-5,
        atol=1e-7,
    )


def test_bowl_gradient_field_matches_the_tutorial_differences() -> None:
    # S2: arrows on [-4, 4)^2 with spacing 0.25; the original used central differences, h = 1e-4.
    bowl = get("bowl")
    axis = np.arange(-4.0, 4.0, 0.25)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1)
    exact = bowl.grad(grid)
    numeric = _central_difference(bowl.value, grid, 1e-4)
    assert exact.shape == (32, 32, 2)
    np.testing.assert_allclose(exact, numeric, atol=1e-9)
    np.testing.assert_array_equal(exact, 2 * grid)


def test_abs_has_sign_gradient_and_zero_hessian() -> None:
    objective = parse("abs(x)")
    assert objective.grad(np.array([[-2.0], [3.0]])).tolist() == [[-1.0], [1.0]]
    assert objective.hessian(np.array([[-2.0], [0.0], [3.0]])).tolist() == [[[0.0]]] * 3
    assert not objective.hessian_exprs[0][0].has(sympy.DiracDelta)


# --------------------------------------------------------------------------------------------
# Shapes, dtypes, broadcasting, non-finite values
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["parabola", "bowl", "rosenbrock", "saddle"])
@pytest.mark.parametrize("shape", [(), (7,), (4, 5), (2, 3, 4)])
def test_shapes(name: str, shape: tuple[int, ...]) -> None:
    objective = get(name)
    d = objective.dim
    points = np.random.default_rng(0).normal(size=shape + (d,))
    value, grad, hessian = (
        objective.value(points),
        objective.grad(points),
        objective.hessian(points),
    )
    assert value.shape == shape and value.dtype == np.float64
    assert grad.shape == shape + (d,) and grad.dtype == np.float64
    assert hessian.shape == shape + (d, d) and hessian.dtype == np.float64
    np.testing.assert_array_equal(hessian, np.swapaxes(hessian, -1, -2))
    # Each point of a batch gives what it gives alone.
    flat = points.reshape(-1, d)
    for i in range(0, len(flat), 3):
        assert objective.value(flat[i]) == value.reshape(-1)[i]
        np.testing.assert_array_equal(objective.grad(flat[i]), grad.reshape(-1, d)[i])


def test_constant_components_broadcast_to_full_shape() -> None:
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-2, 2, 3)), axis=-1)
    hessian = get("bowl").hessian(grid)
    assert hessian.shape == (3, 5, 2, 2)
    np.testing.assert_array_equal(hessian, np.broadcast_to(np.diag([2.0, 2.0]), (3, 5, 2, 2)))
    grad = parse("x + 2*y").grad(grid)
    np.testing.assert_array_equal(grad, np.broadcast_to([1.0, 2.0], (3, 5, 2)))
    assert parse("3*x").hessian(np.zeros((4, 1))).tolist() == [[[0.0]]] * 4


def test_inputs_are_converted_and_not_modified() -> None:
    rosenbrock = get("rosenbrock")
    points = np.array([[0, 0], [1, 1]])  # integers
    before = points.copy()
    assert rosenbrock.value(points).tolist() == [1.0, 0.0]
    assert rosenbrock.grad([[0, 0], [1, 1]]).tolist() == [[-2.0, 0.0], [0.0, 0.0]]
    np.testing.assert_array_equal(points, before)
    single = rosenbrock.value((1.0, 1.0))
    assert isinstance(single, np.ndarray) and single.shape == ()


@pytest.mark.parametrize("bad", [1.0, [1.0, 2.0, 3.0], np.zeros((4, 3)), np.zeros((2, 1))])
def test_points_with_the_wrong_last_axis_are_rejected(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        get("bowl").grad(bad)


def test_non_finite_results_are_returned_not_raised(no_warnings: None) -> None:
    log = parse("log(x)")
    assert np.isnan(log.value([-1.0]))
    assert np.isneginf(log.value([0.0]))
    values = log.value(np.array([[-1.0], [1.0], [0.0]]))
    assert np.isnan(values[0]) and values[1] == 0.0 and np.isneginf(values[2])
    inverse = parse("1/x + y^-3")
    grad = inverse.grad(np.array([[0.0, 0.0], [1.0, 1.0]]))
    assert not np.isfinite(grad[0]).any() and grad[1].tolist() == [-1.0, -3.0]
    assert np.isnan(parse("sqrt(x)").grad([-1.0])).all()
    assert np.isinf(parse("exp(x)").value([1000.0]))
    assert np.isnan(parse("x**(1/3)").value([-8.0]))
    assert np.isnan(get("rosenbrock").value([np.nan, 0.0]))
    assert np.isnan(parse("sqrt(x*y)").hessian(np.full((2, 3, 2), [-1.0, 1.0]))).all()


def test_complex_values_from_a_hand_built_expression_become_nan(no_warnings: None) -> None:
    objective = Objective(sympy.I * x + x**2, (x,))
    assert objective.value(np.array([[0.0], [1.0]])).tolist()[0] == 0.0
    assert np.isnan(objective.value(np.array([1.0])))
    assert np.isnan(objective.grad(np.array([1.0]))).all()


# --------------------------------------------------------------------------------------------
# The Objective class itself
# --------------------------------------------------------------------------------------------


def test_objective_constructed_directly() -> None:
    objective = Objective(x**2 + 3 * y**2, (x, y))
    assert objective.text == "x**2 + 3*y**2"
    assert objective.display_text == "x**2 + 3*y**2"
    assert objective.minima == () and objective.view is None
    assert objective.grad_exprs == (2 * x, 6 * y)
    assert objective.hessian_exprs == ((2, 0), (0, 6))
    with_points = Objective(x**2, [x], view=[-1, 1], minima=[[0]])  # type: ignore[arg-type]
    assert with_points.view == (-1.0, 1.0) and with_points.minima == ((0.0,),)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"expr": x**2, "variables": ()},
        {"expr": x**2, "variables": (x, x)},
        {"expr": x**2 + y, "variables": (x,)},
        {"expr": 3, "variables": (x,)},
        {"expr": x**2, "variables": ("x",)},
        {"expr": x**2, "variables": (x, y, z, x1)},
        {"expr": x**2, "variables": (x,), "view": (-1.0, 1.0, 0.0, 2.0)},
        {"expr": x**2, "variables": (x,), "view": (1.0, -1.0)},
        {"expr": x**2, "variables": (x,), "minima": ((0.0, 0.0),)},
        {"expr": x**2 + y, "variables": (x, y), "saddles": ((0.0,),)},
    ],
)
def test_objective_validates_its_fields(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ObjectiveError):
        Objective(**kwargs)


def test_objective_is_immutable_hashable_and_picklable() -> None:
    objective = get("rosenbrock")
    objective.grad(np.zeros(2))  # compile, so the cache is populated
    with pytest.raises(AttributeError):
        objective.name = "other"  # type: ignore[misc]
    assert hash(objective) == hash(pickle.loads(pickle.dumps(objective)))
    copy = pickle.loads(pickle.dumps(objective))
    assert copy == objective and copy.minima == ((1.0, 1.0),)
    assert copy.grad([0.0, 0.0]).tolist() == [-2.0, 0.0]
    assert objective._grad_fn is objective._grad_fn  # compiled once


def test_integer_powers_are_fast_and_exact() -> None:
    objective = parse("x^7 - y^-3 + x^2*y^5")
    point = np.array([1.3, 0.7])
    exact = objective.expr.subs(dict(zip(objective.variables, [1.3, 0.7], strict=True)))
    assert float(objective.value(point)) == pytest.approx(float(exact), rel=1e-14)


def test_module_does_not_import_manim() -> None:
    code = "import sys, gdanim.objectives; sys.exit('manim' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
