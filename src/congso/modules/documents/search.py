"""Searching documents: exact number/notation, accent-folded full text, facets (decision 0003).

``document_search`` always starts from ``selectors.visible_documents(actor)``: the items, the total
and every facet count are computed inside what the official may see, so a search never reveals
that a document they may not read exists.

How a query is read:
- A query that looks like a number/notation ("30/2020/NĐ-CP", "05/qđ-ubnd", "30 / 2020 / NĐ-CP")
  is matched exactly on ``notation_key`` (upper case, no spaces; a btree index on both databases).
  When no visible document carries that notation, the query falls back to text search, which
  finds the documents whose text cites it (and a notation typed without its Đ).
- Any other query is folded like the stored ``search_text`` (``core.search.text.fold``: lower
  case, no tone or vowel marks, đ→d), so "quyet dinh ha noi" and "Quyết định Hà Nội" find the
  same documents. Every word must match.
  - PostgreSQL: full text over ``to_tsvector('simple', search_text)`` (GIN expression index,
    migration 0002). The words but the last go through ``plainto_tsquery`` (the same parser as
    the stored text, so "30/2020/nd-cp" is one token on both sides); the last word, when it has
    three letters or more, is a prefix of a word (so results follow the user's typing), tested on
    the rows the other words found; a one-letter last word is ignored while typing. The
    candidates go through the GIN index combined with the agency index (BitmapAnd); the tsquery
    is a sub-select, so the planner uses its default estimate instead of multiplying the words'
    frequencies (the words of a subject come together: "sap xep don vi hanh chinh" is 2.5 % of
    the rows, estimated at one row, and the planner then skipped the BitmapAnd and read 25,000
    rows — 300 ms instead of 25). The newest-first walk of a capped result tests the same words
    row by row (LIKE, then the tsquery written so that it does not use the index). Both return
    the same rows. The search's queries run with ``jit = off`` (``SET LOCAL``, in a transaction:
    compiling a large plan cost ~90 ms, more than the whole target).
  - SQLite (embedded default): ``search_text LIKE '%word%'`` for each word — substrings, so it
    finds a little more than PostgreSQL does ("ha" also finds "thanh"); no extra table to keep
    in sync.
- Order: relevance, then newest. Relevance is a small score computed on the matching rows only
  from cheap expressions (no ``ts_rank``, which would have to rebuild each row's tsvector):
  +2 when the folded query appears as a phrase in the folded text; and, for a query typed with
  diacritics, +1 for each accented word found exactly (as typed, lower-case, capitalised or upper
  case) in the trích yếu, the issuer's name or the name of the document type — so "bảo vệ" puts
  "bảo vệ" before "báo về" although both match the folded words.

Facets (doc_type, direction, year, status, urgency) count the filtered, permission-scoped result
set, from one grouped query (or the one pass of bounded counting, below); the total is the sum of
one facet's counts (no separate COUNT).

Bounded counting (text and "all" modes): the candidates — the rows of the actor's agencies matching
the filters and words, without the permission join — are read up to SCAN_LIMIT ids (the GIN index
and the agency index combine; no ordering, so the scan stops early), then the permission filter is
applied to those ids only (passed as one array parameter on PostgreSQL). When they are all the
matches, the total, the facets and the relevance order are exact, as before: one query reads each
visible match's score, date and facet columns, they are counted and ordered here, and the page's
rows are loaded by id (one visit of each matching row instead of two). When there are more and more
than COUNT_CAP of the scanned ones are visible, the result says ``total=COUNT_CAP,
total_capped=True`` ("more than 1,000"), carries no facet counts (counting them would visit every
match — the cost this avoids; the user narrows the query or adds a filter), and the page is the
newest matches first, read by walking the ``created_at`` index (migration 0004) over a window just
large enough for the page. Never a count, a facet or a row that the actor may not see: every figure
shown is computed on visible rows.

Measured and not kept (decision 0003): probing the newest rows first (walking the created_at index
over a fixed window with LIKE, to say "more than COUNT_CAP" without the GIN index) — at 1M
documents a subject's words are in 1–3 % of the newest 20,000 rows, so such a window held more
than COUNT_CAP matches for 5 of the 50 bench queries, and reading it cost ~35 ms.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from congso.core.org.models import Agency
from congso.core.policy import agency_scope
from congso.core.search.text import fold
from congso.modules.documents import doctypes
from congso.modules.documents.models import Direction, Document, Status, Urgency
from congso.modules.documents.selectors import visible_documents

MAX_PAGE_SIZE = 100
MAX_WORDS = 12
FACETS = ("doc_type", "direction", "year", "status", "urgency")

# "30/2020/NĐ-CP", "05/QĐ-UBND", "123/UBND-VP": digits, a slash, then a notation with a letter.
_NOTATION = re.compile(r"^\d{1,6}/[^\W_][\w\-/.]*$")
_WORD = re.compile(r"[^\W_]+")

FacetValue = tuple[Any, str, int]

# The GIN index's expression (migration 0002), written identically so the planner uses the index.
_VECTOR = 'to_tsvector(\'simple\'::regconfig, "documents_document"."search_text")'
_VECTOR_UNINDEXED = "to_tsvector('simple'::regconfig, \"documents_document\".\"search_text\" || '')"
# Exact totals, facets and relevance up to this many matches; beyond it "more than COUNT_CAP",
# newest first, no facets (see the module's docstring).
COUNT_CAP = 1_000
# Candidates read to decide: more than COUNT_CAP of them must be visible to say "more than".
SCAN_LIMIT = 2 * COUNT_CAP


@dataclass
class SearchResult:
    items: list[Document]
    total: int
    facets: dict[str, list[FacetValue]]
    page: int = 1
    page_size: int = 20
    # How the query was read: "all" (no words), "notation" (exact number/notation) or "text".
    mode: str = "all"
    # The folded words that were searched ("text" mode).
    words: list[str] = field(default_factory=list)
    # True when more than ``total`` documents match: ``total`` is COUNT_CAP, the facets are empty
    # and the items are the newest matches (not ranked by relevance).
    total_capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def looks_like_notation(q: str) -> bool:
    """True for "30/2020/NĐ-CP", "05 / qđ-ubnd" — not "30/2020" (no letters) nor free text."""
    key = doctypes.notation_key(q)
    return bool(_NOTATION.match(key)) and any(ch.isalpha() for ch in key.split("/", 1)[1])


def document_search(
    *,
    actor: Any,
    q: str = "",
    doc_type: str | None = None,
    direction: str | None = None,
    year: int | None = None,
    agency_id: int | None = None,
    status: str | None = None,
    urgency: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    page: int = 1,
    page_size: int = 20,
) -> SearchResult:
    """Documents the actor may see matching ``q`` and the filters, a page of them, with facets.

    ``date_from``/``date_to`` bound the issue date (``issued_on``, inclusive). ``page`` starts at 1;
    ``page_size`` is capped at 100."""
    page = max(1, int(page))
    page_size = max(1, min(MAX_PAGE_SIZE, int(page_size)))
    filters: dict[str, Any] = {
        "doc_type": doc_type,
        "direction": direction,
        "year": year,
        "agency_id": agency_id,
        "status": status,
        "urgency": urgency,
        "date_from": date_from,
        "date_to": date_to,
    }
    with _without_jit():
        return _search(actor, q, filters, page, page_size)


def _search(actor: Any, q: str, filters: dict[str, Any], page: int, page_size: int) -> SearchResult:
    scoped = _filtered(visible_documents(actor), **filters)
    text = unicodedata.normalize("NFC", q or "").strip()
    agency_ids = _scope_agency_ids(actor, filters["agency_id"])
    if not text:
        return _bounded(
            scoped, _candidates(_unscoped(agency_ids, filters), None), None, page, page_size, "all", []
        )
    if looks_like_notation(text):
        exact = scoped.filter(notation_key=doctypes.notation_key(text))
        result = _result(exact, exact.order_by("-created_at", "-id"), page, page_size, "notation", [])
        if result.total:
            return result
    folded = _typed(fold(text))
    words = _WORD.findall(folded)[:MAX_WORDS]
    if not words:
        return _result(scoped.none(), scoped.none(), page, page_size, "text", [])
    unscoped = _unscoped(agency_ids, filters)
    candidates = _candidates(unscoped, (folded, words))
    return _bounded(scoped, candidates, _relevance(text, words), page, page_size, "text", words)


@contextmanager
def _without_jit() -> Iterator[None]:
    """PostgreSQL: no JIT compilation for the search's queries (``SET LOCAL``, in a transaction;
    inside a caller's transaction it lasts until that one ends, which is harmless). A widened
    window walk or a large bitmap scan passes jit_above_cost, and compiling it cost ~90 ms
    (EXPLAIN ANALYZE at 1M documents) — more than the whole target — to save a few ms of row
    evaluation."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


