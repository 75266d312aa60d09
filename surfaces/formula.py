"""A typed formula f(x, y), read safely, with exact derivatives by forward-mode differentiation.

    >>> f = parse_formula("(1 - x)^2 + 100*(y - x^2)^2")
    >>> f.jet(np.float64(0.0), np.float64(1.0), order=1)[:3]  # value, df/dx, df/dy
    (np.float64(101.0), np.float64(-2.0), np.float64(200.0))

What the user may type: numbers (`2`, `0.5`, `1e-3`), `x`, `y`, the constants `pi` and `e`,
`+ - * / ^ **` with unary minus and parentheses (`^` is a power: `x^2+1` is x squared plus one),
and the functions `sin cos tan exp log sqrt abs tanh sinh cosh atan` (`log` is natural), each of
one argument. Or a sum of squares: residuals separated by `;` (`1 - x; 10*(y - x^2)` is
Rosenbrock; a single residual ends with `;`), whose loss is sum(r_i^2) (no 1/2).

Safety. The text may come from a URL, so it is hostile input. It is never given to eval, exec or
any code generator: it is parsed by `ast.parse(mode="eval")` and every node is checked against an
allowlist (numbers, the names above, the five arithmetic operators, unary +/-, and calls of the
allowed functions with one positional argument), then copied into our own small tree (`Num`,
`Var`, `Neg`, `Bin`, `Fn`, `Power`), which is all that is ever evaluated, by NumPy (compiled once
into closures over that tree: no text is ever turned into code). Everything else
(attributes, subscripts, strings, lambdas, comprehensions, comparisons, keywords) is refused with
a `ValueError` naming the problem and its column (1-based, in the text as typed). The bounds,
checked in this order before any arithmetic, and why each is enough:

- `MAX_CHARS` = 300 characters, checked first, so a megabyte of text costs one `len`. A formula a
  person types for a 2D loss (Beale, Himmelblau, Rosenbrock fit in 40) is far shorter.
- Only ASCII from a small set of characters (letters, digits, space, tab, line break and
  `+-*/^().,;_`).
  Python folds Unicode look-alikes (a full-width x, a mathematical italic x) into plain names, so
  every non-ASCII character is refused; quotes, backslashes, brackets, `:`, `=`, `#`, `@`, `%`...
  are refused here too (strings, subscripts, lambdas, walrus, comments), before Python's parser
  sees them, which also keeps the parser from emitting warnings about escape sequences.
- `MAX_NODES` = 200 nodes over all residuals and `MAX_DEPTH` = 64 levels of nesting, counted
  without recursion on the parsed tree. Evaluation does a fixed number of NumPy operations per
  node (at most about 25 for the Hessian), so the work is linear in the node count; the depth
  bound keeps our recursive evaluator far below Python's recursion limit. Python's own parser is
  bounded by the 300 characters (it refuses more than 200 nested parentheses itself).
- Numbers at most `MAX_CONSTANT` = 1e9 in size: larger ones would only give a picture of
  overflow on any view box the page allows.
- Exponents: an exponent without x or y must be a plain constant made of numbers, pi, e, unary
  minus and + - * / (no power, no function: `9^9^9` and `x^(2^9)` are refused by their shape,
  before any arithmetic), and its value is at most `MAX_EXPONENT` = 100 in size (`x^0.5`,
  `x^(1/3)`, `x^-2` are fine; `((9^9)^9999)^9999` is refused at 9999). That power-free exponent
  is the only arithmetic during the checks; afterwards the parts without x or y are folded once,
  in NumPy floats (at most MAX_NODES operations, overflow gives inf), so nothing can run away:
  there is no exact integer arithmetic and no symbolic algebra anywhere. Exponents with x or y
  (`x^y`, `2^x`, `2^(2^x)`) are fine: they are evaluated in floating point.

Derivatives. `Formula.jet` evaluates the compiled tree once per call, carrying for every node
its value, gradient and Hessian (a second-order forward-mode "jet") through the chain rule, in
NumPy, for points of any shape: exact to rounding, and linear in the size of the formula
(symbolic differentiation of a long product can take seconds). `abs` has derivative sign(u) and
second derivative 0 (no delta at the kink). `u^w` with w depending on x or y is exp(w log u),
so it is NaN for u < 0.

Numeric faults (overflow, log of a negative number, division by zero) are not errors: the value is
NaN or inf there (NumPy's warnings are silenced), as on any surface.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

MAX_CHARS = 300
MAX_NODES = 200
MAX_DEPTH = 64
MAX_CONSTANT = 1e9
MAX_EXPONENT = 100.0

VARIABLES = ("x", "y")
CONSTANTS = {"pi": np.pi, "e": np.e}
FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "atan")
ALLOWED_NAMES = ", ".join((*VARIABLES, *CONSTANTS, *FUNCTIONS))

# What a refused character usually means, for the message.
_CHARACTER_HINTS = {
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "\\": "backslashes are not allowed",
    "[": "subscripts and lists are not allowed",
    "]": "subscripts and lists are not allowed",
    "{": "sets and dicts are not allowed",
    "}": "sets and dicts are not allowed",
    ":": "lambdas, slices and := are not allowed",
    "=": "write only the right-hand side, what follows f(x, y) =",
    "<": "comparisons are not allowed",
    ">": "comparisons are not allowed",
    "!": "comparisons are not allowed",
    "#": "comments are not allowed",
    "%": "use only + - * / ^",
    "@": "use only + - * / ^",
    "&": "use only + - * / ^",
    "|": "use only + - * / ^ (abs(u) for |u|)",
    "~": "use only + - * / ^",
}
_ALLOWED_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n+-*/^().,;_")
# A number written directly before a name or a parenthesis: 2x, 3sin(x), 2(x + 1), 1e-3y.
_IMPLICIT_PRODUCT = re.compile(r"(?<![A-Za-z0-9_.])(?>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?=\s*[A-Za-z_(])")
_DID_YOU_MEAN = {"ln": "log", "arctan": "atan", "X": "x", "Y": "y", "PI": "pi", "Pi": "pi", "E": "e"}

# Node types refused on sight, with what they are (the character filter stops most of them first).
_REFUSED_NODES = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "if-else",
    ast.Tuple: "tuples (a comma outside a function's parentheses)",
    ast.List: "lists",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.NamedExpr: "assignments",
    ast.JoinedStr: "f-strings",
    ast.Starred: "starred arguments",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}


# ---------------------------------------------------------------------------------------------
# The tree we evaluate (built only from checked nodes)
# ---------------------------------------------------------------------------------------------


class Num(NamedTuple):
    value: float
    text: str  # as typed ("0.5", "1e-3", "pi"), for the LaTeX


class Var(NamedTuple):
    name: str  # "x" or "y"


class Neg(NamedTuple):
    arg: Expr


class Bin(NamedTuple):
    op: str  # one of + - * / ^
    left: Expr
    right: Expr


class Fn(NamedTuple):
    name: str  # one of FUNCTIONS
    arg: Expr


class Power(NamedTuple):
    """base^exponent with an exponent free of x and y (checked at parse time), worth `p`."""

    base: Expr
    exponent: Expr
    p: float


Expr = Num | Var | Neg | Bin | Fn | Power


@dataclass(frozen=True)
class Formula:
    """A parsed formula: one expression, or the residuals of a sum of squares.

    Each term is compiled once into a NumPy program (closures over the checked tree, with its
    constant parts folded); a Formula pickles as its text and is parsed again when unpickled.
    """

    text: str
    terms: tuple[Expr, ...]  # the expression, or the residuals r_1..r_m
    residual: bool  # True when the loss is sum(r_i^2)
    programs: tuple[Program, ...] = field(init=False, repr=False, compare=False)
    size: int = field(init=False, repr=False, compare=False)  # nodes in all terms: the work per point

    def __post_init__(self) -> None:
        object.__setattr__(self, "programs", tuple(_compile(term)[0] for term in self.terms))
        object.__setattr__(self, "size", sum(_node_count(term) for term in self.terms))

    def __reduce__(self):
        return (parse_formula, (self.text,))

    def jet(self, x: Any, y: Any, order: int = 2) -> tuple[Any, ...]:
        """The loss and its derivatives at points (x, y) of one shape (arrays or NumPy scalars).

        Returns (f,) for order 0, (f, f_x, f_y) for order 1 and (f, f_x, f_y, f_xx, f_xy, f_yy)
        for order 2; a component that does not depend on x and y may be a plain float.
        """
        with np.errstate(all="ignore"):
            if not self.residual:
                return self.programs[0](x, y, order)
            total = None
            for program in self.programs:
                r = program(x, y, order)
                square = _mul(r, r, order)
                total = square if total is None else _add(total, square)
            return total

    def residual_jets(self, x: Any, y: Any, order: int = 1) -> list[tuple[Any, ...]]:
        """For each residual, (r,) or (r, r_x, r_y): what the residuals and Jacobian are made of."""
        with np.errstate(all="ignore"):
            return [program(x, y, order) for program in self.programs]

    def latex(self) -> str:
        """The loss as LaTeX, from the tree: how the text was read (see `to_latex`)."""
        return to_latex(self)


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


def parse_formula(text: Any) -> Formula:
    """Read `text` as a formula f(x, y), or as residuals separated by `;`.

    Raises ValueError with a message that names the problem and its column (1-based) for anything
    outside the language described in the module docstring, before any arithmetic.
    """
    if not isinstance(text, str):
        raise ValueError(f"the formula must be text; got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ValueError(f"the formula is {len(text)} characters long; at most {MAX_CHARS} are allowed")
    _check_characters(text)
    if not text.strip():
        raise ValueError("the formula is empty; type f(x, y), e.g. x^2 + 3*y^2, or residuals r1; r2")
    _check_implicit_products(text)

    parts = _split_residuals(text)
    residual = ";" in text  # even one residual, written `r;`
    read = [_read_part(part, start) for part, start in parts]
    nodes = sum(_check_shape(tree, source) for tree, source in read)
    if nodes > MAX_NODES:
        raise ValueError(f"the formula is too long: more than {MAX_NODES} numbers, names and operations")
    return Formula(text, tuple(_convert(tree, source) for tree, source in read), residual)


def _check_characters(text: str) -> None:
    for i, char in enumerate(text):
        if char in _ALLOWED_CHARS:
            continue
        where = f"at column {i + 1}"
        if not char.isascii():
            raise ValueError(
                f"character U+{ord(char):04X} {where} is not plain ASCII; type the formula with "
                "ASCII letters, digits and + - * / ^ ( ) (look-alike letters are not x or y)"
            )
        if not char.isprintable():
            raise ValueError(f"control character U+{ord(char):04X} {where} is not allowed")
        hint = _CHARACTER_HINTS.get(char, "use only + - * / ^ ( ) and the allowed names")
        raise ValueError(f"character {char!r} {where} is not allowed: {hint}")


def _check_implicit_products(text: str) -> None:
    match = _IMPLICIT_PRODUCT.search(text)
    if match is None:
        return
    number = match.group(0)
    rest = text[match.end() :].lstrip()
    following = re.match(r"[A-Za-z_]\w*|\(", rest).group(0)
    raise ValueError(
        f"a number followed by {following!r} at column {match.start() + 1}: "
        f"write {number}*{following} (multiplication needs *)"
    )


def _split_residuals(text: str) -> list[tuple[str, int]]:
    """[(part, index of its first character)]: one part, or the residuals between `;`."""
    if ";" not in text:
        return [(text, 0)]
    parts, start = [], 0
    pieces = text.split(";")
    if not pieces[-1].strip():  # a trailing `;` ends the last residual
        pieces = pieces[:-1]
    for piece in pieces:
        if not piece.strip():
            raise ValueError(
                f"empty residual at column {start + 1}: separate residuals with one ';' "
                "(a single residual ends with ';')"
            )
        parts.append((piece, start))
        start += len(piece) + 1
    return parts


def _read_part(part: str, start: int) -> tuple[ast.expr, _Source]:
    """Python's parse of one expression, and where it sits (columns offset by `start`)."""
    translated, columns = _translate_powers(part, start)
    try:
        tree = ast.parse(translated.strip(), mode="eval")
        shift = len(translated) - len(translated.lstrip())
    except SyntaxError as error:
        shift = len(translated) - len(translated.lstrip())
        if not error.offset or error.offset < 1:  # Python's parser reached the end of the text
            column, reason = columns[len(translated.rstrip())], "the formula ends too early"
        else:
            column = columns[min(shift + error.offset - 1, len(columns) - 1)]
            reason = _syntax_reason(error)
        raise ValueError(f"cannot read the formula at column {column}: {reason}") from None
    except (RecursionError, MemoryError):  # not reached within MAX_CHARS; a safety net
        raise ValueError(f"the formula is nested too deeply; at most {MAX_DEPTH} levels") from None

    return tree.body, _Source(translated.strip(), shift, columns)


