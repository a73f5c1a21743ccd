"""English is complete for what the platform itself writes (issue 15, item 10).

Each demo role, with English chosen (the language cookie the switcher sets), opens every page
it can reach on a database holding the demo; the visible text (text nodes, and the title,
placeholder, aria-label and alt attributes a screen reader reads) carries no Vietnamese
outside elements marked ``lang="vi"``. Data keep their own language (catalogue texts,
unit and people's names, addresses, dataset titles): the templates mark them ``lang="vi"``,
which is also what WCAG 3.1.2 (Language of Parts) asks of a Vietnamese name on an English
page; where a template does not yet, the data strings of the demo database (the text fields
of the data models, ``DATA_MODELS``) are taken out before the check, so what remains is
the platform's own words. ``<html lang>`` follows the active language.

One demo database for the module (loaded once, rolled back at the end): each page is its own
test so that a page still waiting for another app's strings is an ``xfail(strict=True)``
naming them, and flips to a failure the moment they are translated.
"""

from __future__ import annotations

import importlib
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from lxml import html as lxml_html

# letters only Vietnamese uses (with their capitals); plain ASCII Vietnamese is rare in the UI
VIETNAMESE = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
    "ÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ]"
)
PLATFORM_NAME = "Tỉnh Số"  # a proper noun, the same in every language
LEGAL_NUMBER = re.compile(r"\b[\d.]+(?:/\d{4})?/[A-ZĐ]+(?:-[A-ZĐa-z]+)*")
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
UNREAD = {"script", "style", "template", "noscript"}


