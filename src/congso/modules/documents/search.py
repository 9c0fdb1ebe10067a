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
  - PostgreSQL: full text over ``to_tsvector('simple', search_text)`` (a GIN index that also
    holds the year, the agency and the agency's path as keys, migration 0006). The words but
    the last go through ``plainto_tsquery`` (the same parser as the stored text, so
    "30/2020/nd-cp" is one token on both sides); the last word, when it has three letters or
    more, is the prefix of a word (``'last':*``, so results follow the user's typing); a
    one-letter last word is ignored while typing. The prefix goes through the index with the
    other words, or is tested on the rows they found (LIKE, a regex, then the tsquery), whichever
    ANALYZE's word frequencies say is cheaper (``_prefix_in_index``; a GIN prefix scan of
    "cong:*" collects half the table). The tsquery is a sub-select, so the planner uses its
    default estimate instead of multiplying the words' frequencies (the words of a subject come
    together: "sap xep don vi hanh chinh" is 2.5 % of the rows, estimated at one row, and the
    planner then skipped the BitmapAnd with the agency index and read 25,000 rows — 300 ms
    instead of 25). The newest-first walk of a capped result tests the same words row by row
    (LIKE, then the tsquery written so that it does not use the index). Every way returns the
    same rows (tests run them). The search's queries run with ``jit = off`` (``SET LOCAL``, in a
    transaction: compiling a large plan cost ~90 ms, more than the whole target).
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

Keys in the text index and two shortcuts on PostgreSQL (decision 0019):
- The GIN index holds the year, the agency and the ids of the agency's path beside the words, so a
  scan with such a key reads only the key's part of each word's list: one or a few agencies by
  their agency keys, a leader's subtree by its root's id in the documents' paths (the agency ids
  stay the rule, tested on the rows found), a larger list of single agencies by the agency index
  combined with the words (BitmapAnd).
- City-wide, without a year filter, a probe first reads the current year's matches of every word
  whole (the last one too; in the first four months, then the previous year's): a subset of the
  matches, found through the index's year key in a sixth of the full intersection. More than
  COUNT_CAP visible among them settles "more than COUNT_CAP" (so a query with 1,001–2,000
  matches, all this year, may be answered "more than 1,000" where the full scan would have
  counted it — both are what the contract says: exact up to COUNT_CAP). Otherwise the full scan
  runs as above.
- When the official sees every document of their scope's agencies (``selectors.sees_whole_scope``:
  they may read secrets wherever they may read — leaders, clerks), every candidate is visible: the
  candidates' scan reads the score, date and facet columns at once (no second visit through the
  permission filter), the visible count is their number, and the capped page takes one page of
  candidates from the walk. The candidates are the rows of exactly the agencies of
  visible_documents' scope, so the set is the same.

Measured and not kept (decision 0003): probing the newest rows first (walking the created_at index
over a fixed window with LIKE, to say "more than COUNT_CAP" without the GIN index) — at 1M
documents a subject's words are in 1–3 % of the newest 20,000 rows, so such a window held more
than COUNT_CAP matches for 5 of the 50 bench queries, and reading it cost ~35 ms. The probe above
asks the GIN index for a year's rows instead of walking them.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from congso.core.org.models import Agency
from congso.core.policy import agency_scope
from congso.core.search.text import fold
from congso.modules.documents import doctypes
from congso.modules.documents.models import Direction, Document, Status, Urgency
from congso.modules.documents.selectors import sees_whole_scope, visible_documents

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
    subtrees = _subtree_keys(actor, filters["agency_id"])
    # Every candidate (a document of the scope's agencies) is visible: no need to ask which are.
    whole = sees_whole_scope(actor)
    if not text:
        candidates = _candidates(_unscoped(agency_ids, filters, subtrees), None)
        return _bounded(scoped, candidates, None, page, page_size, "all", [], whole=whole)
    if looks_like_notation(text):
        exact = scoped.filter(notation_key=doctypes.notation_key(text))
        result = _result(exact, exact.order_by("-created_at", "-id"), page, page_size, "notation", [])
        if result.total:
            return result
    folded = _typed(fold(text))
    words = _WORD.findall(folded)[:MAX_WORDS]
    if not words:
        return _result(scoped.none(), scoped.none(), page, page_size, "text", [])
    unscoped = _unscoped(agency_ids, filters, subtrees)
    probe = agency_ids is None and filters["year"] in (None, "")
    scope_agencies = None if agency_ids is None else len(agency_ids)
    candidates = _candidates(unscoped, (folded, words), probe=probe, scope_agencies=scope_agencies)
    relevance = _relevance(text, words)
    return _bounded(scoped, candidates, relevance, page, page_size, "text", words, whole=whole)


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