class _Source(NamedTuple):
    """The parsed text, and where its characters were in the text as typed."""

    text: str  # what ast.parse read
    shift: int  # characters stripped from its start
    columns: list[int]  # 1-based column as typed of each character before stripping

    def __call__(self, node: ast.AST, offset: int | None = None) -> int:
        """Column of `node` (or of an offset in the parsed text) in the text as typed."""
        index = self.shift + (getattr(node, "col_offset", 0) if offset is None else offset)
        return self.columns[min(index, len(self.columns) - 1)]

    def segment(self, node: ast.AST) -> str:
        """The characters of `node` as parsed (a number as typed, e.g. 1e-3)."""
        return self.text[node.col_offset : node.end_col_offset]


def _translate_powers(part: str, start: int) -> tuple[str, list[int]]:
    """`^` becomes `**`; columns[i] is the 1-based column in the whole text of character i."""
    out, columns = [], []
    for i, char in enumerate(part):
        column = start + i + 1
        if char == "^":
            out.append("**")
            columns += [column, column]
        else:
            out.append(" " if char in "\t\n" else char)  # a pasted line break is a space
            columns.append(column)
    columns.append(start + len(part) + 1)  # the end, for errors there
    return "".join(out), columns


def _syntax_reason(error: SyntaxError) -> str:
    message = (error.msg or "invalid syntax").split(".")[0]
    if "was never closed" in message or "unmatched" in message or "does not match" in message:
        return "unbalanced parentheses"
    if "parentheses" in message and "nested" in message:
        return "too many nested parentheses"
    if message.startswith("invalid decimal literal"):
        return "a number cannot run into a name (write 2*x)"
    if "EOF" in message or "unexpected end" in message:
        return "the formula ends too early"
    return "not a formula (use numbers, x, y, + - * / ^, parentheses and the allowed functions)"