def _common(a: str, b: str) -> int:
    """The length of the prefix ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class DataStrings:
    """Strings that come from data (catalogue texts, names of units and people, addresses,
    dataset titles, what people typed): taken out of a text before it is checked. A data
    string cut short for display (with or without an ellipsis) counts too, from its first
    24 characters on."""

    HEAD = 24

    def __init__(self, strings: set[str]) -> None:
        strings = {" ".join(s.split()) for s in strings}
        strings = {s for s in strings if VIETNAMESE.search(s)} | {PLATFORM_NAME}
        self.pattern = re.compile(
            "|".join(re.escape(s) for s in sorted(strings, key=len, reverse=True))
        )
        self.by_head: dict[str, list[str]] = {}
        for s in strings:
            if len(s) > self.HEAD:
                self.by_head.setdefault(s[: self.HEAD], []).append(s)
        self.heads = re.compile("|".join(re.escape(h) for h in self.by_head))

    def remove(self, text: str) -> str:
        # long strings first (whole or cut short), before a short one inside them is taken
        while match := self.heads.search(text):
            start = match.start()
            end = max(start + _common(text[start:], s) for s in self.by_head[match.group()])
            text = text[:start] + " " + text[end:]
        text = self.pattern.sub(" ", text)
        # a legal document's number (Decision 766/QĐ-TTg) is a name, in every language
        return LEGAL_NUMBER.sub(" ", text)


def _language_of(element: Any) -> str:
    for node in (element, *element.iterancestors()):
        lang = node.get("lang")
        if lang:
            return lang.split("-")[0].lower()
    return ""


def vietnamese_outside_lang_vi(page: str, data: DataStrings | None = None) -> list[str]:
    """The visible strings of ``page`` that hold Vietnamese letters and are not inside an
    element marked ``lang="vi"`` (the platform's name, a proper noun, is allowed), once the
    ``data`` strings are taken out."""
    root = lxml_html.document_fromstring(page)
    found: list[str] = []

    def check(text: str | None, element: Any) -> None:
        if not text:
            return
        text = " ".join(text.split())
        if not VIETNAMESE.search(text) or _language_of(element) == "vi":
            return
        rest = data.remove(text) if data else text.replace(PLATFORM_NAME, "")
        if VIETNAMESE.search(rest):
            found.append(text)

    for element in root.iter():
        if not isinstance(element.tag, str):  # comments, processing instructions
            if element.tail:
                check(element.tail, element.getparent())
            continue
        if element.tag in UNREAD or any(a.tag in UNREAD for a in element.iterancestors()):
            check(element.tail, element.getparent())
            continue
        check(element.text, element)
        if element.getparent() is not None:
            check(element.tail, element.getparent())
        for attribute in READ_ATTRIBUTES:
            check(element.get(attribute), element)
        if element.tag == "meta" and element.get("name") == "description":
            check(element.get("content"), element)
        if element.tag == "input" and element.get("type") in ("submit", "button"):
            check(element.get("value"), element)
    return list(dict.fromkeys(found))


def test_the_checker_sees_vietnamese_only_outside_lang_vi():
    page = (
        '<html lang="en"><head><title>Hồ sơ · x</title><script>var a="Hồ sơ"</script></head>'
        '<body><p>Applicant: <span lang="vi">Nguyễn Thị Hoa</span> nộp</p>'
        '<input placeholder="Tìm kiếm"><img alt="Biểu đồ"><!-- chú thích -->'
        '<div lang="vi"><b>Thủ tục</b> cấp <i>phép</i></div> đã xong</body></html>'
    )
    assert vietnamese_outside_lang_vi(page) == [
        "Hồ sơ · x",
        "nộp",
        "Tìm kiếm",
        "Biểu đồ",
        "đã xong",
    ]


def test_data_strings_are_taken_out_whole_or_cut_short():
    data = DataStrings({"Giấy chứng sinh của trẻ do cơ sở y tế cấp", "Nguyễn Văn An", "sinh"})
    text = "Parts — Giấy chứng sinh của trẻ do cơ… · Nguyễn Văn An · Decision 766/QĐ-TTg"
    assert not VIETNAMESE.search(data.remove(text))
    assert VIETNAMESE.search(data.remove("Nguyễn Văn An: Đã tiếp nhận"))


# --- one demo database for the module ----------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo (every app's demo step, a small generated history, the open queues), and a
    few dossiers of the demo citizen and business at several stages; rolled back at the
    end of the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _demo_load()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _demo_load() -> dict[str, Any]:
    from tinhso.services.demo_queues import demo_open_queues
    from tinhso.services.generator import province_generate
    from tinhso.web.management.commands.load_demo import DEMO_APPS

    for app in DEMO_APPS:
        try:
            module = importlib.import_module(f"tinhso.{app}.demo")
        except ModuleNotFoundError:
            continue
        module.demo_load(stdout=io.StringIO())
        if app == "services":  # demo_history, smaller
            province_generate(dossiers=200, seed=2022, years=1, progress=False)
            demo_open_queues(stdout=io.StringIO())
    objects = _objects()
    objects["data"] = DataStrings(_data_strings())
    return objects


# models whose text fields hold data (typed by people, imported from the catalogue or the
# reference data), never the platform's own words; DossierEvent and FeedbackEvent keep only
# their comment and actor (their action and step names are the platform's)
DATA_MODELS = {
    "orgs": None,
    "accounts.user": ["full_name", "business_name", "username"],
    "accounts.membership": ["title"],
    "services.procedure": None,
    "services.procedurefield": None,
    "services.procedureagency": None,
    "services.procedurechannel": None,
    "services.documentpart": None,
    "services.formfield": None,
    "services.formrevision": None,
    "services.dossier": None,
    "services.dossierfile": None,
    "services.dossierevent": ["comment", "actor_label"],
    "monitoring": None,
    "data": None,
    "feedback.feedback": None,
    "feedback.feedbackevent": ["comment", "actor_label"],
    "feedback.feedbackfile": None,
}


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def _data_strings() -> set[str]:
    from django.apps import apps
    from django.db import models

    strings: set[str] = set()
    for model in apps.get_models():
        label = model._meta.label_lower
        app_label = model._meta.app_label
        if label in DATA_MODELS:
            names = DATA_MODELS[label]
        elif app_label in DATA_MODELS and DATA_MODELS[app_label] is None:
            names = None
        else:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.choices
            and (names is None or f.name in names)
        ]
        for row in model._default_manager.values_list(*fields):
            for value in row:
                strings.update(_texts(value))
        if names is None:  # what the object is called where it is listed
            for obj in model._default_manager.all().iterator():
                strings.add(str(obj))
                strings.add(getattr(obj, "agency_name", ""))
    return strings


def _objects() -> dict[str, Any]:
    """The objects whose pages are visited (primary keys, codes, names)."""
    from tinhso.accounts.models import User
    from tinhso.data.models import Dataset
    from tinhso.feedback.models import Feedback
    from tinhso.monitoring.models import IndexResult, Indicator, PlanTask, ReportedValue
    from tinhso.orgs.models import OrgUnit
    from tinhso.services.models import Dossier, Procedure, Status

    citizen = User.objects.get(username="congdan")
    business = User.objects.get(username="doanhnghiep")
    dian = OrgUnit.objects.filter(code="724").order_by("-valid_from").first()
    assert dian is not None
    in_dian = Dossier.objects.filter(org_unit__path__startswith=dian.path, is_demo=True)
    statuses: dict[int, int] = {}
    for status in (
        Status.NEW,
        Status.RECEIVED,
        Status.PROCESSING,
        Status.SUPPLEMENT,
        Status.FINANCIAL,
        Status.PROCESSED,
    ):
        dossier = in_dian.filter(status=status).order_by("pk").first()
        if dossier is None:
            # the small generated history may have none of a stage in Dĩ An: take one from
            # elsewhere into a Dĩ An unit, so that Dĩ An's officials see it too
            dossier = Dossier.objects.filter(status=status, is_demo=True).order_by("pk").first()
            home = in_dian.order_by("pk").first()
            if dossier is not None and home is not None:
                Dossier.objects.filter(pk=dossier.pk).update(org_unit=home.org_unit)
        if dossier is not None:
            statuses[int(status)] = dossier.pk
    returned = Dossier.objects.filter(status=Status.RETURNED).order_by("pk").first()
    if returned is not None:
        statuses[int(Status.RETURNED)] = returned.pk
    # the citizen's own dossiers: the open ones of Dĩ An at each stage, and a returned one
    Dossier.objects.filter(pk__in=list(statuses.values())).update(applicant=citizen)
    business_dossier = in_dian.exclude(pk__in=list(statuses.values())).order_by("pk").first()
    if business_dossier is not None:
        Dossier.objects.filter(pk=business_dossier.pk).update(applicant=business)
    procedure = Procedure.objects.filter(is_demo=True).order_by("code").first()
    online = (
        Procedure.objects.filter(is_demo=True, agencies__org_unit=dian)
        .order_by("code")
        .distinct()
        .first()
    )
    feedback = Feedback.objects.filter(sender=citizen).order_by("pk").first()
    public_feedback = Feedback.objects.filter(published_at__isnull=False).order_by("pk").first()
    return {
        "dossiers": statuses,
        "business_dossier": business_dossier.pk if business_dossier else None,
        "procedure": procedure.code if procedure else None,
        "online": online.code if online else None,
        "dian": dian.pk,
        "dataset": (Dataset.objects.order_by("pk").first() or Dataset()).name,
        "indicator": (Indicator.objects.order_by("pk").first() or Indicator()).code,
        "report": (
            ReportedValue.objects.filter(org_unit=dian).order_by("pk").first() or ReportedValue()
        ).pk,
        "index": (IndexResult.objects.order_by("pk").first() or IndexResult()).pk,
        "task": (PlanTask.objects.order_by("pk").first() or PlanTask()).pk,
        "feedback": feedback.pk if feedback else None,
        "feedback_any": (Feedback.objects.order_by("pk").first() or Feedback()).pk,
        "public_feedback": public_feedback.number if public_feedback else None,
    }


# --- the pages -----------------------------------------------------------------------------

PUBLIC = [
    "/",
    "/dich-vu-cong/",
    "/dich-vu-cong/thu-tuc/{procedure}/",
    "/dich-vu-cong/tra-cuu/",
    "/minh-bach/",
    "/du-lieu/",
    "/du-lieu/{dataset}/",
    "/chuyen-doi-so/",
    "/chuyen-doi-so/chi-tieu/{indicator}/",
    "/chuyen-doi-so/don-vi/{dian}/",
    "/chuyen-doi-so/chi-so/ket-qua/{index}/",
    "/don-vi/",
    "/don-vi/{dian}/",
    "/tro-giup/",
    "/tai-khoan/dang-nhap/",
    "/tai-khoan/dang-ky/",
    "/tai-khoan/dang-ky/doanh-nghiep/",
    "/tai-khoan/quen-mat-khau/",
    "/phan-anh/",
    "/phan-anh/gui/",
    "/phan-anh/tra-cuu/",
    "/phan-anh/cong-khai/{public_feedback}/",
    "/ky-so/xac-minh/",
]
APPLICANT = [
    "/trang-cua-toi/",
    "/tai-khoan/cua-toi/",
    "/dich-vu-cong/ho-so-cua-toi/",
    "/dich-vu-cong/thu-tuc/{online}/nop/",
    "/dich-vu-cong/kho-du-lieu/",
    "/phan-anh/cua-toi/",
    "/payments/",
]
CITIZEN_DOSSIERS = [
    "/dich-vu-cong/ho-so/{dossier_1}/",
    "/dich-vu-cong/ho-so/{dossier_5}/",
    "/dich-vu-cong/ho-so/{dossier_6}/",
    "/dich-vu-cong/ho-so/{dossier_10}/",
    "/phan-anh/cua-toi/{feedback}/",
]
OFFICER = [
    "/trang-cua-toi/",
    "/tai-khoan/cua-toi/",
    "/dich-vu-cong/xu-ly/",
    "/dich-vu-cong/xu-ly/tiep-nhan/",
    "/dich-vu-cong/ho-so/{dossier_1}/",
    "/dich-vu-cong/ho-so/{dossier_2}/",
    "/dich-vu-cong/ho-so/{dossier_4}/",
    "/dich-vu-cong/ho-so/{dossier_5}/",
    "/dich-vu-cong/ho-so/{dossier_6}/",
    "/dich-vu-cong/ho-so/{dossier_9}/",
    "/phan-anh/xu-ly/",
    "/chuyen-doi-so/bao-cao/",
    "/chuyen-doi-so/bao-cao/{report}/",
    "/chuyen-doi-so/nhiem-vu/",
    "/nhat-ky/",
]
HEAD = [*OFFICER, "/chuyen-doi-so/bao-cao/tre-han/"]
DX_OFFICE = [
    "/trang-cua-toi/",
    "/chuyen-doi-so/bao-cao/",
    "/chuyen-doi-so/bao-cao/tre-han/",
    "/chuyen-doi-so/nhiem-vu/",
    "/chuyen-doi-so/nhiem-vu/moi/",
    "/chuyen-doi-so/nhiem-vu/{task}/",
    "/chuyen-doi-so/chi-tieu-giao/",
    "/chuyen-doi-so/dan-so/",
    "/nhat-ky/",
]
ADMIN = [
    "/trang-cua-toi/",
    "/dich-vu-cong/studio/",
    "/dich-vu-cong/studio/{procedure}/",
    "/dich-vu-cong/san-sang/",
    "/dich-vu-cong/ra-soat-thoi-han/",
    "/du-lieu/quan-ly/bo-du-lieu/",
    "/du-lieu/quan-ly/bo-du-lieu/tao-moi/",
    "/du-lieu/quan-ly/yeu-cau/",
    "/du-lieu/quan-ly/he-thong/",
    "/du-lieu/quan-ly/su-dung/",
    "/du-lieu/{dataset}/sua/",
    "/phan-anh/xu-ly/",
    "/phan-anh/xu-ly/{feedback_any}/",
    "/nhat-ky/",
    "/don-vi/",
]
PAGES: list[tuple[str | None, str]] = [
    *[(None, path) for path in PUBLIC],
    *[("congdan", path) for path in [*APPLICANT, *CITIZEN_DOSSIERS]],
    *[
        ("doanhnghiep", path)
        for path in [*APPLICANT, "/dich-vu-cong/ho-so/{business_dossier}/"]
        if not path.endswith("/nop/")  # the demo procedure is for citizens
    ],
    *[("canbo.dian", path) for path in OFFICER],
    *[("lanhdao.dian", path) for path in HEAD],
    *[("vanphong.cds", path) for path in DX_OFFICE],
    *[("admin", path) for path in ADMIN],
]

# Pages whose remaining Vietnamese comes from Python strings outside the templates (being
# marked on other branches): strict xfails, so each flips to a failure once its strings are
# English and the entry must then go.
WAITING: dict[tuple[str | None, str], str] = {}


def _params() -> list[Any]:
    params = []
    for username, path in PAGES:
        marks = []
        reason = WAITING.get((username, path))
        if reason:
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(username, path, marks=marks, id=f"{username or 'anon'}:{path}"))
    return params


def _fill(path: str, objects: dict[str, Any]) -> str:
    values = {**objects, **{f"dossier_{k}": v for k, v in objects["dossiers"].items()}}
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if values.get(n) is None]
    assert not missing, f"the demo has no {missing} for {path}"
    return path.format(**values)


@pytest.fixture
def english(demo_db: dict[str, Any], db: Any) -> Callable[[str | None, str], str]:
    from tinhso.accounts.models import User

    def get(username: str | None, path: str) -> str:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if username:
            client.force_login(User.objects.get(username=username))
        url = _fill(path, demo_db)

        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content.decode()

    get.data = demo_db["data"]  # type: ignore[attr-defined]
    return get


@pytest.mark.parametrize(("username", "path"), _params())
def test_page_is_english(english: Callable[[str | None, str], str], username, path):
    page = english(username, path)
    found = vietnamese_outside_lang_vi(page, english.data)  # type: ignore[attr-defined]
    assert '<html lang="en">' in page
    assert found == []


def test_html_lang_follows_the_active_language(demo_db, db):
    assert '<html lang="vi">' in Client().get("/").content.decode()
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="en">' in client.get("/dich-vu-cong/").content.decode()


def test_report_history_names_the_statuses(demo_db, db):
    """A reported value's history said "∅ → accepted" (the stored key) in both languages."""
    from tinhso.accounts.models import User

    for language, accepted in (("vi", "Đã được tiếp nhận (khóa)"), ("en", "Received (locked)")):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        client.force_login(User.objects.get(username="canbo.dian"))
        page = client.get(f"/chuyen-doi-so/bao-cao/{demo_db['report']}/").content.decode()
        assert f"∅ → {accepted}" in page
        assert "→ accepted" not in page