def _unscoped(
    agency_ids: list[int] | None, filters: dict[str, Any], subtrees: list[str] | None = None
) -> QuerySet[Document]:
    """The documents of the actor's agencies matching the filters, without the permission filter
    (its join to org_agency makes the planner read the scope agency by agency): candidates only —
    what is shown or counted is always re-filtered through visible_documents (or known visible,
    ``selectors.sees_whole_scope``, because they are exactly the scope's agencies' documents)."""
    qs = _filtered(Document.objects.order_by(), **filters)
    if agency_ids is None:
        return qs
    if connection.vendor != "postgresql":
        return qs.filter(agency_id__in=agency_ids)
    if subtrees:
        # A leader's subtree is one key of the GIN index (the ids in the documents' agency paths,
        # migration 0006): the index reads only the subtree's part of each word's list. The agency
        # ids stay the rule (tested on the rows found, written so that no index is used for them:
        # a BitmapAnd with the agency index would add its cost back); the path only narrows.
        in_subtrees = 'string_to_array("documents_document"."agency_path", \'/\') && %s::text[]'
        return qs.filter(
            RawSQL(in_subtrees, (subtrees,), output_field=BooleanField()),  # noqa: S611
            RawSQL(
                '("documents_document"."agency_id" + 0) = ANY(%s::bigint[])',
                (agency_ids,),
                output_field=BooleanField(),
            ),
        )
    # One array of the column's type: the GIN index (migration 0006) holds the agency beside the
    # words, and btree_gin has no bigint = integer operator. The planner reads one or a few
    # agencies through it — only their part of each word's list — and a larger scope by
    # combining the words with the agency index (BitmapAnd).
    in_scope = RawSQL(
        '"documents_document"."agency_id" = ANY(%s::bigint[])', (agency_ids,), output_field=BooleanField()
    )
    return qs.filter(in_scope)


def _candidates(
    unscoped: QuerySet[Document],
    match: tuple[str, list[str]] | None,
    *,
    probe: bool = False,
    scope_agencies: int | None = None,
) -> _Candidates:
    if match is None:
        return _Candidates(unscoped, unscoped)
    folded, words = match
    indexed = _match_words(unscoped, folded, words, indexed=True, scope_agencies=scope_agencies)
    newest = _newest_years_probe(unscoped, folded) if probe else []
    return _Candidates(indexed, _match_words(unscoped, folded, words), newest)


@dataclass
class _Candidates:
    # The matching rows through the GIN index (PostgreSQL), to count them.
    indexed: QuerySet[Document]
    # The same rows, tested row by row (LIKE first), to walk the created_at index.
    walk: QuerySet[Document]
    # Some of the matching rows, found cheaply (PostgreSQL, city-wide): those of the current year,
    # then of the year before, holding every word whole. Enough of them settle "more than
    # COUNT_CAP" without the full scan.
    probe: list[QuerySet[Document]] = field(default_factory=list)


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


def _subtree_keys(actor: Any, agency_id: int | None) -> list[str] | None:
    """The keys of the actor's scope in the documents' agency paths, when it holds a subtree (a
    leader's): the id of each subtree's root and of each single agency — every document of the
    scope carries one of them in its path. None for the whole city, a scope of single agencies, or
    a search narrowed to one agency (the agency key serves those)."""
    scope = agency_scope(actor, "documents.view")
    if scope.everything or not scope.path_prefixes or agency_id:
        return None
    roots = {prefix.rstrip("/").rsplit("/", 1)[-1] for prefix in scope.path_prefixes}
    return sorted(roots | {str(pk) for pk in scope.agency_ids})