# --- Building the query --------------------------------------------------------------------------


def _filtered(qs: QuerySet[Document], **filters: Any) -> QuerySet[Document]:
    for name in ("doc_type", "direction", "year", "status", "urgency"):
        if filters[name] not in (None, ""):
            qs = qs.filter(**{name: filters[name]})
    if filters["agency_id"]:
        qs = qs.filter(agency_id=filters["agency_id"])
    if filters["date_from"]:
        qs = qs.filter(issued_on__gte=filters["date_from"])
    if filters["date_to"]:
        qs = qs.filter(issued_on__lte=filters["date_to"])
    return qs


def _unscoped(agency_ids: list[int] | None, filters: dict[str, Any]) -> QuerySet[Document]:
    """The documents of the actor's agencies matching the filters, without the permission filter
    (its join to org_agency makes the planner read the scope agency by agency): candidates only —
    what is shown or counted is always re-filtered through visible_documents."""
    qs = _filtered(Document.objects.order_by(), **filters)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    return qs


def _candidates(unscoped: QuerySet[Document], match: tuple[str, list[str]] | None) -> _Candidates:
    if match is None:
        return _Candidates(unscoped, unscoped)
    folded, words = match
    indexed = _match_words(unscoped, folded, words, indexed=True)
    return _Candidates(indexed, _match_words(unscoped, folded, words))


