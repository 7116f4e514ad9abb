"""The formula parser: Python's :mod:`ast` walked against a whitelist, never ``eval``."""

from __future__ import annotations

import ast
import keyword
import math
import re
import warnings
from collections.abc import Callable, Sequence
from typing import NamedTuple

import sympy

from gdanim.objectives.limits import (
    FUNCTIONS,
    MAX_CONSTANT_BITS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_POWER_TOWER,
    MAX_TEXT_LENGTH,
    MAX_VARIABLES,
    ObjectiveError,
)
from gdanim.objectives.objective import Objective

__all__ = ["parse", "shorten"]

_FLOAT_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
    "tanh": math.tanh,
    "sinh": math.sinh,
    "cosh": math.cosh,
}

_CONSTANTS: dict[str, tuple[sympy.Expr, float]] = {
    "pi": (sympy.pi, math.pi),
    "e": (sympy.E, math.e),
}

#: Variable names recognised automatically, in the order they become coordinates.
_AUTO_VARIABLES = ("x", "y", "z", "x1", "x2", "x3")

_ALLOWED_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t+-*/^().,_"
)
_VARIABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")

_BINARY_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
}
_UNARY_OPERATORS: dict[type[ast.unaryop], str] = {
    ast.UAdd: "+",
    ast.USub: "-",
    ast.Not: "not",
    ast.Invert: "~",
}
_NODE_DESCRIPTIONS: dict[str, str] = {
    "Attribute": "attribute access",
    "Subscript": "indexing",
    "Lambda": "lambda",
    "IfExp": "conditional expression",
    "Compare": "comparison",
    "BoolOp": "boolean operator",
    "Tuple": "tuple",
    "List": "list",
    "Set": "set",
    "Dict": "dict",
    "ListComp": "comprehension",
    "SetComp": "comprehension",
    "DictComp": "comprehension",
    "GeneratorExp": "generator expression",
    "JoinedStr": "f-string",
    "NamedExpr": "assignment expression",
    "Starred": "starred argument",
    "Await": "await",
    "Yield": "yield",
    "YieldFrom": "yield",
    "Slice": "slice",
}
_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div)
_NOT_FINITE = (sympy.zoo, sympy.oo, -sympy.oo, sympy.nan)


class _Built(NamedTuple):
    """A sympy expression and, when it is constant, its value as a Python float."""

    expr: sympy.Expr
    value: float | None


def _tower_height(node: ast.expr) -> int:
    """Number of powers stacked in ``a ** b ** c ...`` (signs in exponents skipped)."""
    height = 0
    while True:
        if isinstance(node, ast.UnaryOp):
            node = node.operand
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            height += 1
            node = node.right
        else:
            return height


def shorten(piece: str, limit: int = 40) -> str:
    return piece if len(piece) <= limit else piece[: limit - 3] + "..."


def _number(value: float) -> sympy.Expr:
    """Turn a float literal into an exact integer, a small exact fraction, or a sympy float.

    ``0.15`` becomes 3/20 and ``2.625`` becomes 21/8 (numerator and denominator at most 100),
    which sympy shows as fractions; ``0.001`` or ``123.456`` stay decimals.
    """
    if value.is_integer() and abs(value) < 1e16:
        return sympy.Integer(int(value))
    exact = sympy.Rational(repr(value))
    if exact.q <= 100 and abs(exact.p) <= 100:
        return exact
    return sympy.Float(repr(value))


