"""Demo catalogue: a dozen datasets of Bình Dương with small files in ``fixtures/``.

Real where a source exists (administrative units from the GSO codes of the orgs fixture; the
procedure catalogue summary computed from the national catalogue crawl in shared/data/tthc;
district boundaries simplified from shared/data/dvhcvn when that directory is present).
Everything else is invented and marked ``is_demo`` (names of parks, hospitals and sites are
real, their figures are not). Also: a demo client system of Dĩ An with a documented demo
API key and grants, and a pending access request from Thuận An for the STTTT to approve.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.data.models import (
    AccessLevel,
    ApiKey,
    Dataset,
    Frequency,
    Licence,
    Resource,
    Theme,
)
from tinhso.data.services import (
    access_request_create,
    apikey_hash,
    client_register,
    dataset_create,
    datastore_load,
    grant_create,
    resource_add,
)
from tinhso.orgs.models import OrgUnit

FIXTURES = Path(__file__).parent / "fixtures"
# DEMO ONLY: a documented key so that the demo's LGSP API can be tried from a terminal.
DEMO_CLIENT_CODE = "do-thi-thong-minh-di-an"
DEMO_API_KEY = "tsk_demo0001_tinhso-demo-lgsp-key-khong-dung-that"

T0 = dt.date(2024, 1, 1)
T1 = dt.date(2024, 12, 31)

# name, title, title_en, description, theme, owner code, access, frequency, licence, keywords,
# file, format, is_demo, extra
DATASETS: list[dict[str, Any]] = [
    {
        "name": "don-vi-hanh-chinh",
        "title": "Danh mục đơn vị hành chính tỉnh Bình Dương",
        "title_en": "Administrative units of Binh Duong province",
        "description": (
            "Tỉnh, 9 đơn vị cấp huyện và 91 đơn vị cấp xã với mã của Tổng cục Thống kê, "
            "theo địa giới trước ngày 01/7/2025; kèm ranh giới cấp huyện (GeoJSON, đã "
            "giản lược)."
        ),
        "theme": Theme.GOVERNMENT,
        "owner": "74.SNV",
        "access": AccessLevel.PUBLIC,
        "frequency": Frequency.IRREGULAR,
        "licence": Licence.CC_BY,
        "keywords": ["đơn vị hành chính", "địa giới", "mã thống kê"],
        "file": "don-vi-hanh-chinh.csv",
        "format": "CSV",
        "is_demo": False,
        "source": "Mã đơn vị hành chính của Tổng cục Thống kê (danh mục dvhcvn)",
        "types": {"ma_don_vi": "text", "ma_don_vi_cap_tren": "text"},
    },
    {
        "name": "thu-tuc-hanh-chinh-tong-hop",
        "title": "Tổng hợp danh mục thủ tục hành chính theo lĩnh vực",
        "title_en": "Administrative procedures by field (summary)",
        "description": (
            "Số thủ tục hành chính theo bộ quản lý, lĩnh vực và cấp thực hiện, và số thủ tục "
            "có nộp hồ sơ trực tuyến; tính từ Cơ sở dữ liệu quốc gia về thủ tục hành chính "
            "(Bộ Công an, Bộ Tư pháp, Bộ Xây dựng)."
        ),
        "theme": Theme.GOVERNMENT,
        "owner": "74.VPUB",
        "access": AccessLevel.PUBLIC,
        "frequency": Frequency.MONTHLY,
        "licence": Licence.CC_BY,
        "keywords": ["thủ tục hành chính", "dịch vụ công"],
        "file": "thu-tuc-hanh-chinh-tong-hop.csv",
        "format": "CSV",
        "is_demo": False,
        "source": "dichvucong.gov.vn (bản thu thập trong shared/data/tthc)",
    },
    {
        "name": "thong-ke-ho-so-theo-thang",
        "title": "Thống kê hồ sơ thủ tục hành chính theo đơn vị và tháng",
        "title_en": "Administrative dossiers by unit and month",
        "description": (
            "Số hồ sơ tiếp nhận, đã giải quyết, giải quyết đúng hạn và tiếp nhận trực tuyến "
            "của từng đơn vị cấp huyện theo tháng năm 2024 (số liệu ẩn danh, tổng hợp). Bản "
            "minh họa: sẽ được thay bằng số liệu của phân hệ dịch vụ công."
        ),
        "theme": Theme.GOVERNMENT,
        "owner": "74.TTPVHCC",
        "access": AccessLevel.PUBLIC,
        "frequency": Frequency.MONTHLY,
        "licence": Licence.CC_BY,
        "keywords": ["thủ tục hành chính", "hồ sơ", "thống kê", "dịch vụ công"],
        "file": "thong-ke-ho-so-theo-thang.csv",
        "format": "CSV",
        "is_demo": True,
        "types": {"ma_don_vi": "text"},
    },
    {
        "name": "khu-cong-nghiep",
        "title": "Các khu công nghiệp tỉnh Bình Dương",
        "title_en": "Industrial parks of Binh Duong",
        "description": "Tên, địa bàn, diện tích, năm thành lập, tỷ lệ lấp đầy và số dự án.",
        "theme": Theme.INDUSTRY,
        "owner": "74.SCT",
        "access": AccessLevel.PUBLIC,
        "frequency": Frequency.ANNUAL,
        "licence": Licence.CC_BY,
        "keywords": ["khu công nghiệp", "đầu tư", "công nghiệp"],
        "file": "khu-cong-nghiep.csv",
        "format": "CSV",
        "is_demo": True,
    },
    {
        "name": "truong-hoc",
        "title": "Số trường và học sinh theo cấp học",
        "title_en": "Schools and pupils by level",
        "description": (
            "Số trường và số học sinh theo đơn vị cấp huyện và cấp học, năm học 2024–2025."
        ),
        "theme": Theme.EDUCATION,
        "owner": "74.SGDDT",
        "access": AccessLevel.PUBLIC,
        "frequency": Frequency.ANNUAL,
        "licence": Licence.CC_BY,
        "keywords": ["giáo dục", "trường học", "học sinh"],
        "file": "truong-hoc.csv",
        "format": "CSV",
        "is_demo": True,
        "types": {"ma_don_vi": "text"},
    },
    {
        "name": "co-so-y-te",
        "title": "Cơ sở khám chữa bệnh công lập",
        "title_en": "Public health facilities",
        "description": "Bệnh viện tuyến tỉnh và trung tâm y tế cấp huyện, số giường bệnh.",
        "theme": Theme.HEALTH,
        "owner": "74.SYT",
        "access": AccessLevel.PUBLIC,
        "frequency": Frequency.ANNUAL,
        "licence": Licence.CC_BY,
        "keywords": ["y tế", "bệnh viện", "giường bệnh"],
        "file": "co-so-y-te.csv",
        "format": "CSV",
        "is_demo": True,
    },
    {
        "name": "chat-luong-khong-khi",
        "title": "Chất lượng không khí tại các trạm quan trắc",
        "title_en": "Air quality at monitoring stations",
        "description": "PM2.5 và AQI trung bình tháng tại các trạm quan trắc tự động, năm 2024.",
        "theme": Theme.ENVIRONMENT,
        "owner": "74.STNMT",
        "access": AccessLevel.PUBLIC,
        "frequency": Frequency.MONTHLY,
        "licence": Licence.CC0,
        "keywords": ["môi trường", "không khí", "quan trắc"],
        "file": "chat-luong-khong-khi.csv",
        "format": "CSV",
        "is_demo": True,
    },
    {
        "name": "dien-tich-cay-trong",
        "title": "Diện tích cây trồng chính theo huyện",
        "title_en": "Area of main crops by district",
        "description": "Diện tích cao su, cây ăn quả, điều và lúa theo đơn vị cấp huyện, năm 2024.",
        "theme": Theme.AGRICULTURE,
        "owner": "74.SNN",
        "access": AccessLevel.PUBLIC,
        "frequency": Frequency.ANNUAL,
        "licence": Licence.CC_BY,
        "keywords": ["nông nghiệp", "cây trồng", "cao su"],
        "file": "dien-tich-cay-trong.csv",
        "format": "CSV",
        "is_demo": True,
        "types": {"ma_don_vi": "text"},
    },
    {
        "name": "tuyen-xe-buyt",
        "title": "Tuyến xe buýt nội tỉnh và liên tỉnh",
        "title_en": "Bus routes",
        "description": "Số tuyến, tên tuyến, chiều dài và số chuyến mỗi ngày.",
        "theme": Theme.TRANSPORT,
        "owner": "74.SGTVT",
        "access": AccessLevel.PUBLIC,
        "frequency": Frequency.QUARTERLY,
        "licence": Licence.CC_BY,
        "keywords": ["giao thông", "xe buýt", "logistics"],
        "file": "tuyen-xe-buyt.json",
        "format": "JSON",
        "is_demo": True,
        "types": {"so_tuyen": "text"},
    },
    {
        "name": "diem-du-lich",
        "title": "Điểm du lịch và di tích tiêu biểu",
        "title_en": "Tourist sites and monuments",
        "description": "Các điểm du lịch, di tích, làng nghề tiêu biểu và lượt khách năm 2024.",
        "theme": Theme.CULTURE,
        "owner": "74.SVHTTDL",
        "access": AccessLevel.PUBLIC,
        "frequency": Frequency.ANNUAL,
        "licence": Licence.CC_BY,
        "keywords": ["du lịch", "di tích", "văn hóa"],
        "file": "diem-du-lich.xlsx",
        "format": "XLSX",
        "is_demo": True,
    },
    {
        "name": "quy-hoach-su-dung-dat",
        "title": "Quy hoạch sử dụng đất đến năm 2030 theo huyện",
        "title_en": "Land-use plan to 2030 by district",
        "description": (
            "Diện tích quy hoạch theo loại đất và đơn vị cấp huyện. Chia sẻ cho các địa "
            "phương phục vụ lập kế hoạch; chưa công bố là dữ liệu mở."
        ),
        "theme": Theme.PLANNING,
        "owner": "74.SXD",
        "access": AccessLevel.SHARED,
        "shared_with": ["724", "725"],
        "frequency": Frequency.IRREGULAR,
        "licence": Licence.RESTRICTED,
        "keywords": ["quy hoạch", "đất đai"],
        "file": "quy-hoach-su-dung-dat.csv",
        "format": "CSV",
        "is_demo": True,
        "types": {"ma_don_vi": "text"},
    },
    {
        "name": "ha-tang-so",
        "title": "Hạ tầng số theo đơn vị cấp huyện",
        "title_en": "Digital infrastructure by district",
        "description": (
            "Số trạm BTS, tỷ lệ hộ có cáp quang và điểm wifi công cộng. Dữ liệu chia sẻ cho "
            "các địa phương được chỉ định."
        ),
        "theme": Theme.GOVERNMENT,
        "owner": "74.STTTT",
        "access": AccessLevel.SHARED,
        "shared_with": ["724"],
        "frequency": Frequency.QUARTERLY,
        "licence": Licence.RESTRICTED,
        "keywords": ["chuyển đổi số", "hạ tầng số", "viễn thông"],
        "file": "ha-tang-so.csv",
        "format": "CSV",
        "is_demo": True,
        "types": {"ma_don_vi": "text"},
        "steward": "canbo.stttt",
    },
    {
        "name": "ho-so-mot-cua-di-an",
        "title": "Hồ sơ một cửa theo phường, TP Dĩ An",
        "title_en": "One-stop-shop dossiers by ward, Di An",
        "description": "Số hồ sơ tiếp nhận theo phường và tháng; dùng nội bộ UBND thành phố.",
        "theme": Theme.GOVERNMENT,
        "owner": "724",
        "access": AccessLevel.INTERNAL,
        "frequency": Frequency.MONTHLY,
        "licence": Licence.RESTRICTED,
        "keywords": ["hồ sơ", "một cửa"],
        "file": "ho-so-mot-cua-di-an.csv",
        "format": "CSV",
        "is_demo": True,
        "types": {"ma_phuong": "text"},
        "steward": "canbo.dian",
    },
]


def _unit(code: str) -> OrgUnit:
    return OrgUnit.objects.filter(code=code, valid_to__isnull=True).order_by(
        "-valid_from"
    ).first() or OrgUnit.objects.get(code=code)


def _boundaries(path: Path) -> Path | None:
    """District boundaries simplified (every 8th vertex, 5 decimals) into a temp GeoJSON."""
    source = Path(settings.SHARED_DIR) / "data" / "dvhcvn" / "gis-74-binh-duong.json"
    if not source.exists():
        return None
    data = json.loads(source.read_text(encoding="utf-8"))
    features = []
    for d in data.get("level2s", []):
        polygons = []
        for polygon in d.get("coordinates", []):
            rings = []
            for ring in polygon:
                pts = [[round(x, 5), round(y, 5)] for x, y in ring[::8]]
                if len(pts) >= 3:
                    pts.append(pts[0])
                    rings.append(pts)
            if rings:
                polygons.append(rings)
        features.append(
            {
                "type": "Feature",
                "properties": {"ma": d.get("level2_id"), "ten": d.get("name")},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


@transaction.atomic
def demo_load(*, stdout: TextIO | None = None) -> None:
    if Dataset.objects.filter(name="don-vi-hanh-chinh").exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["canbo.stttt", "canbo.dian"])}
    for spec in DATASETS:
        owner = _unit(spec["owner"])
        ds = dataset_create(
            actor=None,
            name=spec["name"],
            title=spec["title"],
            title_en=spec["title_en"],
            description=spec["description"],
            theme=spec["theme"],
            org_unit=owner,
            contact_name=f"Bộ phận dữ liệu — {owner.name}",
            contact_email=f"dulieu.{spec['owner'].lower().replace('.', '-')}@example.vn",
            frequency=spec["frequency"],
            licence=spec["licence"],
            access_level=spec["access"],
            keywords=spec["keywords"],
            shared_with=[_unit(c) for c in spec.get("shared_with", [])],
            spatial_unit=_unit("74"),
            spatial_label="Tỉnh Bình Dương",
            temporal_start=None if spec["name"] == "don-vi-hanh-chinh" else T0,
            temporal_end=None if spec["name"] == "don-vi-hanh-chinh" else T1,
            source=spec.get("source", "Số liệu minh họa của Tỉnh Số" if spec["is_demo"] else ""),
            steward=users.get(spec.get("steward", "")),
            is_demo=spec["is_demo"],
        )
        res = resource_add(
            actor=None,
            dataset=ds,
            name=spec["title"],
            format=spec["format"],
            path=FIXTURES / spec["file"],
        )
        datastore_load(actor=None, resource=res, types=spec.get("types"))
        if spec["name"] == "don-vi-hanh-chinh":
            with tempfile.TemporaryDirectory() as tmp:
                geo = _boundaries(Path(tmp) / "ranh-gioi-cap-huyen.geojson")
                if geo is not None:
                    resource_add(
                        actor=None,
                        dataset=ds,
                        name="Ranh giới đơn vị cấp huyện (giản lược)",
                        format=Resource.Format.GEOJSON,
                        path=geo,
                        description="Giản lược từ dữ liệu ranh giới dvhcvn (mỗi 8 điểm lấy 1).",
                    )
    # A client system of Dĩ An with the documented demo key and two grants.
    client = client_register(
        actor=None,
        org_unit=_unit("724"),
        code=DEMO_CLIENT_CODE,
        name="Hệ thống đô thị thông minh TP Dĩ An (minh họa)",
        description="Trung tâm điều hành đô thị thông minh đọc dữ liệu dùng chung qua LGSP.",
        contact_email="iocdian@example.vn",
        is_demo=True,
    )
    ApiKey.objects.create(
        client=client,
        prefix="demo0001",
        key_hash=apikey_hash(DEMO_API_KEY),
        created_at=client.created_at,
    )
    today = timezone.localdate()
    grant_create(
        actor=None,
        client=client,
        dataset=Dataset.objects.get(name="ha-tang-so"),
        purpose="Bản đồ hạ tầng số trên trung tâm điều hành đô thị thông minh",
        valid_from=today - dt.timedelta(days=30),
        valid_until=today + dt.timedelta(days=335),
    )
    stats = Dataset.objects.get(name="thong-ke-ho-so-theo-thang")
    grant_create(
        actor=None,
        client=client,
        dataset=stats,
        resource=stats.resources.first(),
        purpose="Bảng điều khiển chỉ số cải cách hành chính của thành phố",
        valid_from=today - dt.timedelta(days=30),
        valid_until=today + dt.timedelta(days=335),
    )
    requester = User.objects.filter(username="canbo.thuanan").first()
    if requester is not None:
        access_request_create(
            actor=requester,
            dataset=Dataset.objects.get(name="ha-tang-so"),
            unit=_unit("725"),
            purpose="Lập kế hoạch phủ sóng wifi công cộng của TP Thuận An",
            valid_from=today,
            valid_until=today + dt.timedelta(days=365),
        )
    if stdout:
        stdout.write(
            f"  bộ dữ liệu: {Dataset.objects.count()}; khóa API demo ({DEMO_CLIENT_CODE}): "
            f"{DEMO_API_KEY}\n"
        )