@dataclass
class _Candidates:
    # The matching rows through the GIN index (PostgreSQL), to count them.
    indexed: QuerySet[Document]
    # The same rows, tested row by row (LIKE first), to walk the created_at index.
    walk: QuerySet[Document]


def _typed(folded: str) -> str:
    """While typing, a last word of one letter says nothing yet: "chuyen doi s" -> "chuyen doi"."""
    parts = folded.split(" ")
    if len(parts) > 1 and len(parts[-1]) == 1 and _WORD.fullmatch(parts[-1]):
        parts = parts[:-1]
    return " ".join(parts)


def _scope_agency_ids(actor: Any, agency_id: int | None) -> list[int] | None:
    """The ids of the agencies in the actor's scope (narrowed to ``agency_id``), or None for the
    whole city. Redundant with visible_documents' filter; it lets the planner start from the
    agency index."""
    scope = agency_scope(actor, "documents.view")
    if scope.everything:
        return [agency_id] if agency_id else None
    ids = set(scope.agency_ids)
    if scope.path_prefixes:
        ids |= set(Agency.objects.filter(scope.q("")).values_list("pk", flat=True))
    if agency_id:
        ids &= {agency_id}
    return sorted(ids)


def _match_words(
    qs: QuerySet[Document], folded: str, words: list[str], *, indexed: bool = False
) -> QuerySet[Document]:
    """The rows of ``qs`` holding every word. ``indexed``: through the GIN index (combined by the
    planner with the agency index, BitmapAnd); otherwise row by row — LIKE first (cheap, implied by
    the match), then the same tsquery written so that it does not match the index's expression —
    for walking the created_at index. Both return the same rows (tests run both)."""
    if connection.vendor != "postgresql":
        for word in words:
            qs = qs.filter(search_text__contains=word)
        return qs
    head, last = _split_last(folded)
    small = not indexed
    if small:
        for word in words:
            qs = qs.filter(search_text__contains=word)
    if head:
        qs = qs.filter(_tsquery_match(head, indexed=not small))
    if last:
        if small or head:
            # The last word as a prefix of a word, tested on the rows the head found (a GIN prefix
            # scan of a frequent word would cost more than the whole query).
            qs = qs.filter(search_text__regex=rf"\m{last}")
        else:
            qs = qs.filter(_tsquery_match(f"'{last}':*", indexed=True, raw=True))
    return qs


def _among(ids: list[int]) -> Any:
    """``pk IN ids``; on PostgreSQL as one array parameter (``id = ANY(%s)``): with up to 2,001 ids
    the client's binding of one parameter per id cost ~10 ms a query."""
    if connection.vendor != "postgresql":
        return Q(pk__in=ids)
    return RawSQL('"documents_document"."id" = ANY(%s)', (ids,), output_field=BooleanField())