def _check_shape(root: ast.AST, column: _Source) -> int:
    """The number of nodes; refuses nesting past MAX_DEPTH and constant power towers.

    Runs before our tree is built and before any arithmetic, without recursion: nodes are counted
    by `ast.walk`, depth by an explicit stack.
    """
    parts = [node for node in ast.walk(root) if not isinstance(node, _NOT_PARTS)]
    if len(parts) > MAX_NODES:
        raise ValueError(f"the formula is too long: more than {MAX_NODES} numbers, names and operations")
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(
                f"the formula is nested too deeply at column {column(node)}; at most {MAX_DEPTH} levels "
                "of operations"
            )
        stack.extend(
            (child, depth + 1) for child in ast.iter_child_nodes(node) if not isinstance(child, _NOT_PARTS)
        )
    for node in parts:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            inside = list(ast.walk(node.right))
            constant = all(n.id in CONSTANTS for n in inside if isinstance(n, ast.Name))
            if constant and any(_is_power_or_call(n) for n in inside):
                raise ValueError(
                    f"the constant exponent at column {column(node.right)} may not contain a power or a "
                    "function (towers like 9^9^9 are not allowed); write it as a number, e.g. x^0.5"
                )
    return len(parts)


def _is_power_or_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) or (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow))


_NOT_PARTS = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)  # Load, Add, USub...