def _match_words(
    qs: QuerySet[Document],
    folded: str,
    words: list[str],
    *,
    indexed: bool = False,
    scope_agencies: int | None = None,
) -> QuerySet[Document]:
    """The rows of ``qs`` holding every word (PostgreSQL: the head's words whole, the last word as
    the prefix of a word). ``indexed``: through the GIN index (combined by the planner with the
    agency index, BitmapAnd) — the last word's prefix too, unless a prefix scan of it would cost
    more than testing the rows the other words find (``_prefix_in_index``; ``scope_agencies``: the
    number of agencies searched, None for the whole city); otherwise row by row — LIKE first
    (cheap, implied by the match), then the same tsquery written so that it does not match the
    index's expression — for walking the created_at index. Every way returns the same rows (tests
    run them all)."""
    if connection.vendor != "postgresql" or not indexed:
        for word in words:
            qs = qs.filter(search_text__contains=word)
        if connection.vendor != "postgresql":
            return qs
        return qs.filter(_tsquery_match(*_split_last(folded), indexed=False))
    head, last = _split_last(folded)
    if last and head and not _prefix_in_index(head, last, scope_agencies):
        # The head through the index; the last word's prefix tested on the rows found, LIKE first.
        return qs.filter(_tsquery_match(head, "", indexed=True), search_text__contains=last).filter(
            _prefix_on_rows(last)
        )
    return qs.filter(_tsquery_match(head, last, indexed=True))


def _prefix_on_rows(last: str) -> RawSQL:
    """Whether a word of the row's text starts with ``last`` — ``'last':*`` of the tsquery — tested
    on a row: rebuilding its tsvector costs ~10 µs, so a regex first. After a space or at the start
    of the text, ``last`` begins a token, whose word starts with it (the parser's tokens, even
    "123/ubnd-vp", start there): true without the tsvector. Elsewhere (after "-" or "/") only the
    tsquery can say whether the parser made a word there ("thong-tin" gives "tin"; "123/ubnd-vp"
    gives no "ubnd")."""
    sql = (
        '("documents_document"."search_text" ~ %s OR ("documents_document"."search_text" ~ %s AND '
        f"{_VECTOR_UNINDEXED} @@ to_tsquery('simple'::regconfig, %s)))"
    )
    params = (rf"(^|\s){last}", rf"\m{last}", f"'{last}':*")
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611


# --- Choosing how the last word is matched (PostgreSQL) -------------------------------------------

# A GIN prefix scan collects every posting of every word starting with the prefix into a bitmap
# (~0.5 µs each at 1M documents: "tin:*", 13 % of the documents, 45–85 ms), where a whole word
# lets the scan skip most of its list; the other way, testing the prefix on the rows the other
# words found, costs a heap visit and a regex each (~3 µs). The prefix goes to the index when the
# words it starts are fewer than PREFIX_RATIO times the head's estimated rows in the scope
# (measured on the bench's district queries: "du lich" is faster through the index, "thong bao
# ket luan", "dau tu cong", "giay moi hoi nghi" on the rows).
PREFIX_RATIO = 5
_STATS_TTL = 600.0  # seconds a process keeps ANALYZE's word frequencies
_stats: dict[str, Any] = {}


@dataclass(frozen=True)
class _WordStats:
    # The share of documents holding each frequent word (ANALYZE's most common elements of the
    # GIN index's expression).
    freq: dict[str, float]
    # The share below which a word is not listed.
    floor: float
    # Distinct agencies among the documents.
    agencies: float


