"""Document search (search.document_search): exact notation, accent folding, AND semantics,
relevance, permission scope (items, totals and facets), facets and pagination — on SQLite and on
PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from tests.conftest import CITY, SO_KHCN, SO_TU_PHAP

from congso.modules.documents import doctypes
from congso.modules.documents.models import Document
from congso.modules.documents.search import document_search, looks_like_notation
from congso.modules.documents.services import _search_text

pytestmark = pytest.mark.django_db

CLERK = ("clerk", "agency")
LEADER = ("leader", "subtree")
SPECIALIST = ("specialist", "agency")
ADMIN = ("admin", "subtree")

KHCN_NAME = "Sở Khoa học và Công nghệ thành phố Hà Nội"
TP_NAME = "Sở Tư pháp thành phố Hà Nội"

# key: (agency, direction, status, doc_type, number/notation, summary, issuer, year, urgency, secrecy)
DOCS: dict[str, tuple[str, str, str, str, str, str, str, int, str, str]] = {
    "k1": (
        SO_KHCN, "in", "received", "CV", "30/2020/NĐ-CP",
        "Nghị định về công tác văn thư", "Chính phủ", 2020, "normal", "normal",
    ),
    "k2": (
        SO_KHCN, "out", "issued", "QD", "05/QĐ-SKHCN",
        "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026 của thành phố Hà Nội", KHCN_NAME, 2026,
        "khan", "normal",
    ),
    "k3": (
        SO_KHCN, "out", "issued", "KH", "12/KH-SKHCN",
        "Kế hoạch triển khai Nghị định số 30 năm 2020 về công tác văn thư", KHCN_NAME, 2025,
        "normal", "normal",
    ),
    "k4": (
        SO_KHCN, "out", "draft", "BC", "",
        "Báo cáo tình hình bảo vệ môi trường", KHCN_NAME, 2026, "normal", "normal",
    ),
    "k5": (
        SO_KHCN, "in", "received", "TB", "07/TB-STP",
        "Thông báo số liệu báo về chậm của các đơn vị", TP_NAME, 2026, "hoa_toc", "normal",
    ),
    "k6": (
        SO_KHCN, "out", "issued", "CV", "15/SKHCN-VP",
        "Về việc đảm bảo an ninh mạng hệ thống thông tin", KHCN_NAME, 2026, "normal", "mat",
    ),
    "t1": (
        SO_TU_PHAP, "out", "issued", "QD", "05/QĐ-STP",
        "Quyết định phê duyệt kế hoạch phổ biến pháp luật tại Hà Nội", TP_NAME, 2025, "normal", "normal",
    ),
    "t2": (
        SO_TU_PHAP, "out", "issued", "CV", "30/STP-VP",
        "Về việc đôn đốc báo cáo năm 2020", TP_NAME, 2020, "normal", "normal",
    ),
}  # fmt: skip


@pytest.fixture
def docs(agency: Any) -> dict[str, Document]:
    """The documents, created in the order above, one hour apart (k1 oldest, t2 newest)."""
    made: dict[str, Document] = {}
    start = timezone.make_aware(dt.datetime(2026, 11, 1, 8, 0))
    for i, (key, row) in enumerate(DOCS.items()):
        code, direction, status, doc_type, notation, summary, issuer, year, urgency, secrecy = row
        doc = Document(
            agency=agency(code),
            agency_path=agency(code).path,
            direction=direction,
            status=status,
            doc_type=doc_type,
            number_notation=notation,
            notation_key=doctypes.notation_key(notation),
            year=year,
            issued_on=dt.date(year, 6, 1 + i),
            issuer_name=issuer,
            summary=summary,
            signer_name="Nguyễn Văn An",
            urgency=urgency,
            secrecy=secrecy,
        )
        # The same folded text the services store.
        doc.search_text = _search_text(doc)
        doc.save()
        Document.objects.filter(pk=doc.pk).update(created_at=start + dt.timedelta(hours=i))
        made[key] = doc
    return made


@pytest.fixture
def people(make_official: Any) -> dict[str, Any]:
    return {
        "specialist": make_official("cv.khcn", SO_KHCN, SPECIALIST),
        "leader": make_official("ld.khcn", SO_KHCN, LEADER),
        "clerk": make_official("vt.khcn", SO_KHCN, CLERK),
        "tp": make_official("cv.tp", SO_TU_PHAP, SPECIALIST),
        "admin": make_official("qt.khcn", SO_KHCN, ADMIN),
        "city": make_official("ld.tp", CITY, LEADER),
    }


def keys(result: Any, docs: dict[str, Document]) -> list[str]:
    by_pk = {d.pk: k for k, d in docs.items()}
    return [by_pk[d.pk] for d in result.items]


def search(people: dict[str, Any], who: str, **kwargs: Any) -> Any:
    return document_search(actor=people[who], **kwargs)


# --- Accent folding ------------------------------------------------------------------------------


def test_accent_free_query_finds_accented_documents(docs: dict, people: dict) -> None:
    result = search(people, "specialist", q="chuyen doi so")
    assert (keys(result, docs), result.total, result.mode) == (["k2"], 1, "text")
    assert result.words == ["chuyen", "doi", "so"]


def test_accented_query_finds_the_same(docs: dict, people: dict) -> None:
    assert keys(search(people, "specialist", q="Chuyển đổi số"), docs) == ["k2"]
    assert keys(search(people, "specialist", q="CHUYỂN ĐỔI SỐ"), docs) == ["k2"]


def test_d_with_stroke_folds_to_d(docs: dict, people: dict) -> None:
    assert keys(search(people, "tp", q="don doc"), docs) == ["t2"]
    assert keys(search(people, "tp", q="đôn đốc"), docs) == ["t2"]
    assert keys(search(people, "tp", q="ĐÔN ĐỐC"), docs) == ["t2"]


def test_type_name_issuer_and_summary_are_searched(docs: dict, people: dict) -> None:
    # "Quyết định" is the type's name (k2) or in the summary (t1); "Hà Nội" in both.
    assert keys(search(people, "specialist", q="quyet dinh ha noi"), docs) == ["k2"]
    assert keys(search(people, "tp", q="quyet dinh ha noi"), docs) == ["t1"]


def test_last_word_is_a_prefix_while_typing(docs: dict, people: dict) -> None:
    assert keys(search(people, "specialist", q="chuyen doi s"), docs) == ["k2"]
    assert keys(search(people, "specialist", q="phe duy"), docs) == ["k2"]


def test_every_word_must_match(docs: dict, people: dict) -> None:
    # k1 and k3 are both about "van thu"; only k3 is a kế hoạch.
    assert keys(search(people, "specialist", q="van thu"), docs) == ["k3", "k1"]
    assert keys(search(people, "specialist", q="ke hoach van thu"), docs) == ["k3"]
    assert keys(search(people, "specialist", q="ke hoach van thu khong co"), docs) == []


def test_relevance_then_newest(docs: dict, people: dict) -> None:
    # Unaccented: k4 and k5 both contain the phrase "bao ve": newest first.
    assert keys(search(people, "specialist", q="bao ve"), docs) == ["k5", "k4"]
    # Accented: k4 has "bảo vệ" exactly, k5 only "báo về": k4 first although older.
    assert keys(search(people, "specialist", q="bảo vệ"), docs) == ["k4", "k5"]
    # The phrase counts: k5 has "thông báo"; the newer k6 has "thông" and "bảo" apart.
    assert keys(search(people, "leader", q="thong bao"), docs) == ["k5", "k6"]


# --- Exact number/notation -----------------------------------------------------------------------


@pytest.mark.parametrize("q", ["30/2020/NĐ-CP", "30/2020/nđ-cp", " 30 / 2020 / NĐ-CP ", "30/2020/Nđ-cp"])
def test_exact_notation(docs: dict, people: dict, q: str) -> None:
    result = search(people, "specialist", q=q)
    # Not k3, whose text mentions 30 and 2020.
    assert (keys(result, docs), result.total, result.mode) == (["k1"], 1, "notation")


def test_notation_is_scoped_and_exact(docs: dict, people: dict) -> None:
    # "05/QĐ-STP" is Sở Tư pháp's; Sở KHCN's own is "05/QĐ-SKHCN".
    assert keys(search(people, "tp", q="05/qđ-stp"), docs) == ["t1"]
    assert keys(search(people, "specialist", q="05/QĐ-SKHCN"), docs) == ["k2"]
    # A Sở KHCN official does not see Sở Tư pháp's document: the exact match finds nothing and
    # the text fallback finds nothing either.
    result = search(people, "specialist", q="05/QĐ-STP")
    assert (keys(result, docs), result.total, result.mode) == ([], 0, "text")


def test_notation_without_d_stroke_falls_back_to_text(docs: dict, people: dict) -> None:
    result = search(people, "specialist", q="30/2020/ND-CP")
    assert (result.mode, keys(result, docs)[:1]) == ("text", ["k1"])


def test_what_looks_like_a_notation() -> None:
    assert looks_like_notation("30/2020/NĐ-CP")
    assert looks_like_notation("05 / qđ-ubnd")
    assert looks_like_notation("123/UBND-VP")
    assert not looks_like_notation("30/2020")
    assert not looks_like_notation("quyết định 30/2020/NĐ-CP")
    assert not looks_like_notation("QĐ-UBND")


# --- Permissions ---------------------------------------------------------------------------------


def test_other_agency_never_seen(docs: dict, people: dict) -> None:
    result = search(people, "tp", q="pho bien phap luat")
    assert (keys(result, docs), result.total) == (["t1"], 1)
    assert result.facets["doc_type"] == [("QD", "Quyết định", 1)]
    everything = search(people, "tp")
    assert (keys(everything, docs), everything.total) == (["t2", "t1"], 2)
    assert everything.facets["direction"] == [("out", "Văn bản đi", 2)]
    # Asking for the other agency explicitly narrows, never widens.
    other = search(people, "tp", agency_id=docs["k2"].agency_id)
    assert (other.items, other.total, other.facets["doc_type"]) == ([], 0, [])


def test_secret_document_hidden_from_specialist(docs: dict, people: dict) -> None:
    hidden = search(people, "specialist", q="an ninh mang")
    assert (hidden.items, hidden.total, hidden.facets["doc_type"]) == ([], 0, [])
    assert search(people, "specialist", q="15/SKHCN-VP").total == 0
    assert keys(search(people, "leader", q="an ninh mang"), docs) == ["k6"]
    assert keys(search(people, "clerk", q="an ninh mang"), docs) == ["k6"]
    assert keys(search(people, "clerk", q="15/skhcn-vp"), docs) == ["k6"]
    # All documents: the specialist's total and facets leave the secret one out.
    assert search(people, "specialist").total == 5
    assert search(people, "leader").total == 6


def test_administrator_reads_no_correspondence(docs: dict, people: dict) -> None:
    result = search(people, "admin", q="ha noi")
    assert (result.items, result.total) == ([], 0)


def test_anonymous_sees_nothing(docs: dict) -> None:
    from django.contrib.auth.models import AnonymousUser

    result = document_search(actor=AnonymousUser(), q="ha noi")
    assert (result.items, result.total) == ([], 0)


# --- Facets, filters and pagination --------------------------------------------------------------


def test_facet_counts_exact(docs: dict, people: dict) -> None:
    result = search(people, "leader")
    assert result.total == 6
    assert result.facets == {
        "doc_type": [
            ("CV", "Công văn", 2),
            ("BC", "Báo cáo", 1),
            ("KH", "Kế hoạch", 1),
            ("QD", "Quyết định", 1),
            ("TB", "Thông báo", 1),
        ],
        "direction": [("out", "Văn bản đi", 4), ("in", "Văn bản đến", 2)],
        "year": [(2026, "2026", 4), (2025, "2025", 1), (2020, "2020", 1)],
        "status": [("issued", "Đã ban hành", 3), ("received", "Đã vào sổ", 2), ("draft", "Dự thảo", 1)],
        "urgency": [("normal", "Thường", 4), ("hoa_toc", "Hỏa tốc", 1), ("khan", "Khẩn", 1)],
    }
    # Over the filtered set: a query and a filter narrow every facet.
    narrowed = search(people, "leader", q="ve viec", direction="out")
    assert keys(narrowed, docs) == ["k6", "k2"]
    assert narrowed.facets["doc_type"] == [("CV", "Công văn", 1), ("QD", "Quyết định", 1)]
    assert narrowed.facets["urgency"] == [("khan", "Khẩn", 1), ("normal", "Thường", 1)]
    assert narrowed.facets["direction"] == [("out", "Văn bản đi", 2)]


def test_filters(docs: dict, people: dict) -> None:
    def found(**kwargs: Any) -> list[str]:
        return keys(search(people, "leader", page_size=50, **kwargs), docs)

    assert found(doc_type="CV") == ["k6", "k1"]
    assert found(direction="in") == ["k5", "k1"]
    assert found(year=2026) == ["k6", "k5", "k4", "k2"]
    assert found(status="draft") == ["k4"]
    assert found(urgency="khan") == ["k2"]
    # issued_on is 1 June + the document's position: k2 2026-06-02, k4 06-04, k5 06-05, k6 06-06.
    assert found(date_from=dt.date(2026, 6, 4), date_to=dt.date(2026, 6, 5)) == ["k5", "k4"]
    assert found(q="ve viec", year=2026, doc_type="QD") == ["k2"]


def test_pagination(docs: dict, people: dict) -> None:
    pages = [search(people, "leader", page=p, page_size=2) for p in (1, 2, 3, 4)]
    assert [keys(p, docs) for p in pages] == [["k6", "k5"], ["k4", "k3"], ["k2", "k1"], []]
    assert {(p.total, p.pages) for p in pages} == {(6, 3)}
    # The page size is capped; nonsense pages are read as the first.
    assert search(people, "leader", page_size=1000).page_size == 100
    assert keys(search(people, "leader", page=0, page_size=1), docs) == ["k6"]


def test_empty_and_punctuation_queries(docs: dict, people: dict) -> None:
    assert search(people, "specialist", q="   ").total == 5
    result = search(people, "specialist", q="!!! ---")
    assert (result.items, result.total) == ([], 0)


def test_city_wide_scope_uses_the_same_matching(docs: dict, people: dict) -> None:
    # The city's leader sees everything: on PostgreSQL this is the GIN path (no agency list),
    # which must find what the per-agency path finds.
    assert keys(search(people, "city", q="quyet dinh ha noi"), docs) == ["t1", "k2"]
    assert keys(search(people, "city", q="phe duy"), docs) == ["t1", "k2"]
    assert keys(search(people, "city", q="duyet"), docs) == ["t1", "k2"]
    assert keys(search(people, "city", q="van thu"), docs) == ["k3", "k1"]
    assert keys(search(people, "city", q="30/2020/nd-cp"), docs)[:1] == ["k1"]
    assert search(people, "city").total == 8


# --- Bounded counting (COUNT_CAP) ----------------------------------------------------------------


def test_over_the_cap_newest_first_without_facets(docs: dict, people: dict, monkeypatch: Any) -> None:
    from congso.modules.documents import search as search_module

    monkeypatch.setattr(search_module, "COUNT_CAP", 3)
    monkeypatch.setattr(search_module, "SCAN_LIMIT", 4)
    first = search(people, "leader", page_size=3)
    assert (first.total, first.total_capped, keys(first, docs)) == (3, True, ["k6", "k5", "k4"])
    assert all(values == [] for values in first.facets.values())
    assert keys(search(people, "leader", page=2, page_size=3), docs) == ["k3", "k2", "k1"]
    # A text query over the cap: newest first, not ranked.
    monkeypatch.setattr(search_module, "COUNT_CAP", 1)
    monkeypatch.setattr(search_module, "SCAN_LIMIT", 1)
    text = search(people, "city", q="van thu")
    assert (text.total, text.total_capped, keys(text, docs)) == (1, True, ["k3", "k1"])


def test_cap_never_counts_what_may_not_be_seen(docs: dict, people: dict, monkeypatch: Any) -> None:
    from congso.modules.documents import search as search_module

    # Six documents of the agency match, one of them secret: the specialist may see five, so
    # "more than five" would reveal the secret one — the total stays exact.
    monkeypatch.setattr(search_module, "COUNT_CAP", 5)
    monkeypatch.setattr(search_module, "SCAN_LIMIT", 5)
    result = search(people, "specialist")
    assert (result.total, result.total_capped, len(result.items)) == (5, False, 5)
    assert sum(n for _, _, n in result.facets["direction"]) == 5
    # The leader may see all six: "more than five" is true for them.
    leader = search(people, "leader")
    assert (leader.total, leader.total_capped) == (5, True)


def test_under_the_cap_exact(docs: dict, people: dict) -> None:
    result = search(people, "leader", q="ve viec")
    assert result.total_capped is False
    assert result.total == sum(n for _, _, n in result.facets["direction"])


def test_ranked_pages_from_one_pass(docs: dict, people: dict) -> None:
    # Under the cap the page is ordered and cut in Python from one read of the matches (score,
    # date, facets): pages follow relevance then newest, each document once, agency loaded.
    whole = keys(search(people, "city", q="Về việc"), docs)
    assert whole == ["t2", "k6", "k2"]
    pages = [search(people, "city", q="Về việc", page=p, page_size=2) for p in (1, 2, 3)]
    assert [keys(p, docs) for p in pages] == [whole[:2], whole[2:], []]
    assert {p.total for p in pages} == {3}
    assert pages[0].items[0].agency.code == SO_TU_PHAP
    # Relevance first across pages: k4 ("bảo vệ" as typed) before the newer k5 ("báo về").
    ranked = [search(people, "specialist", q="bảo vệ", page=p, page_size=1) for p in (1, 2)]
    assert [keys(p, docs) for p in ranked] == [["k4"], ["k5"]]


def test_search_runs_without_jit(docs: dict, people: dict) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = search(people, "city", q="van thu")
    assert keys(result, docs) == ["k3", "k1"]
    statements = [q["sql"] for q in ctx.captured_queries]
    # PostgreSQL: JIT compilation costs more than these queries (decision 0003); SQLite has none.
    assert ("SET LOCAL jit = off" in statements) == (connection.vendor == "postgresql")


# --- Ways of reading the same result (PostgreSQL plans; SQLite runs the same assertions) --------


def test_who_sees_every_document_of_their_scope(docs: dict, people: dict) -> None:
    from django.contrib.auth.models import AnonymousUser

    from congso.modules.documents.selectors import sees_whole_scope

    # Leaders and clerks read secrets wherever they read: search need not ask which candidates
    # are visible. A specialist may not (k6 is secret), nor may anyone without "documents.view".
    assert {who: sees_whole_scope(actor) for who, actor in people.items()} == {
        "specialist": False,
        "leader": True,
        "clerk": True,
        "tp": False,
        "admin": False,
        "city": True,
    }
    assert sees_whole_scope(AnonymousUser()) is False
    # The same documents as the filter on secrecy would give.
    assert {d.pk for d in search(people, "leader", page_size=100).items} == {
        d.pk for k, d in docs.items() if k.startswith("k")
    }


QUERIES = ["van thu", "phe duy", "bao ve", "quyet dinh ha noi", "nghi dinh so 30", "ke hoach chuyen"]


@pytest.mark.parametrize("who", ["specialist", "leader", "city"])
def test_last_word_through_the_index_or_row_by_row(
    docs: dict, people: dict, who: str, monkeypatch: Any
) -> None:
    # The last word's prefix goes through the GIN index or is tested on the rows the other words
    # found, by an estimate: both ways give the same result.
    from congso.modules.documents import search as search_module

    def results(in_index: bool) -> list[tuple[list[str], int]]:
        monkeypatch.setattr(search_module, "_prefix_in_index", lambda *args: in_index)
        return [(keys(r, docs), r.total) for r in (search(people, who, q=q) for q in QUERIES)]

    assert results(True) == results(False)
    assert results(True)[0] == (["k3", "k1"], 2)


def test_probe_of_the_current_year_settles_more_than(docs: dict, people: dict, monkeypatch: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from congso.modules.documents import search as search_module

    # "ha noi" is in k2 (2026) and t1 (2025), among others. With a cap of one, the city-wide
    # probe of 2026 finds k2 and more: "more than one", newest first — as the full scan says.
    monkeypatch.setattr(search_module, "COUNT_CAP", 1)
    monkeypatch.setattr(search_module, "SCAN_LIMIT", 2)
    monkeypatch.setattr(search_module, "_probe_years", lambda: [2026])
    with CaptureQueriesContext(connection) as ctx:
        probed = search(people, "city", q="ha noi")
    monkeypatch.setattr(search_module, "_probe_years", lambda: [1999, 1998])  # finds nothing
    full = search(people, "city", q="ha noi")
    assert (probed.total, probed.total_capped) == (full.total, full.total_capped) == (1, True)
    assert keys(probed, docs) == keys(full, docs)
    assert keys(probed, docs)[0] == "t2"
    # Early in a year the probe also reads the year before: 2025's t1 and the rest of 2026.
    monkeypatch.setattr(search_module, "_probe_years", lambda: [2027, 2026])
    assert keys(search(people, "city", q="ha noi"), docs) == keys(full, docs)
    used_probe = any("::smallint" in q["sql"] for q in ctx.captured_queries)
    assert used_probe == (connection.vendor == "postgresql")
    # Within one agency (no probe) the count stays exact.
    assert search(people, "leader", q="ha noi").total_capped is True


def test_subtree_through_the_agency_paths(docs: dict, people: dict, agency: Any) -> None:
    # A leader's subtree goes through the documents' agency paths (PostgreSQL's index key); the
    # agency stays the rule: a path that claims the subtree does not bring in another agency's row.
    narrowed = search(people, "leader", q="van thu", agency_id=docs["k1"].agency_id)
    assert keys(search(people, "leader", q="van thu"), docs) == keys(narrowed, docs) == ["k3", "k1"]
    stray = docs["t1"]
    Document.objects.filter(pk=stray.pk).update(agency_path=docs["k1"].agency_path)
    assert stray.pk not in {d.pk for d in search(people, "leader", q="pho bien", page_size=100).items}
    assert search(people, "leader", q="pho bien").total == 0


def test_every_document_carries_its_agency_path(docs: dict, agency: Any) -> None:
    from django.db import IntegrityError, transaction

    assert all(d.agency_path == d.agency.path and d.agency_path for d in docs.values())
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(agency=agency(SO_KHCN), direction="in", status="pending", doc_type="CV")


def test_last_word_after_a_hyphen_or_inside_a_notation(
    docs: dict, people: dict, agency: Any, monkeypatch: Any
) -> None:
    from django.db import connection

    from congso.modules.documents import search as search_module

    doc = Document(
        agency=agency(SO_KHCN),
        agency_path=agency(SO_KHCN).path,
        direction="in",
        status="received",
        doc_type="CV",
        number_notation="123/UBND-VP",
        summary="Về tăng cường an toàn thông-tin",
        issuer_name="Ủy ban nhân dân quận Ba Đình",
        year=2026,
    )
    doc.search_text = _search_text(doc)
    doc.save()
    for in_index in (True, False):
        monkeypatch.setattr(search_module, "_prefix_in_index", lambda *args, v=in_index: v)
        # "tin" after a hyphen is a word of the text ("thong-tin" gives "thong", "tin").
        assert doc.pk in {d.pk for d in search(people, "leader", q="tang cuong an toan thong tin").items}
        # "ubnd" only inside the notation "123/ubnd-vp": not a word on PostgreSQL (the notation is
        # found exactly by its own path); SQLite's LIKE finds the substring.
        found = doc.pk in {d.pk for d in search(people, "leader", q="an toan ubnd").items}
        assert found == (connection.vendor != "postgresql")