def _convert(node: ast.AST, column) -> Expr:
    """Our tree for a checked-size ast node; refuses anything outside the allowlist."""
    where = f"at column {column(node)}"
    if isinstance(node, ast.Constant):
        value = node.value
        if type(value) not in (int, float):  # bool, str, bytes, complex, None, Ellipsis
            kind = "strings" if isinstance(value, (str, bytes)) else f"{type(value).__name__} values"
            raise ValueError(f"{kind} are not allowed ({where}); use plain numbers")
        if not abs(value) <= MAX_CONSTANT:  # also refuses inf (1e999) without float overflow
            raise ValueError(f"the number {where} is too large; at most {MAX_CONSTANT:g} in size")
        return Num(np.float64(value), column.segment(node))  # NumPy arithmetic: 1/0 is inf, not an error
    if isinstance(node, ast.Name):
        if node.id in VARIABLES:
            return Var(node.id)
        if node.id in CONSTANTS:
            return Num(np.float64(CONSTANTS[node.id]), node.id)
        if node.id in FUNCTIONS:
            raise ValueError(f"{node.id} {where} is a function: write {node.id}(...)")
        raise ValueError(_unknown_name(node.id, where))
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.USub):
            return Neg(_convert(node.operand, column))
        if isinstance(node.op, ast.UAdd):
            return _convert(node.operand, column)
        symbol = "not" if isinstance(node.op, ast.Not) else "~"
        raise ValueError(f"the operator {symbol!r} {where} is not allowed; use + - * / ^")
    if isinstance(node, ast.BinOp):
        op = _OPERATORS.get(type(node.op))
        if op is None:
            where = f"at column {column(node, _operator_offset(node))}"
            raise ValueError(f"this operator {where} is not allowed; use + - * / ^ (// and % are not)")
        left, right = _convert(node.left, column), _convert(node.right, column)
        if op == "^" and not _has_variable(right):
            return Power(left, right, _check_constant_exponent(node.right, right, column))
        return Bin(op, left, right)
    if isinstance(node, ast.Call):
        return _convert_call(node, column, where)
    if isinstance(node, ast.Attribute):  # point at the dot, not at what comes before it
        where = f"at column {column(node, node.value.end_col_offset)}"
    kind = _REFUSED_NODES.get(type(node), type(node).__name__)
    raise ValueError(f"not allowed in a formula: {kind} {where}")