def _word_stats() -> _WordStats | None:
    """The frequencies ANALYZE keeps for the index's tsvector (pg_stats), read at most every
    _STATS_TTL seconds per process; None before the first ANALYZE."""
    now = time.monotonic()
    cached = _stats.get("value"), _stats.get("at", -_STATS_TTL)
    if now - cached[1] < _STATS_TTL:
        return cached[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, "
            "(SELECT a.n_distinct FROM pg_stats a WHERE a.schemaname = current_schema() "
            "AND a.tablename = 'documents_document' AND a.attname = 'agency_id') "
            "FROM pg_stats s WHERE s.schemaname = current_schema() "
            "AND s.tablename = 'documents_search_keys_gin' AND s.most_common_elems IS NOT NULL"
        )
        row = cursor.fetchone()
    value = None
    if row and row[0] and row[1]:
        elems, freqs, agencies = row
        value = _WordStats(
            freq=dict(zip(elems, freqs[: len(elems)], strict=True)),
            floor=float(freqs[len(elems)]),  # then come the lowest and highest frequencies
            agencies=float(agencies) if agencies and agencies > 0 else 1_000.0,
        )
    _stats.update(value=value, at=now)
    return value


def _prefix_in_index(head: str, last: str, scope_agencies: int | None) -> bool:
    """Whether the last word's prefix should go through the GIN index with the head (else it is
    tested on the rows the head finds): cheaper when the words it starts are rarer than
    PREFIX_RATIO times the head's rows in the scope. An estimate — both ways find the same rows."""
    stats = _word_stats()
    if stats is None:
        return True
    starting = sum(f for word, f in stats.freq.items() if word.startswith(last)) or stats.floor
    head_rows = min(stats.freq.get(word, stats.floor) for word in _WORD.findall(head))
    share = 1.0 if scope_agencies is None else min(1.0, scope_agencies / stats.agencies)
    return starting < PREFIX_RATIO * head_rows * share


# Until the end of this month the probe also reads the year before (the new year holds little).
PROBE_PREVIOUS_UNTIL_MONTH = 4


def _probe_years() -> list[int]:
    today = timezone.localdate()
    return [today.year, today.year - 1] if today.month <= PROBE_PREVIOUS_UNTIL_MONTH else [today.year]


def _newest_years_probe(unscoped: QuerySet[Document], folded: str) -> list[QuerySet[Document]]:
    """PostgreSQL: the rows of the current year (early in a year, then those of the year before)
    holding every word whole (the last one too, not as a prefix) — subsets of the matches. The GIN
    index (migration 0006) holds the year beside the words, and the rows of a year lie together
    (they are written in time order), so the index reads only the year's part of each word's list:
    a sixth of the full intersection at 1M documents over six years."""
    if connection.vendor != "postgresql":
        return []
    words = _tsquery_match(folded, "", indexed=True)
    return [
        unscoped.filter(
            RawSQL('"documents_document"."year" = %s::smallint', (y,), output_field=BooleanField()), words
        )
        for y in _probe_years()
    ]


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


