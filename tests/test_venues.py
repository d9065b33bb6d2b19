"""The venue table: patterns per service, templates per year, tags."""

from __future__ import annotations

import pytest

from plmcite import venues as V


@pytest.mark.parametrize("source,raw,year,ee,vid,short,container,volume", [
    ("openreview", "ICLR.cc/2025/Conference", 2025, (), "iclr", "ICLR 2025",
     "The Thirteenth International Conference on Learning Representations", None),
    ("dblp", "ICLR", 2024, (), "iclr", "ICLR 2024", "The Twelfth International Conference on Learning Representations", None),
    ("openreview", "ICLR.cc/2024/Workshop/DPFM", 2024, (), "iclr-workshop", "ICLR 2024 Workshop (DPFM)", "ICLR 2024 Workshop DPFM", None),
    ("dblp", "NeurIPS", 2023, (), "neurips", "NeurIPS 2023", "Advances in Neural Information Processing Systems", "36"),
    ("dblp", "NeurIPS", 2024, ("https://proceedings.neurips.cc/paper_files/paper/2024/hash/x-Abstract-Datasets_and_Benchmarks_Track.html",),
     "neurips-db", "NeurIPS 2024 (Datasets and Benchmarks Track)", "Advances in Neural Information Processing Systems", "37"),
    ("dblp", "ICML", 2024, (), "icml", "ICML 2024", "Proceedings of the 41st International Conference on Machine Learning", "235"),
    ("acl", "2024.findings-emnlp.398", 2024, (), "findings-emnlp", "Findings of EMNLP 2024",
     "Findings of the Association for Computational Linguistics: EMNLP 2024", None),
    ("dblp", "ACL (Findings)", 2025, (), "findings-acl", "Findings of ACL 2025",
     "Findings of the Association for Computational Linguistics: ACL 2025", None),
    ("acl", "2025.naacl-long.18", 2025, (), "naacl", "NAACL 2025", None, None),
    ("acl", "2024.personalize-1", 2024, (), "personalize", "PERSONALIZE 2024", None, None),
    ("acl", "2025.cl-2.6", 2025, (), "cl", "Computational Linguistics 2025", "Computational Linguistics", None),
    ("acl", "P15-1001", 2015, (), "acl", "ACL 2015", "Proceedings of the 53rd Annual Meeting of the Association for Computational Linguistics", None),
    ("acl", "W19-3201", 2019, (), "acl-workshop", None, None, None),
    ("crossref", "Proceedings of the AAAI Conference on Artificial Intelligence", 2025, (), "aaai", "AAAI 2025",
     "Proceedings of the AAAI Conference on Artificial Intelligence", "39"),
    ("crossref", "Proceedings of the ACM on Web Conference 2025", 2025, (), "www", "WWW 2025", "Proceedings of the ACM Web Conference 2025", None),
    ("openreview", "colmweb.org/COLM/2025/Conference", 2025, (), "colm", "COLM 2025", "Second Conference on Language Modeling", None),
    ("openreview", "TMLR", 2025, (), "tmlr", "TMLR 2025", "Transactions on Machine Learning Research", None),
])
def test_identify(source, raw, year, ee, vid, short, container, volume):
    info = V.identify(source, raw, year, ee=ee)
    assert info is not None and info.id == vid
    if short:
        assert info.short == short
    if container or source != "acl":
        assert info.container == container
    assert info.volume == volume


def test_unknown_venues():
    assert V.identify("dblp", "Some New Workshop", 2025) is None
    info = V.unknown("KDD (1)", 2025, "conference")
    assert (info.id, info.short, info.known) == ("kdd", "KDD 2025", False)


def test_tags():
    assert V.tag_matches("NeurIPS", "neurips", "NeurIPS 2024")
    assert V.tag_matches("neurips", "neurips-db", "NeurIPS 2024 (Datasets and Benchmarks Track)")
    assert not V.tag_matches("EMNLP", "findings-emnlp", "Findings of EMNLP 2024")
    assert V.tag_matches("EMNLP Findings", "findings-emnlp", "Findings of EMNLP 2024")
    assert not V.tag_matches("NeurIPS Workshop", "neurips", "NeurIPS 2024")
    assert not V.tag_matches("PMLR", "icml", "ICML 2024")
    assert V.tag_matches("PERSONALIZE", "personalize", "PERSONALIZE 2024")  # a workshop the table names generically
    assert "findings-emnlp" in V.tag_venues("Findings of EMNLP")


def test_ordinals():
    assert [V.ordinal(n) for n in (1, 2, 3, 11, 12, 13, 21, 41, 62)] == ["1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "41st", "62nd"]
    assert [V.ordinal_word(n) for n in (1, 2, 13, 20, 42)] == ["First", "Second", "Thirteenth", "Twentieth", "Forty-Second"]


def test_table_is_well_formed():
    table = V.load_table()
    ids = [v.id for v in table]
    assert len(ids) == len(set(ids))
    for v in table:
        assert v.kind in ("conference", "workshop", "journal"), v.id
        assert "short" in v.spec, v.id
        assert any(v.patterns[k] for k in V.PATTERN_KEYS) or v.spec.get("acl_letters"), v.id
    # the venues the issue names are all there
    for vid in ("iclr", "neurips", "neurips-db", "icml", "acl", "emnlp", "naacl", "findings-acl", "findings-emnlp",
                "findings-naacl", "coling", "aaai", "www", "sigir", "cikm", "colm", "tmlr", "cl", "tacl"):
        assert vid in ids


def test_bad_table_is_reported():
    with pytest.raises(ValueError, match=r"\[x\] dblp: bad pattern"):
        V.load_table('[x]\nshort = "X"\ndblp = ["("]\n')