def _operator_offset(node: ast.BinOp) -> int:
    """Offset of a binary operator: just after its left operand (spaces aside, close enough)."""
    return node.left.end_col_offset or node.col_offset


def _convert_call(node: ast.Call, column, where: str) -> Expr:
    func = node.func
    if isinstance(func, ast.Attribute):
        raise ValueError(
            f"not allowed in a formula: attribute access at column {column(func, func.value.end_col_offset)}"
        )
    if not isinstance(func, ast.Name):
        where = f"at column {column(node, func.end_col_offset)}"
        raise ValueError(
            f"only the allowed functions can be called ({where}); for a product of brackets write (...)*(...)"
        )
    name = func.id
    if name in VARIABLES or name in CONSTANTS:
        raise ValueError(f"{name} {where} is not a function: write {name}*(...) for a product")
    if name not in FUNCTIONS:
        raise ValueError(_unknown_name(name, where))
    if node.keywords or len(node.args) != 1:
        raise ValueError(f"{name} {where} takes exactly one argument, e.g. {name}(x)")
    return Fn(name, _convert(node.args[0], column))


def _unknown_name(name: str, where: str) -> str:
    hint = _DID_YOU_MEAN.get(name)
    suggestion = f" (did you mean {hint!r}?)" if hint else ""
    return f"unknown name {name!r} {where}{suggestion}; allowed: {ALLOWED_NAMES}"


def _node_count(expr: Expr) -> int:
    if isinstance(expr, (Num, Var)):
        return 1
    if isinstance(expr, Bin):
        return 1 + _node_count(expr.left) + _node_count(expr.right)
    if isinstance(expr, Power):
        return 1 + _node_count(expr.base) + _node_count(expr.exponent)
    return 1 + _node_count(expr.arg)


def _has_variable(expr: Expr) -> bool:
    if isinstance(expr, Var):
        return True
    if isinstance(expr, Num):
        return False
    if isinstance(expr, Bin):
        return _has_variable(expr.left) or _has_variable(expr.right)
    if isinstance(expr, Power):
        return _has_variable(expr.base)
    return _has_variable(expr.arg)


def _check_constant_exponent(node: ast.AST, exponent: Expr, column) -> float:
    """A constant exponent's value: power-free and function-free (no towers), at most MAX_EXPONENT."""
    where = f"at column {column(node)}"
    if not _is_plain_constant(exponent):
        raise ValueError(
            f"the constant exponent {where} may not contain a power or a function "
            f"(towers like 9^9^9 are not allowed); write it as a number, e.g. x^0.5"
        )
    with np.errstate(all="ignore"):
        value = _constant_value(exponent)
    if not abs(value) <= MAX_EXPONENT:  # also NaN or inf, e.g. 1/0
        raise ValueError(f"the exponent {where} is too large; at most {MAX_EXPONENT:g} in size")
    return value


def _is_plain_constant(expr: Expr) -> bool:
    if isinstance(expr, Num):
        return True
    if isinstance(expr, Neg):
        return _is_plain_constant(expr.arg)
    if isinstance(expr, Bin) and expr.op != "^":
        return _is_plain_constant(expr.left) and _is_plain_constant(expr.right)
    return False  # a power, a function (or a variable)


def _constant_value(expr: Expr) -> float:
    """Value of a plain constant (numbers, unary minus, + - * /) in floats; inf/NaN on faults."""
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Neg):
        return -_constant_value(expr.arg)
    a, b = _constant_value(expr.left), _constant_value(expr.right)
    if expr.op == "+":
        return a + b
    if expr.op == "-":
        return a - b
    if expr.op == "*":
        return a * b
    return a / b if b != 0 else float("nan")


