"""Index arithmetic against hand-computed tables: one test per rule type and a full
Decision 766 score."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tinhso.monitoring import rollup
from tinhso.monitoring.methodologies import DTI922, QD766, QD766_2022, methodologies_install
from tinhso.monitoring.models import ComponentResult, IndexResult, Methodology
from tinhso.monitoring.scoring import cohort_best, score_component, score_total
from tinhso.monitoring.services import index_compute, value_accept, value_approve

from .conftest import stat, unit


@pytest.mark.parametrize(
    "value, params, expected",
    [
        (D("90"), {"of": 100}, D("14.40")),  # 90 / 100 × 16
        (D("0.455"), {}, D("7.28")),  # 0.455 × 16
        (D("120"), {"of": 100}, D("16.00")),  # capped at the maximum
        (D("-5"), {"of": 100}, D("0.00")),
        (D("25"), {"of": 100, "invert": True}, D("12.00")),  # (1 − 0.25) × 16
        (None, {"of": 100}, D("0.00")),  # no data
    ],
)
def test_ratio_rule(value, params, expected):
    assert score_component(rule="ratio", value=value, max_points=D(16), params=params) == expected


STEPS = {"steps": [[4, 20], [3, 15], [2, 10], [1, 5]]}  # FACTS.md §3: 4 meetings = 20, 3 = 15


@pytest.mark.parametrize(
    "value, expected",
    [(D(6), D(20)), (D(4), D(20)), (D(3), D(15)), (D("2.5"), D(10)), (D(1), D(5)), (D(0), D(0))],
)
def test_steps_rule(value, expected):
    assert score_component(rule="steps", value=value, max_points=D(20), params=STEPS) == expected


def test_steps_rule_lower_is_better():
    params = {"steps": [[1, 10], [3, 6], [5, 2]], "lower": True}
    got = [
        score_component(rule="steps", value=D(v), max_points=D(10), params=params)
        for v in (0, 1, 2, 5, 6)
    ]
    assert got == [D(10), D(10), D(6), D(2), D(0)]


def test_best_performer_rule():
    values = [D(2), D(4), D(5), None]
    best = cohort_best(values)
    assert best == D(5)
    got = [score_component(rule="best", value=v, max_points=D(100), best=best) for v in values]
    assert got == [D("40.00"), D("80.00"), D("100.00"), D("0.00")]
    # a cohort where nobody scored gives nobody points (no division by zero)
    assert score_component(rule="best", value=D(0), max_points=D(100), best=D(0)) == D(0)


@pytest.mark.parametrize(
    "value, params, expected",
    [
        (D(60), {"lo": 20, "hi": 100}, D("50.00")),  # (60 − 20) / 80 × 100
        (D(10), {"lo": 20, "hi": 100}, D("0.00")),
        (D(100), {"lo": 20, "hi": 100}, D("100.00")),
        (D(5), {"lo": 0, "hi": 20, "invert": True}, D("75.00")),
    ],
)
def test_minmax_rule(value, params, expected):
    assert score_component(rule="minmax", value=value, max_points=D(100), params=params) == expected


def test_bad_rule_parameters_are_rejected():
    with pytest.raises(ValueError, match="hi"):
        score_component(rule="minmax", value=D(1), max_points=D(1), params={"lo": 5, "hi": 5})
    with pytest.raises(ValueError, match="unknown"):
        score_component(rule="magic", value=D(1), max_points=D(1))


def test_sum_aggregation_and_0_1_scale():
    assert score_total([D("8.00"), D("17.56"), D("12.65")], max_points=D(100)) == (
        D("38.21"),
        D("0.3821"),
    )
    assert score_total([D(250), D(500)], max_points=D(1000)) == (D("750.00"), D("0.7500"))


# --- a full Decision 766 score, from the services aggregates ------------------------------
#
# One department, 2024:          value           rule                       points
# A1 rated 40/100                40 %      ratio × 10                         4.00
# A2 refused 10/(190+10)          5 %      min–max 0–10 %, inverted, × 8      4.00
# B1 on time (30+60)/100         90 %      ratio × 16                        14.40
# B2 withdrawn 2/190         1.0526 %      min–max 0–5 %, inverted, × 4       3.16
# C1 digitised 133/190           70 %      ratio × 11                         7.70
# C2 digital results 45/100      45 %      ratio × 11                         4.95
# D1 full-process 15/20          75 %      ratio × 6                          4.50
# D2 online 152/190              80 %      steps (≥ 75 % → 8)                 8.00
# D3 fees online 30/50           60 %      ratio × 8                          4.80
# E1 satisfied 34/40             85 %      ratio × 12                        10.20
# E2 unsatisfied 2/40             5 %      min–max 0–20 %, inverted, × 6      4.50
#                                                          total             70.21
COUNTERS_766 = {
    "received_total": 190,
    "received_online": 152,
    "received_in_person": 38,
    "received_digitised": 133,
    "refused": 10,
    "withdrawn": 2,
    "finished_total": 100,
    "finished_early": 30,
    "finished_on_time": 60,
    "finished_late": 10,
    "results_digital": 45,
    "fees_total": 50,
    "fees_online": 30,
    "ratings_total": 40,
    "ratings_satisfied": 34,
    "ratings_normal": 4,
    "ratings_unsatisfied": 2,
}
EXPECTED_766 = {
    "A1": D("4.00"),
    "A2": D("4.00"),
    "B1": D("14.40"),
    "B2": D("3.16"),
    "C1": D("7.70"),
    "C2": D("4.95"),
    "D1": D("4.50"),
    "D2": D("8.00"),
    "D3": D("4.80"),
    "E1": D("10.20"),
    "E2": D("4.50"),
}


def test_full_766_score(demo_orgs, monkeypatch):
    # version 1 (the platform's approximations) stays reproducible after version 2 arrived
    methodologies_install(codes=[QD766_2022])
    m = Methodology.objects.get(code=QD766_2022)
    assert [mi.max_points for mi in m.main_indicators.all()] == [18, 20, 22, 22, 18]
    stttt = unit("74.STTTT")
    # split over two days and two procedures: the aggregate is additive
    half = {k: v // 2 for k, v in COUNTERS_766.items()}
    rest = {k: v - half[k] for k, v in COUNTERS_766.items()}
    stat(stttt, dt.date(2024, 3, 4), **half)
    stat(stttt, dt.date(2024, 9, 9), code="1.000028", **rest)
    stat(stttt, dt.date(2023, 12, 31), received_total=999)  # another year: ignored
    monkeypatch.setattr(
        rollup, "procedure_counts", lambda *, on: {stttt.pk: {"total": 20, "full_process": 15}}
    )
    index_compute(actor=None, methodology=m, year=2024)
    result = IndexResult.objects.get(methodology=m, org_unit=stttt, period="2024")
    points = {
        c.component.code: c.points
        for c in ComponentResult.objects.filter(result=result).select_related("component")
    }
    assert points == EXPECTED_766
    assert result.points == D("70.21")
    assert result.score == D("0.7021")
    assert result.group == "department" and result.rank == 1
    # the province (whole subtree) is scored too
    assert IndexResult.objects.filter(methodology=m, org_unit=unit("74"), period="2024").exists()


def test_766_without_the_services_procedure_selector_scores_d1_zero(demo_orgs, monkeypatch):
    methodologies_install(codes=[QD766_2022])
    m = Methodology.objects.get(code=QD766_2022)
    stat(unit("74.STTTT"), dt.date(2024, 3, 4), **COUNTERS_766)
    monkeypatch.setattr(rollup, "procedure_counts", lambda *, on: None)
    index_compute(actor=None, methodology=m, year=2024)
    d1 = ComponentResult.objects.get(
        result__org_unit=unit("74.STTTT"), component__code="D1", result__methodology=m
    )
    assert d1.points == 0 and d1.raw_value is None and "chưa có" in d1.detail
    assert d1.result.points == D("70.21") - D("4.50")


# --- Decision 766 on its published criteria (version 2), hand-computed ----------------------
#
# The same department and counters, with 5 dossiers finished in time after more than one
# supplement request (Decision 766 counts them late), 40 finished with both their parts and
# their result electronic, and 60 of 300 parts received taken from the applicants' stores.
#                                   value      rule                         points
# B1 on time (30+60−5)/100          85 %       ratio × 14                    11.90
# C1 electronic results 45/100      45 %       ratio × 5                      2.25
# C2 digitised 40/100               40 %       ratio, full at 80 %, × 5       2.50
# C3 reused parts 60/300            20 %       ratio, full at 80 %, × 5       1.25
# D1 offered online 15/20           75 %       ratio, full at 80 %, × 5       4.69 (4.6875)
# D3 submitted online 152/190       80 %       ratio, full at 50 %, × 5       5.00
# D5 paid online 30/50              60 %       ratio × 4                      2.40
# E3 100 − (10+5+2)/100             83 %       ratio, full at 90 %, × 6       5.53 (5.5333)
#                                   measured criteria: 49 points max       total 35.52
# A1–A3, B2, C4, C5, D2, D4, E1, E2: not measured (no points, not zero): score 35.52/49.
EXPECTED_766_V2 = {
    "B1": D("11.90"),
    "C1": D("2.25"),
    "C2": D("2.50"),
    "C3": D("1.25"),
    "D1": D("4.69"),
    "D3": D("5.00"),
    "D5": D("2.40"),
    "E3": D("5.53"),
}
UNMEASURED_766_V2 = {"A1", "A2", "A3", "B2", "C4", "C5", "D2", "D4", "E1", "E2"}
DIGITISATION_766 = {"finished_digitised": 40, "parts_received": 300, "parts_reused": 60}


def test_766_on_its_published_criteria(demo_orgs, monkeypatch):
    methodologies_install(codes=[QD766])
    m = Methodology.objects.get(code=QD766)
    assert m.code != QD766_2022
    assert [mi.max_points for mi in m.main_indicators.all()] == [18, 20, 22, 22, 18]
    comps = {c.code: c for mi in m.main_indicators.all() for c in mi.components.all()}
    assert sum(c.max_points for c in comps.values()) == 100
    assert all(c.definition and c.basis and c.source for c in comps.values())
    # E1, E2 (feedback) are measured, but do not apply to a unit that had no feedback
    assert {k for k, c in comps.items() if c.basis == "unmeasured"} == UNMEASURED_766_V2 - {
        "E1",
        "E2",
    }
    stttt = unit("74.STTTT")
    stat(stttt, dt.date(2024, 3, 4), **COUNTERS_766, **DIGITISATION_766, finished_resupplied=5)
    monkeypatch.setattr(
        rollup, "procedure_counts", lambda *, on: {stttt.pk: {"total": 20, "full_process": 15}}
    )
    index_compute(actor=None, methodology=m, year=2024)
    result = IndexResult.objects.get(methodology=m, org_unit=stttt, period="2024")
    rows = ComponentResult.objects.filter(result=result).select_related("component")
    measured = {c.component.code: c.points for c in rows if c.measured}
    assert measured == EXPECTED_766_V2
    assert {c.component.code for c in rows if not c.measured} == UNMEASURED_766_V2
    assert all(c.raw_value is None for c in rows if not c.measured)
    assert result.points == D("35.52")
    assert result.measured_max == D("49")
    assert result.score == D("0.7249")  # 35.52 / 49, not 35.52 / 100


# With the unit's feedback of the year: 10 handled (8 on time), 4 ratings (3 satisfied), and
# 2 dossiers with a complaint.
# E1 feedback on time 8/10               80 %   ratio × 6                       4.80
# E2 satisfied with the answers 3/4      75 %   ratio × 6                       4.50
# E3 100 − (10+5+2+2)/100                81 %   ratio, full at 90 %, × 6        5.40
# total 35.52 − 5.53 + 5.40 + 4.80 + 4.50 = 44.69 over 49 + 12 = 61 measured points.
def test_766_feedback_criteria_from_the_feedback_counters(demo_orgs, monkeypatch):
    from tinhso.feedback.models import FeedbackMonthlyStat

    methodologies_install(codes=[QD766])
    m = Methodology.objects.get(code=QD766)
    stttt = unit("74.STTTT")
    stat(stttt, dt.date(2024, 3, 4), **COUNTERS_766, **DIGITISATION_766, finished_resupplied=5)
    FeedbackMonthlyStat.objects.create(
        org_unit=stttt,
        month=dt.date(2024, 3, 1),
        received=11,
        handled=10,
        handled_on_time=8,
        handled_late=2,
        satisfied=3,
        unsatisfied=1,
        dossiers_complained=2,
    )
    # another year and another unit: not counted
    FeedbackMonthlyStat.objects.create(
        org_unit=stttt, month=dt.date(2023, 12, 1), handled=50, handled_late=50
    )
    FeedbackMonthlyStat.objects.create(
        org_unit=unit("74.STP"), month=dt.date(2024, 3, 1), handled=9, handled_late=9
    )
    monkeypatch.setattr(
        rollup, "procedure_counts", lambda *, on: {stttt.pk: {"total": 20, "full_process": 15}}
    )
    index_compute(actor=None, methodology=m, year=2024)
    result = IndexResult.objects.get(methodology=m, org_unit=stttt, period="2024")
    rows = {
        c.component.code: c
        for c in ComponentResult.objects.filter(result=result).select_related("component")
    }
    assert (rows["E1"].points, rows["E2"].points, rows["E3"].points) == (
        D("4.80"),
        D("4.50"),
        D("5.40"),
    )
    assert rows["E1"].measured and rows["E2"].measured
    assert result.points == D("44.69")
    assert result.measured_max == D("61")
    assert result.score == D("0.7326")


def test_dti_best_performer_over_reported_values(catalogue, user_named):
    """TC1 (institutions) scores each unit against the best department or district."""
    from tinhso.monitoring.services import value_save, value_submit

    head_values = {"724": 2, "725": 5}
    ind = catalogue["VAN_BAN_CDS"]
    for code, n in head_values.items():
        officer = user_named("canbo.dian" if code == "724" else "canbo.thuanan")
        head = user_named("lanhdao.dian" if code == "724" else "lanhdao.thuanan")
        from .conftest import pdf_upload

        v = value_save(
            actor=officer,
            indicator=ind,
            org_unit=unit(code, timezone.localdate()),
            period="2024",
            value=n,
            evidence=[pdf_upload()],
        )
        value_submit(actor=officer, value=v)
        value_approve(actor=head, value=v)
        value_accept(actor=user_named("vanphong.cds"), value=v)
    m = Methodology.objects.get(code=DTI922)
    index_compute(actor=None, methodology=m, year=2024)
    tc1 = {
        c.result.org_unit.code: c.points
        for c in ComponentResult.objects.filter(
            component__code="TC1", result__methodology=m
        ).select_related("result__org_unit")
    }
    assert tc1["724"] == D("40.00")  # 2 / 5 × 100
    assert tc1["725"] == D("100.00")
    assert tc1["718"] == D("0.00")  # did not report
    ranks = dict(
        IndexResult.objects.filter(methodology=m, group="district").values_list(
            "org_unit__code", "rank"
        )
    )
    assert ranks["725"] == 1 and ranks["724"] == 2