def _tsquery_match(head: str, last: str, *, indexed: bool) -> RawSQL:
    """``to_tsvector('simple', search_text) @@ (plainto_tsquery('simple', head) && 'last':*)``
    — the head's words whole, the last word as the prefix of a word — in the exact form of the GIN
    index's expression (``indexed``) so the planner uses it, or in a form it cannot use."""
    vector = _VECTOR if indexed else _VECTOR_UNINDEXED
    parts, params = [], []
    if head:
        parts.append("plainto_tsquery('simple'::regconfig, %s)")
        params.append(head)
    if last:
        parts.append("to_tsquery('simple'::regconfig, %s)")
        params.append(f"'{last}':*")
    tsquery = parts[0] if len(parts) == 1 else f"({parts[0]} && {parts[1]})"
    if indexed:
        # As a sub-select (an InitPlan) the planner cannot read the words, so it estimates the
        # match at its default 0.5 % instead of multiplying the words' frequencies: the words of
        # a subject come together ("sap xep don vi hanh chinh": 2.5 % of the rows, estimated at
        # one row), and with a one-row estimate it reads every GIN match from the heap (25,000
        # rows, 300 ms) instead of intersecting the GIN and agency bitmaps first (25 ms).
        tsquery = f"(SELECT {tsquery})"
    # The SQL text is made of constants only; what the user typed goes in as a parameter.
    return RawSQL(f"{vector} @@ {tsquery}", tuple(params), output_field=BooleanField())  # noqa: S611


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
    *,
    whole: bool = False,
) -> SearchResult:
    """Exact when the candidates are at most SCAN_LIMIT; otherwise "more than COUNT_CAP", newest
    first, when more than COUNT_CAP of the scanned candidates are visible (else exact, the slow way:
    a scope where most matches are hidden). ``whole``: every candidate is visible
    (``selectors.sees_whole_scope``). The probe, when there is one, may settle "more than" first."""
    probed: list[int] = []
    for subset in candidates.probe:
        # More than COUNT_CAP visible matches in the probe's subsets: "more than COUNT_CAP" is true.
        enough = (COUNT_CAP if whole else SCAN_LIMIT) + 1 - len(probed)
        probed += subset.values_list("pk", flat=True)[:enough]
        if len(probed) > COUNT_CAP and _over_cap(scoped, probed, whole):
            return _capped(scoped, candidates.walk, probed, page, page_size, mode, words, whole=whole)
    if whole:
        # Every candidate is visible: one read gives the ids and, under the limit, what the exact
        # result needs (no second visit of the rows through the permission filter).
        rows = list(_one_pass(candidates.indexed, relevance)[: SCAN_LIMIT + 1])
        if len(rows) <= SCAN_LIMIT:
            return _ranked(rows, page, page_size, mode, words)
        scanned = [row[0] for row in rows]
        return _capped(scoped, candidates.walk, scanned, page, page_size, mode, words, whole=True)
    ids = list(candidates.indexed.values_list("pk", flat=True)[: SCAN_LIMIT + 1])
    if len(ids) > SCAN_LIMIT:
        if _over_cap(scoped, ids, whole):
            return _capped(scoped, candidates.walk, ids, page, page_size, mode, words, whole=whole)
        matching = scoped.filter(pk__in=candidates.indexed.values("pk"))
    else:
        return _exact(scoped.filter(_among(ids)), relevance, page, page_size, mode, words)
    if relevance is None:
        ordered = matching.order_by("-created_at", "-id")
    else:
        ordered = matching.annotate(relevance=relevance).order_by("-relevance", "-created_at", "-id")
    return _result(matching, ordered, page, page_size, mode, words)


def _over_cap(scoped: QuerySet[Document], ids: list[int], whole: bool) -> bool:
    """Whether more than COUNT_CAP of the candidates ``ids`` are visible. When every candidate is
    (``whole``) that is their number; otherwise they are counted up to COUNT_CAP + 1 only (the
    scan stops there)."""
    if whole:
        return len(ids) > COUNT_CAP
    return scoped.filter(_among(ids)).order_by()[: COUNT_CAP + 1].count() > COUNT_CAP


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
    return _ranked(list(_one_pass(matching, relevance)), page, page_size, mode, words)


def _one_pass(matching: QuerySet[Document], relevance: Any) -> QuerySet[Any]:
    """(id, score, created_at, *FACETS) of each row of ``matching``, unordered."""
    score = Value(0, output_field=IntegerField()) if relevance is None else relevance
    return matching.order_by().annotate(score=score).values_list("pk", "score", "created_at", *FACETS)


def _ranked(rows: list[Any], page: int, page_size: int, mode: str, words: list[str]) -> SearchResult:
    """The exact result from every match's ``_one_pass`` row: total and facets counted here, the
    page ordered here and its rows loaded by id."""
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
    *,
    whole: bool = False,
) -> SearchResult:
    """More than COUNT_CAP visible matches: the page of the newest ones. The candidates are read
    from the created_at index over a window of the newest rows, sized from the matches' density
    among the ids scanned (the table's rows are roughly in id order), widened until the window holds
    the page; the page itself comes from ``scoped`` (the permission filter) over those candidates."""
    start = (page - 1) * page_size
    need = start + page_size
    density = len(scanned) / max(1, max(scanned) - min(scanned) + 1)
    window = max(4 * SCAN_LIMIT, int(2 * need / density))
    # Candidates taken from the window, newest first: the page's worth when all are visible.
    limit = need if whole else 4 * need
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
