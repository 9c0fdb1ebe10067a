"""HTTP API of satisfaction ratings and dossier statistics, mounted with the services router at
/api/v1/services/.

- ``POST /dossiers/{code}/rating`` ``{"score": 1..5, "comment": "…"}``: the applicant rates a
  dossier whose result was handed over, once (201). Someone who may see the dossier but is not its
  applicant gets 403, a dossier not yet returned or already rated 409, anyone else 404.
- ``GET /dossiers/{code}/rating``: the rating, for those who may see the dossier (404 if none).
- ``GET /statistics?period=2026M11&by=competent|receiving|procedure&agency=&procedure=``: the
  figures of statistics.py for the dossiers the official may see, one row per competent agency,
  receiving agency or procedure (paginated) and the total over all rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus

from congso.core.api.auth import AUTH
from congso.core.api.params import MAX_PAGE_SIZE
from congso.core.errors import InvalidInput, NotFound
from congso.modules.services import ratings, selectors, statistics
from congso.modules.services.models import DossierRating

router = Router(tags=["services: statistics"], auth=AUTH)


class RatingIn(Schema):
    score: int
    comment: str = ""


class RatingOut(Schema):
    dossier_code: str
    score: int
    score_label: str
    comment: str
    created_at: dt.datetime


class FiguresOut(Schema):
    received: int
    received_online: int
    received_desk: int
    online_rate: float | None  # %
    resolved: int
    resolved_on_time: int
    resolved_late: int
    on_time_rate: float | None  # %
    in_progress: int
    overdue: int
    fees: int  # VND
    ratings: int
    satisfaction: float | None  # average score, 1–5


class StatRowOut(FiguresOut):
    code: str
    name: str


class StatisticsOut(Schema):
    period: str
    period_start: dt.date
    period_end: dt.date
    by: str
    agency: str | None
    procedure: str | None
    as_of: dt.datetime
    total: FiguresOut
    count: int
    page: int
    page_size: int
    items: list[StatRowOut]


def _rating_out(code: str, r: DossierRating) -> dict[str, Any]:
    return {
        "dossier_code": code,
        "score": r.score,
        "score_label": ratings.SCORE_LABELS.get(r.score, ""),
        "comment": r.comment,
        "created_at": r.created_at,
    }


def _figures(counts: statistics.Counts) -> dict[str, Any]:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in counts.as_dict().items()}


@router.post("/dossiers/{code}/rating", response={201: RatingOut}, summary="Đánh giá mức độ hài lòng")
def dossier_rate(request: HttpRequest, code: str, body: RatingIn) -> Any:
    dossier = selectors.dossier_get(actor=request.user, code=code)
    rating = ratings.dossier_rate(actor=request.user, dossier=dossier, score=body.score, comment=body.comment)
    return HttpStatus(201, _rating_out(dossier.code, rating))


@router.get("/dossiers/{code}/rating", response=RatingOut, summary="Đánh giá mức độ hài lòng của hồ sơ")
def dossier_rating(request: HttpRequest, code: str) -> dict[str, Any]:
    dossier = selectors.dossier_get(actor=request.user, code=code)
    rating = ratings.rating_of(dossier)
    if rating is None:
        raise NotFound(_("Hồ sơ {code} chưa được đánh giá.").format(code=code))
    return _rating_out(dossier.code, rating)


@router.get("/statistics", response=StatisticsOut, summary="Thống kê tình hình giải quyết hồ sơ")
def dossier_statistics(
    request: HttpRequest,
    period: str,
    by: str = "competent",
    agency: str | None = None,
    procedure: str | None = None,
    page: int = 1,
    page_size: int = 100,
) -> dict[str, Any]:
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        message = _("page phải từ 1, page_size từ 1 đến {max}.").format(max=MAX_PAGE_SIZE)
        raise InvalidInput(message, errors=[{"field": "page_size", "message": message}])
    stats = statistics.dossier_statistics(
        actor=request.user, period=period, by=by, agency=agency or None, procedure=procedure or None
    )
    start = (page - 1) * page_size
    return {
        "period": stats.period.code,
        "period_start": stats.period.start,
        "period_end": stats.period.end,
        "by": stats.by,
        "agency": stats.agency,
        "procedure": stats.procedure,
        "as_of": stats.as_of,
        "total": _figures(stats.total),
        "count": len(stats.rows),
        "page": page,
        "page_size": page_size,
        "items": [
            {"code": r.key, "name": r.name, **_figures(r.counts)}
            for r in stats.rows[start : start + page_size]
        ],
    }