# ---------------------------------------------------------------------------------------------
# Forward-mode derivatives: a jet is (value, d/dx, d/dy, d2/dx2, d2/dxdy, d2/dy2)
# ---------------------------------------------------------------------------------------------

# A program maps (x, y, order) to the jet of its node, truncated to the order.
Program = Callable[[Any, Any, int], tuple]
_ZEROS = {0: (), 1: (0.0, 0.0), 2: (0.0, 0.0, 0.0, 0.0, 0.0)}
_DX = {0: (), 1: (1.0, 0.0), 2: (1.0, 0.0, 0.0, 0.0, 0.0)}
_DY = {0: (), 1: (0.0, 1.0), 2: (0.0, 1.0, 0.0, 0.0, 0.0)}


def _compile(expr: Expr) -> tuple[Program, Any]:
    """The program of `expr`, and its value when it has no x or y (else None).

    A subtree without x or y is folded into its value here, once (NumPy floats: overflow is inf).
    Recursion depth is the tree's, at most MAX_DEPTH.
    """
    kind = type(expr)
    if kind is Num:
        return _constant_program(expr.value), expr.value
    if kind is Var:
        if expr.name == "x":
            return (lambda x, y, order: (x, *_DX[order])), None
        return (lambda x, y, order: (y, *_DY[order])), None
    program = _compile_operation(expr)
    if _has_variable(expr):
        return program, None
    with np.errstate(all="ignore"):
        value = program(None, None, 0)[0]
    return _constant_program(value), value


def _constant_program(value: Any) -> Program:
    return lambda x, y, order: (value, *_ZEROS[order])


def _compile_operation(expr: Neg | Bin | Fn | Power) -> Program:
    if isinstance(expr, Neg):
        arg = _compile(expr.arg)[0]
        return lambda x, y, order: tuple(-c for c in arg(x, y, order))
    if isinstance(expr, Fn):
        arg, derivatives = _compile(expr.arg)[0], _FUNCTION_DERIVATIVES[expr.name]

        def call(x, y, order):
            u = arg(x, y, order)
            return _chain(u, *derivatives(u[0], order), order)

        return call
    if isinstance(expr, Power):
        base, p = _compile(expr.base)[0], expr.p
        return lambda x, y, order: _power(base(x, y, order), p, order)
    (left, a), (right, b) = _compile(expr.left), _compile(expr.right)
    op = expr.op
    if op == "+" or op == "-":
        sign = 1.0 if op == "+" else -1.0
        if b is not None:  # u + c: only the value moves
            return lambda x, y, order: _shift(left(x, y, order), sign * b)
        if a is not None:  # c + v, c - v
            return lambda x, y, order: _shift(_scale(right(x, y, order), sign), a)
        if op == "+":
            return lambda x, y, order: _add(left(x, y, order), right(x, y, order))
        return lambda x, y, order: _add(left(x, y, order), _scale(right(x, y, order), -1.0))
    if op == "*":
        if a is not None:
            return lambda x, y, order: _scale(right(x, y, order), a)
        if b is not None:
            return lambda x, y, order: _scale(left(x, y, order), b)
        return lambda x, y, order: _mul(left(x, y, order), right(x, y, order), order)
    if op == "/":
        if b is not None:
            return lambda x, y, order: tuple(c / b for c in left(x, y, order))
        return lambda x, y, order: _div(left(x, y, order), right(x, y, order), order)
    return lambda x, y, order: _general_power(left(x, y, order), right(x, y, order), order)


def _shift(a: tuple, c: Any) -> tuple:
    return (a[0] + c, *a[1:])


def _add(a: tuple, b: tuple) -> tuple:
    return tuple(p + q for p, q in zip(a, b, strict=True))


def _scale(a: tuple, k: Any) -> tuple:
    return tuple(k * c for c in a)


def _mul(a: tuple, b: tuple, order: int) -> tuple:
    u, v = a[0], b[0]
    if order == 0:
        return (u * v,)
    ux, uy, vx, vy = a[1], a[2], b[1], b[2]
    first = (u * v, ux * v + u * vx, uy * v + u * vy)
    if order == 1:
        return first
    return (
        *first,
        a[3] * v + 2.0 * ux * vx + u * b[3],
        a[4] * v + ux * vy + uy * vx + u * b[4],
        a[5] * v + 2.0 * uy * vy + u * b[5],
    )


