"""The service statistics' counters, defined once as data: each counter's name, the dossier's
moment that dates it (the day it counts on) and its condition on the dossier.

Three things are produced from these definitions and nothing else:

- the live increments the services add in the transaction of each event
  (``increments``, used by ``services.stats``),
- the Python rebuild from the dossiers (``services.stats_rebuild``, with ``increments`` too),
- the SQL rebuild of the generator (``stats_sql``: one ``UNION ALL`` branch per moment).

A new counter is one line in ``COUNTERS`` (and its column on ``StatCounters``, in the same
order: ``STAT_COUNTERS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# values of the dossier's fields (kept literal here so that the models can import this module)
ONLINE, IN_PERSON, POST = 2, 1, 3  # Channel
SUPPLEMENT = 5  # Status.SUPPLEMENT: the pauses counted as supplement requests
RATINGS = ("satisfied", "normal", "unsatisfied")
EARLY, ON_TIME, LATE = "early", "on_time", "late"  # deadlines.EARLY, ON_TIME, LATE


@dataclass(frozen=True)
class Cond:
    """``field op value`` on the dossier; ``field`` may also be ``supplements`` (how many
    times a supplement was requested)."""

    field: str
    op: str  # "=", "!=", "in", ">"
    value: Any

    def holds(self, values: Mapping[str, Any]) -> bool:
        v = values[self.field]
        if self.op == "=":
            return bool(v == self.value)
        if self.op == "!=":
            return bool(v != self.value)
        if self.op == "in":
            return v in self.value
        if self.op == ">":
            return v is not None and v > self.value
        raise ValueError(self.op)

    def sql(self) -> str:
        column = DERIVED_SQL.get(self.field, f"d.{self.field}")
        if self.op == "in":
            return f"{column} IN ({', '.join(_literal(v) for v in self.value)})"
        if self.op in ("=", "!=", ">"):
            return f"{column} {'<>' if self.op == '!=' else self.op} {_literal(self.value)}"
        raise ValueError(self.op)


@dataclass(frozen=True)
class Counter:
    name: str
    moment: str  # the dossier's datetime field whose local day the counter counts on
    conds: tuple[Cond, ...] = ()
    # the dossier's field whose value is added (a count of parts); None: the dossier counts 1
    amount: str | None = None

    def holds(self, values: Mapping[str, Any]) -> bool:
        return all(c.holds(values) for c in self.conds)

    def value(self, values: Mapping[str, Any]) -> int:
        return int(values[self.amount] or 0) if self.amount else 1


# The moments, in order, with what makes a dossier count on that day at all (besides the
# moment being set and the dossier not being a draft).
MOMENTS: dict[str, tuple[Cond, ...]] = {
    "received_at": (),
    "refused_at": (),
    "withdrawn_at": (),
    "finished_at": (Cond("outcome", "!=", ""),),
    "fee_paid_at": (),
    "rated_at": (Cond("rating", "in", RATINGS),),
    # a paper dossier scanned at the counter after its receipt (``store.dossier_digitise``)
    "digitised_at": (Cond("received_digitised", "=", True), Cond("digitised_late", "=", True)),
}

COUNTERS: tuple[Counter, ...] = (
    Counter("received_total", "received_at"),  # dossiers received (status 2 reached) that day
    Counter("received_online", "received_at", (Cond("channel", "=", ONLINE),)),
    Counter("received_in_person", "received_at", (Cond("channel", "=", IN_PERSON),)),
    Counter("received_post", "received_at", (Cond("channel", "=", POST),)),
    # received with all their documents in electronic form: on the day of receipt, or of the
    # scan when a paper dossier was digitised at the counter later (one counter, two moments)
    Counter(
        "received_digitised",
        "received_at",
        (Cond("received_digitised", "=", True), Cond("digitised_late", "=", False)),
    ),
    Counter("received_digitised", "digitised_at"),
    Counter("refused", "refused_at"),  # not accepted (status 3)
    Counter("withdrawn", "withdrawn_at"),  # withdrawn by the applicant
    Counter("finished_total", "finished_at"),  # processed (status 9 reached) that day
    Counter("finished_early", "finished_at", (Cond("outcome", "=", EARLY),)),
    Counter("finished_on_time", "finished_at", (Cond("outcome", "=", ON_TIME),)),
    Counter("finished_late", "finished_at", (Cond("outcome", "=", LATE),)),
    # finished with an electronic (signed) result
    Counter("results_digital", "finished_at", (Cond("result_digital", "=", True),)),
    Counter("fees_total", "fee_paid_at"),  # fee payments completed that day
    Counter("fees_online", "fee_paid_at", (Cond("fee_paid_online", "=", True),)),
    Counter("ratings_total", "rated_at"),
    Counter("ratings_satisfied", "rated_at", (Cond("rating", "=", "satisfied"),)),
    Counter("ratings_normal", "rated_at", (Cond("rating", "=", "normal"),)),
    Counter("ratings_unsatisfied", "rated_at", (Cond("rating", "=", "unsatisfied"),)),
    # finished early or on time after more than one supplement request: Decision 766 counts
    # these as late (its on-time rate excludes supplement time but not repeated requests)
    Counter(
        "finished_resupplied",
        "finished_at",
        (Cond("outcome", "in", (EARLY, ON_TIME)), Cond("supplements", ">", 1)),
    ),
    # Decision 766 digitisation group (issue 15): finished with both the submitted parts and
    # the result in electronic form; document parts received, and of them taken from the
    # applicant's store of already-digitised documents (counted at receipt)
    Counter(
        "finished_digitised",
        "finished_at",
        (Cond("result_digital", "=", True), Cond("received_digitised", "=", True)),
    ),
    Counter("parts_received", "received_at", amount="parts_total"),
    Counter("parts_reused", "received_at", amount="parts_reused"),
)

# the columns, in order (a counter may count on several moments: one column)
STAT_COUNTERS: tuple[str, ...] = tuple(dict.fromkeys(c.name for c in COUNTERS))

# the dossier's fields the conditions read (``supplements`` is derived: see DERIVED_SQL)
FIELDS: tuple[str, ...] = tuple(
    sorted(
        {c.field for conds in MOMENTS.values() for c in conds}
        | {c.field for counter in COUNTERS for c in counter.conds}
        | {counter.amount for counter in COUNTERS if counter.amount}
        | {"digitised_at", "received_at"}  # what ``digitised_late`` reads
    )
)

# derived values, in SQL: the supplement requests come from a LEFT JOIN on the pauses
DERIVED_SQL = {
    "supplements": "COALESCE(m.n, 0)",
    "digitised_late": "(d.digitised_at IS NOT NULL AND d.received_at IS NOT NULL"
    " AND d.digitised_at > d.received_at)",
}
_JOINED = {"supplements"}  # the derived values that need the join below


def derived_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The derived values computable from the dossier's own fields, in Python (the same
    rules as ``DERIVED_SQL``; ``supplements`` is given by the caller)."""
    digitised, received = values.get("digitised_at"), values.get("received_at")
    return {
        "digitised_late": digitised is not None and received is not None and digitised > received
    }


