"""Synthetic province for load tests and benchmarks (``manage.py generate_province``).

Generates applicants, dossiers over several years across the receiving units and procedures
of the catalogue, with realistic shares (channels, refusals, supplements, fees, on-time,
results, ratings), their history (``DossierEvent``, ``DossierPause``), the dossier-number
counters, and the running aggregates (``ServiceDailyStat``, ``ServiceMonthlyStat``,
``ServiceApplicantYear``) equal to what ``stats_rebuild`` computes. Optionally adds thousands
of synthetic procedures (for catalogue search at scale).

- Deterministic for a given ``seed`` and ``end`` date (every draw comes from one
  ``random.Random(seed)``; dossiers are generated day by day in submission order, so ids grow
  with time as they do in production).
- PostgreSQL: rows are streamed with ``COPY`` (psycopg 3 ``cursor.copy``) by a writer thread on
  its own connection while the main thread generates the next chunk; foreign-key triggers are
  skipped (``session_replication_role = replica``: the data are consistent by construction)
  and for large loads the secondary indexes are dropped and rebuilt afterwards. The aggregates
  are computed by one SQL ``GROUP BY`` mirroring ``stats_rebuild``.
- Other databases (SQLite): batched ``executemany`` inserts and ``stats_rebuild`` itself.

Every generated row is demo data: dossiers and procedures have ``is_demo`` set, applicants'
usernames start with ``gen.``, synthetic procedure codes with ``GEN.``.

Every due date and every early/on-time/late outcome is computed with the platform's own
deadline rules (``deadlines.due_at`` on the legal unit the procedure states, with holidays,
pauses and the administrator's calendar), exactly as the services would have stored them;
only the moments of events are drawn at random.
"""

from tinhso.services.generator.aggregates import (
    stats_rebuild_sql,
    stats_snapshot,
)
from tinhso.services.generator.catalogue import (
    agencies_widen,
    procedures_add,
)
from tinhso.services.generator.dossiers import (
    DOSSIER_COLUMNS,
    EVENT_COLUMNS,
    PAUSE_COLUMNS,
    USER_COLUMNS,
)
from tinhso.services.generator.province import (
    province_generate,
)
from tinhso.services.generator.replace import (
    generated_delete,
)
from tinhso.services.generator.report import (
    GenerationReport,
    GeneratorError,
)
from tinhso.services.generator.shares import (
    ACTION_NAMES,
    BIG_LOAD,
    COMPANY,
    DAY,
    DEFAULT_BUDGET_MINUTES,
    DIGITAL_RESULT,
    DIGITISED_IN_PERSON,
    EARLY_SHARE,
    FAMILY,
    FEE_ONLINE_SHARE,
    GEN_PROCEDURE_PREFIX,
    GEN_USER_PREFIX,
    GIVEN,
    LATE_BASE,
    MIDDLE,
    ONLINE_SHARE,
    POST_SHARE,
    PROC_OBJECTS,
    PROC_QUALIFIERS,
    PROC_VERBS,
    RATED_SHARE,
    RATING_SPLIT,
    REFUSE_REASONS,
    REFUSED_SHARE,
    REJECT_REASON,
    RETURNED_SHARE,
    REWORK,
    STOPPED_SHARE,
    SUPPLEMENT_ABANDONED,
    SUPPLEMENT_REASONS,
    SUPPLEMENT_SHARE,
    TRADE,
    TZ_OFFSET,
    WEEKDAY_WEIGHT,
    WITHDRAWN_EARLY_SHARE,
    YEAR_GROWTH,
)

__all__ = [
    "ACTION_NAMES",
    "BIG_LOAD",
    "COMPANY",
    "DAY",
    "DEFAULT_BUDGET_MINUTES",
    "DIGITAL_RESULT",
    "DIGITISED_IN_PERSON",
    "DOSSIER_COLUMNS",
    "EARLY_SHARE",
    "EVENT_COLUMNS",
    "FAMILY",
    "FEE_ONLINE_SHARE",
    "GEN_PROCEDURE_PREFIX",
    "GEN_USER_PREFIX",
    "GIVEN",
    "LATE_BASE",
    "MIDDLE",
    "ONLINE_SHARE",
    "PAUSE_COLUMNS",
    "POST_SHARE",
    "PROC_OBJECTS",
    "PROC_QUALIFIERS",
    "PROC_VERBS",
    "RATED_SHARE",
    "RATING_SPLIT",
    "REFUSED_SHARE",
    "REFUSE_REASONS",
    "REJECT_REASON",
    "RETURNED_SHARE",
    "REWORK",
    "STOPPED_SHARE",
    "SUPPLEMENT_ABANDONED",
    "SUPPLEMENT_REASONS",
    "SUPPLEMENT_SHARE",
    "TRADE",
    "TZ_OFFSET",
    "USER_COLUMNS",
    "WEEKDAY_WEIGHT",
    "WITHDRAWN_EARLY_SHARE",
    "YEAR_GROWTH",
    "GenerationReport",
    "GeneratorError",
    "agencies_widen",
    "generated_delete",
    "procedures_add",
    "province_generate",
    "stats_rebuild_sql",
    "stats_snapshot",
]