def _split_last(folded: str) -> tuple[str, str]:
    """(head, last): the last word, when it is a plain word of three letters or more, is matched
    as a prefix (the user may still be typing it); everything else goes through plainto_tsquery,
    the stored text's parser, so "30/2020/nd-cp" is one token on both sides."""
    parts = folded.split(" ")
    last = parts[-1]
    if _WORD.fullmatch(last) and len(last) >= 3:
        head = " ".join(parts[:-1]).strip()
        return (head if _WORD.search(head) else ""), last
    return folded, ""


def _tsquery_match(query: str, *, indexed: bool, raw: bool = False) -> RawSQL:
    """``to_tsvector('simple', search_text) @@ plainto_tsquery('simple', query)`` (or to_tsquery
    when ``raw``) in the exact form of the GIN index's expression (``indexed``) so the planner uses
    it, or in a form it cannot use."""
    vector = _VECTOR if indexed else _VECTOR_UNINDEXED
    parse = "to_tsquery" if raw else "plainto_tsquery"
    tsquery = f"{parse}('simple'::regconfig, %s)"
    if indexed:
        # As a sub-select (an InitPlan) the planner cannot read the words, so it estimates the
        # match at its default 0.5 % instead of multiplying the words' frequencies: the words of
        # a subject come together ("sap xep don vi hanh chinh": 2.5 % of the rows, estimated at
        # one row), and with a one-row estimate it reads every GIN match from the heap (25,000
        # rows, 300 ms) instead of intersecting the GIN and agency bitmaps first (25 ms).
        tsquery = f"(SELECT {tsquery})"
    # The SQL text is made of constants only; what the user typed goes in as a parameter.
    return RawSQL(f"{vector} @@ {tsquery}", (query,), output_field=BooleanField())  # noqa: S611


def _relevance(text: str, words: list[str]) -> Any:
    """A small integer score (see the module's docstring), summed from CASE expressions."""
    phrase = " ".join(words)
    terms: list[Any] = []
    if len(words) > 1:
        terms.append(Case(When(search_text__contains=phrase, then=Value(2)), default=Value(0)))
    for word in _accented_words(text):
        cond = Q()
        for variant in {word, word.capitalize(), word.upper()}:
            cond |= Q(summary__contains=variant) | Q(issuer_name__contains=variant)
        types = [t.code for t in doctypes.DOCUMENT_TYPES if word in t.name.lower()]
        if types:
            cond |= Q(doc_type__in=types)
        terms.append(Case(When(cond, then=Value(1)), default=Value(0)))
    if not terms:
        return Value(0, output_field=IntegerField())
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _accented_words(text: str) -> list[str]:
    """The words of the query typed with diacritics or đ, lower case, in NFC."""
    found = []
    for word in _WORD.findall(text.lower()):
        if fold(word) != word and word not in found:
            found.append(word)
    return found[:MAX_WORDS]


# --- Facets and the page -------------------------------------------------------------------------


def _labels() -> dict[str, dict[Any, str]]:
    return {
        "doc_type": {t.code: t.name for t in doctypes.DOCUMENT_TYPES},
        "direction": dict(Direction.choices),
        "status": dict(Status.choices),
        "urgency": dict(Urgency.choices),
    }


def _facets(matching: QuerySet[Document]) -> tuple[int, dict[str, list[FacetValue]]]:
    """One grouped query over every facet column; each facet is summed from its groups."""
    groups = matching.order_by().values_list(*FACETS).annotate(n=Count("id"))
    return _tally((row[:-1], row[-1]) for row in groups)


def _tally(groups: Iterable[tuple[tuple[Any, ...], int]]) -> tuple[int, dict[str, list[FacetValue]]]:
    """The total and the facets from (facet values in FACETS' order, number of rows) pairs."""
    sums: dict[str, dict[Any, int]] = {name: defaultdict(int) for name in FACETS}
    total = 0
    for row, n in groups:
        total += n
        for name, value in zip(FACETS, row, strict=True):
            sums[name][value] += n
    labels = _labels()
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        if name == "year":
            values = [(y, str(y), n) for y, n in sums[name].items() if y is not None]
            facets[name] = sorted(values, key=lambda v: -v[0])
        else:
            known = labels[name]
            values = [(v, known.get(v, str(v)), n) for v, n in sums[name].items() if v not in (None, "")]
            facets[name] = sorted(values, key=lambda v: (-v[2], v[1]))
    return total, facets


