"""The outlet registry (``corpus/outlets.csv``) and the country groups (``corpus/country_groups.csv``).

Both are data a user edits, not code: an outlet is resolved from its URL's domain, and every
analysis takes a country -> group mapping as a parameter so that regrouping needs no code change.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import config
from .errors import InputError, InputErrors, Problem
from .urls import candidate_domains

OWNERSHIP = ("state", "public-service", "private", "party", "nonprofit", "unknown")
OUTLET_COLUMNS = ("domain", "outlet", "country", "ownership", "notes")
GROUP_COLUMNS = ("country", "group", "group_fine")


@dataclass(frozen=True)
class Outlet:
    """One registered outlet domain."""

    domain: str
    outlet: str
    country: str
    ownership: str = "unknown"
    notes: str = ""


class OutletRegistry:
    """Domain -> outlet lookup, read from ``corpus/outlets.csv``.

    Parameters
    ----------
    outlets : iterable of Outlet
    source : str
        Where the outlets came from, named in error messages.
    """

    def __init__(self, outlets=(), source: str = "outlets"):
        self.outlets = {o.domain: o for o in outlets}
        self.source = source

    @classmethod
    def from_csv(cls, path: str | Path = None) -> "OutletRegistry":
        """Read and validate the registry; every bad row is reported with its line and field."""
        path = Path(path or config.OUTLETS_CSV)
        problems, outlets = [], []
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in OUTLET_COLUMNS[:4] if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(Problem(str(path), f"missing column(s) {', '.join(missing)}",
                                         f"the header must be {','.join(OUTLET_COLUMNS)}", line=1))
            seen = set()
            for line, row in enumerate(reader, start=2):
                domain = (row["domain"] or "").strip().lower()
                for fieldname in ("domain", "outlet", "country"):
                    if not (row[fieldname] or "").strip():
                        problems.append(Problem(str(path), "empty value", f"fill in the {fieldname}",
                                                line=line, field=fieldname))
                ownership = (row.get("ownership") or "unknown").strip()
                if ownership not in OWNERSHIP:
                    problems.append(Problem(str(path), f"ownership {ownership!r} is not one of {', '.join(OWNERSHIP)}",
                                            "use one of the listed values", line=line, field="ownership"))
                if domain in seen:
                    problems.append(Problem(str(path), f"domain {domain} is listed twice",
                                            "keep one row per domain", line=line, field="domain"))
                seen.add(domain)
                outlets.append(Outlet(domain, row["outlet"].strip(), row["country"].strip().upper(),
                                      ownership, (row.get("notes") or "").strip()))
        if problems:
            raise InputErrors(problems)
        return cls(outlets, source=str(path))

    def resolve(self, url_or_domain: str) -> Outlet | None:
        """The outlet of a URL (or bare domain), trying parent domains; ``None`` when unregistered."""
        target = url_or_domain if "://" in url_or_domain else f"https://{url_or_domain}/"
        for domain in candidate_domains(target):
            if domain in self.outlets:
                return self.outlets[domain]
        return None

    def __len__(self) -> int:
        return len(self.outlets)

    def __contains__(self, domain: str) -> bool:
        return domain in self.outlets


def read_country_groups(path: str | Path = None) -> pd.DataFrame:
    """The country -> group mapping: columns ``country``, ``group``, ``group_fine``.

    Pass a different file to regroup every analysis; ``group`` is the coarse level
    (PK, IN, INTL, BAL) and ``group_fine`` splits INTL (WEST, MIDEAST, REGIONAL, OTHER).
    """
    path = Path(path or config.COUNTRY_GROUPS_CSV)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in GROUP_COLUMNS[:2] if c not in table.columns]
    if missing:
        raise InputError(Problem(str(path), f"missing column(s) {', '.join(missing)}",
                                 f"the header must be {','.join(GROUP_COLUMNS)}", line=1))
    if "group_fine" not in table.columns:
        table["group_fine"] = table["group"]
    dupes = table["country"][table["country"].duplicated()]
    if len(dupes):
        raise InputError(Problem(str(path), f"country {dupes.iloc[0]} is listed twice",
                                 "keep one row per country", field="country"))
    return table[list(GROUP_COLUMNS)]


def assign_groups(articles: pd.DataFrame, groups: pd.DataFrame, column: str = "country") -> pd.DataFrame:
    """Add ``group`` and ``group_fine`` to an article table; an unmapped country is an error."""
    mapping = groups.set_index("country")
    unknown = sorted(set(articles[column]) - set(mapping.index))
    if unknown:
        raise InputError(Problem("country_groups.csv", f"no group for country code(s) {', '.join(unknown)}",
                                 "add a row country,group,group_fine for each"))
    out = articles.copy()
    out["group"] = articles[column].map(mapping["group"])
    out["group_fine"] = articles[column].map(mapping["group_fine"])
    return out