_SUPPLEMENTS_JOIN = (  # the constants above only
    "LEFT JOIN (SELECT dossier_id, count(*) n FROM {pause} "  # noqa: S608
    f"WHERE status = {SUPPLEMENT} GROUP BY dossier_id) m ON m.dossier_id = d.id"
)


def increments(moment: str, values: Mapping[str, Any]) -> dict[str, int]:
    """The counters a dossier adds on the day of its ``moment``: ``values`` holds the
    dossier's ``FIELDS`` (with ``supplements`` for ``finished_at``)."""
    if not all(c.holds(values) for c in MOMENTS[moment]):
        return {}
    inc: dict[str, int] = {}
    for c in COUNTERS:
        if c.moment == moment and c.holds(values):
            n = c.value(values)
            if n:
                inc[c.name] = inc.get(c.name, 0) + n
    return inc


def _literal(value: Any) -> str:
    """A constant of the definitions above as SQL (never user input)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(value)


def stats_sql(*, dossier: str, pause: str) -> str:
    """PostgreSQL: one ``SELECT … UNION ALL …`` giving, for every dossier and moment, the
    receiving unit ``u``, the procedure ``pid``, the local ``day`` (``%(tz)s``) and one
    column ``c0…cN`` per counter (1 or 0) in ``STAT_COUNTERS`` order. ``dossier`` and
    ``pause`` are the quoted table names."""
    branches = []
    for moment, where in MOMENTS.items():
        cols = []
        joined = any(c.field in _JOINED for c in where)
        for i, name in enumerate(STAT_COUNTERS):
            counters = [c for c in COUNTERS if c.name == name and c.moment == moment]
            if not counters:
                cols.append(f"0 c{i}")
                continue
            (counter,) = counters  # one definition per counter and moment
            joined = joined or any(c.field in _JOINED for c in counter.conds)
            cond = " AND ".join(c.sql() for c in counter.conds)
            amount = f"d.{counter.amount}" if counter.amount else "1"
            cols.append(
                f"(CASE WHEN {cond} THEN {amount} ELSE 0 END) c{i}" if cond else f"{amount} c{i}"
            )
        conds = " ".join(f"AND {c.sql()}" for c in where)
        join = _SUPPLEMENTS_JOIN.format(pause=pause) if joined else ""
        branches.append(
            f"SELECT d.org_unit_id u, d.procedure_id pid, "
            f"(d.{moment} AT TIME ZONE %(tz)s)::date AS day, {', '.join(cols)}\n"
            f"FROM {dossier} d {join}\n"
            f"WHERE d.status <> 0 AND d.{moment} IS NOT NULL {conds}"
        )
    return "\nUNION ALL\n".join(branches)