def _result(
    matching: QuerySet[Document],
    ordered: QuerySet[Document],
    page: int,
    page_size: int,
    mode: str,
    words: list[str],
) -> SearchResult:
    total, facets = _facets(matching)
    start = (page - 1) * page_size
    items = list(ordered.select_related("agency")[start : start + page_size]) if start < total else []
    return SearchResult(
        items=items, total=total, facets=facets, page=page, page_size=page_size, mode=mode, words=words
    )


def _bounded(
    scoped: QuerySet[Document],
    candidates: _Candidates,
    relevance: Any,
    page: int,
    page_size: int,
    mode: str,
    words: list[str],
) -> SearchResult:
    """Exact when the candidates are at most SCAN_LIMIT; otherwise "more than COUNT_CAP", newest
    first, when more than COUNT_CAP of the scanned candidates are visible (else exact, the slow way:
    a scope where most matches are hidden)."""
    ids = list(candidates.indexed.values_list("pk", flat=True)[: SCAN_LIMIT + 1])
    if len(ids) > SCAN_LIMIT:
        # Counted up to COUNT_CAP + 1 only: the scan stops there.
        visible = scoped.filter(_among(ids)).order_by()[: COUNT_CAP + 1]
        if visible.count() > COUNT_CAP:
            return _capped(scoped, candidates.walk, ids, page, page_size, mode, words)
        matching = scoped.filter(pk__in=candidates.indexed.values("pk"))
    else:
        return _exact(scoped.filter(_among(ids)), relevance, page, page_size, mode, words)
    if relevance is None:
        ordered = matching.order_by("-created_at", "-id")
    else:
        ordered = matching.annotate(relevance=relevance).order_by("-relevance", "-created_at", "-id")
    return _result(matching, ordered, page, page_size, mode, words)


def _exact(
    matching: QuerySet[Document],
    relevance: Any,
    page: int,
    page_size: int,
    mode: str,
    words: list[str],
) -> SearchResult:
    """At most SCAN_LIMIT matches: their facet columns, date and score are read in one pass and
    counted and ordered here, then the page's rows are loaded by id — one visit of each matching
    row instead of two (a grouped query, then an ordered one)."""
    score = Value(0, output_field=IntegerField()) if relevance is None else relevance
    rows = list(matching.order_by().annotate(score=score).values_list("pk", "score", "created_at", *FACETS))
    total, facets = _tally((row[3:], 1) for row in rows)
    # Relevance, then newest (created_at, then id), as the ordered query would return them.
    rows.sort(key=lambda row: (row[1], row[2], row[0]), reverse=True)
    start = (page - 1) * page_size
    page_ids = [row[0] for row in rows[start : start + page_size]]
    loaded = Document.objects.select_related("agency").in_bulk(page_ids)
    return SearchResult(
        items=[loaded[pk] for pk in page_ids],
        total=total,
        facets=facets,
        page=page,
        page_size=page_size,
        mode=mode,
        words=words,
    )


def _capped(
    scoped: QuerySet[Document],
    walk: QuerySet[Document],
    scanned: list[int],
    page: int,
    page_size: int,
    mode: str,
    words: list[str],
) -> SearchResult:
    """More than COUNT_CAP visible matches: the page of the newest ones. The candidates are read
    from the created_at index over a window of the newest rows, sized from the matches' density
    among the ids scanned (the table's rows are roughly in id order), widened until the window holds
    the page; the page itself comes from ``scoped`` (the permission filter) over those candidates."""
    start = (page - 1) * page_size
    need = start + page_size
    density = len(scanned) / max(1, max(scanned) - min(scanned) + 1)
    window = max(4 * SCAN_LIMIT, int(2 * need / density))
    limit = 4 * need  # candidates taken from the window, newest first
    newest = Document.objects.order_by("-created_at", "-id").values_list("created_at", flat=True)
    while True:
        edge = newest[window : window + 1].first()
        rows = walk if edge is None else walk.filter(created_at__gte=edge)
        ids = list(rows.order_by("-created_at", "-id").values_list("pk", flat=True)[:limit])
        items = list(
            scoped.filter(_among(ids)).select_related("agency").order_by("-created_at", "-id")[:need]
        )
        # The newest ``need`` visible matches are among the newest ``limit`` matches when found there.
        if len(items) >= need or (edge is None and len(ids) < limit):
            break
        if len(ids) >= limit:
            limit *= 4
        else:
            window *= 4
    facets: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
    return SearchResult(
        items=items[start:need],
        total=COUNT_CAP,
        facets=facets,
        page=page,
        page_size=page_size,
        mode=mode,
        words=words,
        total_capped=True,
    )
