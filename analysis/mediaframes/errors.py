"""Errors a user can act on. The CLI prints them without a traceback (exit code 1).

An :class:`InputError` names where the problem is (file, line or record, field) and how to fix it;
an :class:`InputErrors` collects every problem of one batch so the user fixes them in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class MediaframesError(Exception):
    """Base class of errors that are the user's to fix (bad input, bad options, missing files)."""


@dataclass
class Problem:
    """One rejected input: where it is, what is wrong, what to do."""

    file: str
    message: str
    fix: str = ""
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f" [{self.field}]"
        text = f"{where}: {self.message}"
        if self.fix:
            text += f" -> {self.fix}"
        return text


class InputError(MediaframesError):
    """A single problem with an input file or record."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class InputErrors(MediaframesError):
    """Every problem found in one batch; nothing of the batch was written."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self):
        super().__init__(self.summary())

    def summary(self, limit: int = 50, outcome: str = "nothing was imported (a batch is all or nothing).") -> str:
        """Every problem on a line of its own (at most ``limit``), then the count and ``outcome``."""
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        n = len(self.problems)
        lines.append(f"{n} problem{'s' if n != 1 else ''}; {outcome}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