def _div(a: tuple, b: tuple, order: int) -> tuple:
    """The quotient rule, written on q = a / b so the value is the exact quotient."""
    v = b[0]
    q = a[0] / v
    if order == 0:
        return (q,)
    qx, qy = (a[1] - q * b[1]) / v, (a[2] - q * b[2]) / v
    if order == 1:
        return (q, qx, qy)
    return (
        q,
        qx,
        qy,
        (a[3] - 2.0 * qx * b[1] - q * b[3]) / v,
        (a[4] - qx * b[2] - qy * b[1] - q * b[4]) / v,
        (a[5] - 2.0 * qy * b[2] - q * b[5]) / v,
    )


def _chain(u: tuple, f0: Any, f1: Any, f2: Any, order: int) -> tuple:
    """Jet of f(u) from f(u), f'(u), f''(u) (f1, f2 unused below their order)."""
    if order == 0:
        return (f0,)
    ux, uy = u[1], u[2]
    first = (f0, f1 * ux, f1 * uy)
    if order == 1:
        return first
    return (*first, f2 * ux * ux + f1 * u[3], f2 * ux * uy + f1 * u[4], f2 * uy * uy + f1 * u[5])


def _power(a: tuple, p: float, order: int) -> tuple:
    """u^p for a constant p (so u < 0 is fine when p is a whole number)."""
    u = a[0]
    if p == 0.0:
        return (np.ones_like(u)[()], *_ZEROS[order])
    if p == 1.0:
        return a
    if p == 2.0:
        return _chain(a, u * u, 2.0 * u, 2.0, order)
    if order == 0:
        return (u**p,)
    return _chain(a, u**p, p * u ** (p - 1.0), p * (p - 1.0) * u ** (p - 2.0), order)


def _general_power(a: tuple, b: tuple, order: int) -> tuple:
    """u^w with w depending on x or y: exp(w log u), whose derivative is u^w times that of w log u."""
    value = a[0] ** b[0]
    if order == 0:
        return (value,)
    log_u = _chain(a, *_log(a[0], order), order)
    return _chain(_mul(b, log_u, order), value, value, value, order)


def _sin(u, order):
    s = np.sin(u)
    if order == 0:
        return s, None, None
    return s, np.cos(u), -s


def _cos(u, order):
    c = np.cos(u)
    if order == 0:
        return c, None, None
    return c, -np.sin(u), -c


def _tan(u, order):
    t = np.tan(u)
    if order == 0:
        return t, None, None
    d = 1.0 + t * t
    return t, d, 2.0 * t * d


def _exp(u, order):
    e = np.exp(u)
    return e, e, e


def _log(u, order):
    if order == 0:
        return np.log(u), None, None
    inverse = 1.0 / u
    return np.log(u), inverse, -inverse * inverse


def _sqrt(u, order):
    s = np.sqrt(u)
    if order == 0:
        return s, None, None
    return s, 0.5 / s, -0.25 / (s * u)


def _abs(u, order):
    return np.abs(u), np.sign(u), 0.0  # no delta function at the kink


def _tanh(u, order):
    t = np.tanh(u)
    if order == 0:
        return t, None, None
    d = 1.0 - t * t
    return t, d, -2.0 * t * d


def _sinh(u, order):
    s = np.sinh(u)
    if order == 0:
        return s, None, None
    c = np.cosh(u)
    return s, c, s


def _cosh(u, order):
    c = np.cosh(u)
    if order == 0:
        return c, None, None
    return c, np.sinh(u), c


def _atan(u, order):
    a = np.arctan(u)
    if order == 0:
        return a, None, None
    d = 1.0 / (1.0 + u * u)
    return a, d, -2.0 * u * d * d


_FUNCTION_DERIVATIVES = {
    "sin": _sin,
    "cos": _cos,
    "tan": _tan,
    "exp": _exp,
    "log": _log,
    "sqrt": _sqrt,
    "abs": _abs,
    "tanh": _tanh,
    "sinh": _sinh,
    "cosh": _cosh,
    "atan": _atan,
}


# ---------------------------------------------------------------------------------------------
# LaTeX, from the tree (so the page shows how the text was read)
# ---------------------------------------------------------------------------------------------

