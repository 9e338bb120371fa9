"""The codebook (``corpus/codebook.yml``): coded variables, their kinds and allowed values.

Ingest checks every code against it; the datasheet and ``corpus/codebook.md`` are rendered from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import config

_OPEN_WORD = re.compile(r"^other:[a-z0-9_]+$")


@dataclass(frozen=True)
class Variable:
    """One coded variable: ``single`` (one value) or ``multi`` (a list of values)."""

    name: str
    kind: str
    definition: str
    values: dict = field(default_factory=dict)
    open_value: str | None = None
    subset_of: str | None = None

    def check(self, value) -> str | None:
        """A message saying what is wrong with ``value``, or ``None`` when it is allowed."""
        if self.kind == "single":
            if not isinstance(value, str):
                return f"expected one value, got {type(value).__name__}"
            return None if value in self.values else f"{value!r} is not one of {', '.join(self.values)}"
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "expected a list of strings"
        if self.values:
            bad = [v for v in value if v not in self.values and not (self.open_value and _OPEN_WORD.match(v))]
            if bad:
                hint = f" (or {self.open_value})" if self.open_value else ""
                return f"{', '.join(map(repr, bad))} not among the allowed values{hint}"
        return None


class Codebook:
    """All variables of the codebook, by name."""

    def __init__(self, variables: dict[str, Variable], unit: str = ""):
        self.variables = variables
        self.unit = unit

    @classmethod
    def from_yaml(cls, path: str | Path | None = None) -> "Codebook":
        path = Path(path or config.CODEBOOK_YML)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        variables = {
            name: Variable(name, spec["kind"], " ".join(spec.get("definition", "").split()),
                           dict(spec.get("values") or {}), spec.get("open_value"), spec.get("subset_of"))
            for name, spec in data["variables"].items()
        }
        return cls(variables, " ".join(data.get("unit", "").split()))

    def check(self, codes: dict) -> list[tuple[str, str]]:
        """(variable, message) for every code that breaks the codebook."""
        problems = []
        for name, value in codes.items():
            var = self.variables.get(name)
            if var is None:
                continue  # not a coded variable (checked by the caller against known fields)
            message = var.check(value)
            if message:
                problems.append((name, message))
            elif var.subset_of and isinstance(codes.get(var.subset_of), list):
                extra = sorted(set(value) - set(codes[var.subset_of]))
                if extra:
                    problems.append((name, f"{', '.join(extra)} not in {var.subset_of}"))
        return problems

    def __contains__(self, name: str) -> bool:
        return name in self.variables

    def __iter__(self):
        return iter(self.variables.values())

    def to_markdown(self) -> str:
        """The codebook as Markdown (``corpus/codebook.md``)."""
        lines = ["# Codebook", "", "Generated from `corpus/codebook.yml` by `mediaframes corpus datasheet`; "
                 "edit the YAML, not this file.", "", f"**Unit of analysis.** {self.unit}", ""]
        for var in self:
            lines += [f"## `{var.name}` ({'one value' if var.kind == 'single' else 'list of values'})", "",
                      var.definition, ""]
            if var.subset_of:
                lines += [f"Values: a subset of `{var.subset_of}`.", ""]
            if var.values:
                lines += ["| value | meaning |", "|---|---|"]
                lines += [f"| `{v}` | {' '.join(str(d).split())} |" for v, d in var.values.items()]
                if var.open_value:
                    lines.append(f"| `{var.open_value}` | any other word, as written, joined with `_` |")
                lines.append("")
        return "\n".join(lines)