class _Builder:
    """Walk a Python expression tree against the whitelist, building sympy objects."""

    def __init__(
        self,
        text: str,
        source: str,
        columns: list[int],
        variables: dict[str, sympy.Symbol] | None,
    ) -> None:
        self.text = text
        self.source = source
        self.columns = columns
        self.variables = variables
        self.used: set[str] = set()
        allowed_variables = list(variables) if variables is not None else list(_AUTO_VARIABLES)
        self.allowed = ", ".join([*allowed_variables, *_CONSTANTS, *FUNCTIONS])

    # -- locating pieces of the original text --------------------------------------------------

    def column(self, node: ast.AST) -> int:
        offset = getattr(node, "col_offset", 0)
        offset = min(max(offset, 0), len(self.columns) - 1)
        return self.columns[offset] + 1

    def piece(self, node: ast.AST) -> str:
        start = getattr(node, "col_offset", None)
        end = getattr(node, "end_col_offset", None)
        if start is None or end is None or end <= start:
            return shorten(self.source)
        first = self.columns[min(start, len(self.columns) - 1)]
        last = self.columns[min(end - 1, len(self.columns) - 1)]
        return shorten(self.text[first : last + 1])

    def fail(self, node: ast.AST, subject: str, rest: str = " is not allowed") -> ObjectiveError:
        """An error reading ``<subject> at column <n><rest>``."""
        return ObjectiveError(f"{subject} at column {self.column(node)}{rest}")

    # -- checks on what sympy built -----------------------------------------------------------

    def check(self, built: _Built, node: ast.AST) -> _Built:
        expr = built.expr
        where = f"{self.piece(node)!r} at column {self.column(node)}"
        if built.value is not None and not math.isfinite(built.value):
            raise ObjectiveError(f"{where} is not a finite real number")
        if any(expr.has(bad) for bad in _NOT_FINITE):
            raise ObjectiveError(f"{where} is not a finite real number")
        if expr.has(sympy.I):
            raise ObjectiveError(f"{where} is not real-valued")
        for sub in sympy.preorder_traversal(expr):
            if isinstance(sub, sympy.Rational):
                if max(int(sub.p).bit_length(), int(sub.q).bit_length()) > MAX_CONSTANT_BITS:
                    raise ObjectiveError(f"{where} builds a constant that is too large")
            elif isinstance(sub, sympy.Float):
                number = float(sub)
                if not math.isfinite(number) or (number == 0.0 and not sub.is_zero):
                    raise ObjectiveError(f"{where} builds a constant outside the float64 range")
            elif isinstance(sub, sympy.Pow) and isinstance(sub.exp, sympy.Number):
                if abs(float(sub.exp)) > MAX_EXPONENT:
                    raise ObjectiveError(
                        f"{where} builds the exponent {shorten(str(sub.exp))}; "
                        f"constant exponents must lie in [-{MAX_EXPONENT}, {MAX_EXPONENT}]"
                    )
        return built

    # -- the walk -------------------------------------------------------------------------------

    def build(self, node: ast.AST, depth: int = 0, tower: int = 0) -> _Built:
        if depth > MAX_DEPTH:
            raise self.fail(
                node, f"{self.piece(node)!r}", f" is nested more than {MAX_DEPTH} levels deep"
            )
        if isinstance(node, ast.Expression):
            return self.build(node.body, depth, tower)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth, tower)
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth, tower)
        if isinstance(node, ast.Call):
            return self.call(node, depth, tower)
        description = _NODE_DESCRIPTIONS.get(type(node).__name__, type(node).__name__)
        raise self.fail(node, f"{description} {self.piece(node)!r}")

    def constant(self, node: ast.Constant) -> _Built:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = {str: "string", bytes: "bytes", complex: "complex number"}.get(
                type(value), "constant"
            )
            raise self.fail(node, f"{kind} {self.piece(node)!r}")
        if isinstance(value, int):
            if abs(value) > 10**300:
                raise self.fail(node, f"number {self.piece(node)!r}", " is too large")
            return _Built(sympy.Integer(value), float(value))
        if not math.isfinite(value):
            raise self.fail(node, f"number {self.piece(node)!r}", " is too large")
        return _Built(_number(value), value)

    def name(self, node: ast.Name) -> _Built:
        name = node.id
        if name in _CONSTANTS:
            expr, number = _CONSTANTS[name]
            return _Built(expr, number)
        if name in FUNCTIONS:
            raise self.fail(node, f"function '{name}'", f" must be called, as in {name}(x)")
        if self.variables is None:
            if name in _AUTO_VARIABLES:
                self.used.add(name)
                return _Built(sympy.Symbol(name, real=True), None)
        elif name in self.variables:
            self.used.add(name)
            return _Built(self.variables[name], None)
        raise self.fail(node, f"unknown name {shorten(name)!r}", f"; allowed: {self.allowed}")

    def unary(self, node: ast.UnaryOp, depth: int, tower: int) -> _Built:
        if not isinstance(node.op, ast.USub | ast.UAdd):
            symbol = _UNARY_OPERATORS.get(type(node.op), type(node.op).__name__)
            raise self.fail(node, f"operator '{symbol}' in {self.piece(node)!r}")
        operand = self.build(node.operand, depth + 1, tower)
        if isinstance(node.op, ast.UAdd):
            return operand
        value = None if operand.value is None else -operand.value
        return self.check(_Built(-operand.expr, value), node)

    def binary(self, node: ast.BinOp, depth: int, tower: int) -> _Built:
        op = node.op
        if not isinstance(op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow):
            symbol = _BINARY_OPERATORS.get(type(op), type(op).__name__)
            raise self.fail(
                node,
                f"operator '{symbol}' in {self.piece(node)!r}",
                " is not allowed; allowed: + - * / ** ^",
            )
        # A chain a + b - c + ... (or a * b / c ...) is one level, however long.
        same_family = isinstance(node.left, ast.BinOp) and (
            (isinstance(op, _ADDITIVE) and isinstance(node.left.op, _ADDITIVE))
            or (isinstance(op, _MULTIPLICATIVE) and isinstance(node.left.op, _MULTIPLICATIVE))
        )
        if isinstance(op, ast.Pow):
            if tower + _tower_height(node) > MAX_POWER_TOWER:
                raise self.fail(
                    node,
                    f"power tower {self.piece(node)!r}",
                    f" is too tall; at most {MAX_POWER_TOWER} powers may be stacked",
                )
            left = self.build(node.left, depth + 1, tower)
            right = self.build(node.right, depth + 1, tower + 1)
            return self.check(self.power(left, right, node), node)
        left = self.build(node.left, depth if same_family else depth + 1, tower)
        right = self.build(node.right, depth + 1, tower)
        lv, rv = left.value, right.value
        value: float | None = None
        if isinstance(op, ast.Add):
            expr = left.expr + right.expr
            if lv is not None and rv is not None:
                value = lv + rv
        elif isinstance(op, ast.Sub):
            expr = left.expr - right.expr
            if lv is not None and rv is not None:
                value = lv - rv
        elif isinstance(op, ast.Mult):
            expr = left.expr * right.expr
            if lv is not None and rv is not None:
                value = lv * rv
        else:
            if right.expr.is_zero or rv == 0.0:
                raise ObjectiveError(
                    f"division by zero in {self.piece(node)!r} at column {self.column(node)}"
                )
            expr = left.expr / right.expr
            if lv is not None and rv is not None:
                value = lv / rv
        return self.check(_Built(expr, value), node)

    def power(self, base: _Built, exponent: _Built, node: ast.BinOp) -> _Built:
        where = f"{self.piece(node)!r} at column {self.column(node)}"
        if exponent.value is not None and abs(exponent.value) > MAX_EXPONENT:
            raise ObjectiveError(
                f"exponent {self.piece(node.right)!r} = {exponent.value:.6g} in {where} is too "
                f"large; constant exponents must lie in [-{MAX_EXPONENT}, {MAX_EXPONENT}]"
            )
        if (
            base.value is not None
            and exponent.value is None
            and not (base.value > 0.0 and base.expr.is_positive is not False)
        ):
            raise ObjectiveError(
                f"{where}: a power with a variable exponent needs a positive base, "
                f"got {self.piece(node.left)!r}"
            )
        value = None
        if base.value is not None and exponent.value is not None:
            if base.value == 0.0 and exponent.value < 0:
                raise ObjectiveError(f"division by zero in {where}")
            try:
                value = math.pow(base.value, exponent.value)
            except (OverflowError, ValueError):
                raise ObjectiveError(f"{where} is not a finite real number") from None
        return _Built(sympy.Pow(base.expr, exponent.expr), value)

    def call(self, node: ast.Call, depth: int, tower: int) -> _Built:
        func = node.func
        if not isinstance(func, ast.Name):
            raise self.fail(node, f"call {self.piece(node)!r}")
        name = func.id
        if name not in FUNCTIONS:
            if (
                name in _CONSTANTS
                or name in _AUTO_VARIABLES
                or (self.variables is not None and name in self.variables)
            ):
                raise self.fail(node, f"'{name}'", f" is not a function; write {name}*(...)")
            raise ObjectiveError(
                f"unknown function {shorten(name)!r} at column {self.column(node)}; "
                f"allowed functions: {', '.join(FUNCTIONS)}"
            )
        if node.keywords:
            keyword_name = node.keywords[0].arg or "**"
            raise self.fail(
                node,
                f"keyword argument '{keyword_name}' in {self.piece(node)!r}",
                f" is not allowed; {name} takes exactly 1 positional argument",
            )
        if any(isinstance(argument, ast.Starred) for argument in node.args):
            raise self.fail(node, f"starred argument in {self.piece(node)!r}")
        if len(node.args) != 1:
            raise self.fail(
                node,
                f"{self.piece(node)!r}",
                f" passes {len(node.args)} arguments; {name} takes exactly 1",
            )
        argument = self.build(node.args[0], depth + 1, tower)
        value = None
        if argument.value is not None:
            try:
                value = _FLOAT_FUNCTIONS[name](argument.value)
            except (OverflowError, ValueError):
                raise ObjectiveError(
                    f"{self.piece(node)!r} at column {self.column(node)} "
                    "is not a finite real number"
                ) from None
        return self.check(_Built(FUNCTIONS[name](argument.expr), value), node)