_LATEX_FUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "exp": r"\exp",
    "log": r"\log",
    "tanh": r"\tanh",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "atan": r"\arctan",
}
# Binding strength: a child weaker than its place needs parentheses.
_SUM, _PRODUCT, _NEGATION, _POWER, _ATOM = 1, 2, 3, 4, 5


def to_latex(formula: Formula) -> str:
    """The loss as LaTeX (the right-hand side of f(x, y) = ...), built from the parsed tree.

    A sum of squares reads as (r_1)^2 + (r_2)^2 + ...; `log` is the natural logarithm.
    """
    if not formula.residual:
        return _latex(formula.terms[0])[0]
    return " + ".join(rf"\left({_latex(term)[0]}\right)^{{2}}" for term in formula.terms)


def _latex(expr: Expr) -> tuple[str, int]:
    """(LaTeX, binding strength) of a subtree."""
    if isinstance(expr, Num):
        return _latex_number(expr.text), _ATOM
    if isinstance(expr, Var):
        return expr.name, _ATOM
    if isinstance(expr, Neg):
        return "-" + _wrap(expr.arg, _PRODUCT), _NEGATION
    if isinstance(expr, Fn):
        inner = _latex(expr.arg)[0]
        if expr.name == "sqrt":
            return rf"\sqrt{{{inner}}}", _ATOM
        if expr.name == "abs":
            return rf"\left|{inner}\right|", _ATOM
        return rf"{_LATEX_FUNCTIONS[expr.name]}\left({inner}\right)", _ATOM
    if isinstance(expr, Power):
        return f"{_wrap(expr.base, _ATOM)}^{{{_latex(expr.exponent)[0]}}}", _POWER
    op, left, right = expr
    if op in "+-":
        right_text = _wrap(right, _PRODUCT if op == "-" else _SUM, negation_ok=False)
        return f"{_wrap(left, _SUM)} {op} {right_text}", _SUM
    if op == "*":
        left_text, right_text = _wrap(left, _PRODUCT), _wrap(right, _PRODUCT + 1, negation_ok=False)
        implicit = isinstance(left, Num) and not isinstance(right, Num) and right_text[0].isalpha()
        return f"{left_text} {right_text}" if implicit else rf"{left_text} \cdot {right_text}", _PRODUCT
    if op == "/":
        return rf"\frac{{{_latex(left)[0]}}}{{{_latex(right)[0]}}}", _ATOM
    return f"{_wrap(left, _ATOM)}^{{{_latex(right)[0]}}}", _POWER


def _wrap(expr: Expr, needed: int, negation_ok: bool = True) -> str:
    text, strength = _latex(expr)
    if strength < needed or (strength == _NEGATION and not negation_ok):
        return rf"\left({text}\right)"
    return text


def _latex_number(text: str) -> str:
    if text == "pi":
        return r"\pi"
    mantissa, _, exponent = text.lower().partition("e")
    if exponent and mantissa:  # 1e-3 reads as 1 x 10^-3
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


# ---------------------------------------------------------------------------------------------
# Examples for the page
# ---------------------------------------------------------------------------------------------


class Example(NamedTuple):
    """A formula to pick, with its view box and start point."""

    label: str
    formula: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]


EXAMPLES: dict[str, Example] = {
    "rosenbrock": Example(
        "Rosenbrock's valley", "(1 - x)^2 + 100*(y - x^2)^2", (-2.0, 2.0), (-1.0, 3.0), (-1.5, 2.0)
    ),
    "rosenbrock_residuals": Example(
        "Rosenbrock as residuals (Gauss-Newton, LM)",
        "1 - x; 10*(y - x^2)",
        (-2.0, 2.0),
        (-1.0, 3.0),
        (-1.5, 2.0),
    ),
    "himmelblau": Example(
        "Himmelblau (residuals, four minima)",
        "x^2 + y - 11; x + y^2 - 7",
        (-5.0, 5.0),
        (-5.0, 5.0),
        (0.0, 0.0),
    ),
    "saddle": Example("Saddle (no minimum)", "x^2 - y^2", (-2.0, 2.0), (-2.0, 2.0), (-1.5, 0.01)),
    "monkey_saddle": Example("Monkey saddle", "x^3 - 3*x*y^2", (-2.0, 2.0), (-2.0, 2.0), (1.5, 0.3)),
    "rotated_valley": Example(
        "Rotated valley", "(x + y)^2 + 20*(x - y)^2", (-3.0, 3.0), (-3.0, 3.0), (-2.5, -1.5)
    ),
}