def _check_variables(variables: Sequence[str]) -> dict[str, sympy.Symbol]:
    if isinstance(variables, str):
        raise ObjectiveError(
            f"variables must be a list of names such as ['x', 'y'], not the string {variables!r}"
        )
    names = list(variables)
    if not 1 <= len(names) <= MAX_VARIABLES:
        raise ObjectiveError(f"give 1 to {MAX_VARIABLES} variables, got {len(names)}")
    reserved = set(_CONSTANTS) | set(FUNCTIONS)
    for name in names:
        if (
            not isinstance(name, str)
            or not _VARIABLE_NAME.fullmatch(name)
            or keyword.iskeyword(name)
            or name in reserved
        ):
            raise ObjectiveError(
                f"variable name {name!r} is not allowed; use a letter followed by letters, "
                "digits or '_' (not pi, e or a function name)"
            )
    if len(set(names)) != len(names):
        raise ObjectiveError(f"variable names must be distinct, got {names}")
    return {name: sympy.Symbol(name, real=True) for name in names}


def parse(text: str, variables: Sequence[str] | None = None) -> Objective:
    """Read a formula such as ``x**2/20 + y**2`` into an :class:`Objective`.

    The text is parsed by :func:`ast.parse` and checked node by node against a whitelist;
    it never reaches ``eval``. ``^`` means power.

    Parameters
    ----------
    text
        The formula, at most :data:`MAX_TEXT_LENGTH` characters.
    variables
        Names of the variables in coordinate order. By default they are found in the text
        among ``x, y, z`` and ``x1, x2, x3`` and ordered that way; giving them fixes the
        dimension, so ``parse("x**2", ["x", "y"])`` is a 2D function constant in ``y``.

    Returns
    -------
    Objective
        With ``name=None``, no view and no critical points; ``text`` is the stripped input.

    Raises
    ------
    ObjectiveError
        For anything outside the whitelist, syntax errors, unknown names, constant exponents
        beyond :data:`MAX_EXPONENT`, constants that are not finite reals (``1/0``, ``log(0)``),
        too deep nesting, too long text, more than :data:`MAX_VARIABLES` variables, and
        formulas that do not depend on any variable.

    Examples
    --------
    >>> f = parse("(1-x)^2 + 100*(y-x^2)^2")
    >>> f.variable_names
    ('x', 'y')
    >>> float(f.value([1.0, 1.0]))
    0.0
    >>> parse("x*cos(0.15*pi*x)").expr
    x*cos(3*pi*x/20)
    >>> parse("x**2", ["x", "y"]).dim
    2
    >>> parse("open('f')")
    Traceback (most recent call last):
    ...
    gdanim.objectives.ObjectiveError: character "'" at column 6 is not allowed; allowed: ...
    """
    if not isinstance(text, str):
        raise ObjectiveError(f"a formula must be text, got {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise ObjectiveError(
            f"formula is {len(text)} characters long; at most {MAX_TEXT_LENGTH} are allowed"
        )
    symbols = None if variables is None else _check_variables(variables)
    for index, char in enumerate(text):
        if char not in _ALLOWED_CHARACTERS:
            raise ObjectiveError(
                f"character {char!r} at column {index + 1} is not allowed; allowed: letters, "
                "digits, spaces and + - * / ^ ( ) . , _"
            )
    stripped = text.strip()
    if not stripped:
        raise ObjectiveError("empty formula; write for example x**2 or x**2 + y**2")
    offset = len(text) - len(text.lstrip())
    source_parts: list[str] = []
    columns: list[int] = []
    for index, char in enumerate(stripped):
        replacement = "**" if char == "^" else char
        source_parts.append(replacement)
        columns.extend([index + offset] * len(replacement))
    columns.append(len(stripped) + offset)
    source = "".join(source_parts)
    try:
        with warnings.catch_warnings():
            # "1or x" parses with a SyntaxWarning; treat it as the syntax error it is.
            warnings.simplefilter("error", SyntaxWarning)
            tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        reason = error.msg or "invalid syntax"
        where = ""
        if error.offset and error.offset > 0:
            where = f" at column {columns[min(error.offset - 1, len(columns) - 1)] + 1}"
        raise ObjectiveError(f"syntax error{where} in {shorten(stripped)!r}: {reason}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ObjectiveError(f"cannot read the formula {shorten(stripped)!r}") from None

    builder = _Builder(text, stripped, columns, symbols)
    try:
        built = builder.build(tree)
    except ObjectiveError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as error:
        raise ObjectiveError(
            f"cannot build {shorten(stripped)!r}: {type(error).__name__}"
        ) from None

    if symbols is None:
        order = [name for name in _AUTO_VARIABLES if name in builder.used]
        if len(order) > MAX_VARIABLES:
            raise ObjectiveError(
                f"formula uses {len(order)} variables ({', '.join(order)}); "
                f"at most {MAX_VARIABLES} are allowed"
            )
        chosen = tuple(sympy.Symbol(name, real=True) for name in order)
    else:
        chosen = tuple(symbols.values())
    expr = built.expr
    if not chosen or not (expr.free_symbols & set(chosen)):
        raise ObjectiveError(
            f"formula {shorten(stripped)!r} does not depend on any variable; "
            "use x (1D), x and y (2D) or x, y and z (3D)"
        )
    return Objective(expr=expr, variables=chosen, text=stripped)
