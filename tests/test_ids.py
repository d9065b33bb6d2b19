"""Identifiers from every kind of link the list uses."""

import pytest

from plmcite.ids import classify, extract, parse_identifier


@pytest.mark.parametrize("url,ids", [
    ("https://arxiv.org/pdf/2503.02614", {"arxiv": "2503.02614"}),
    ("https://arxiv.org/pdf/2404.07084v1", {"arxiv": "2404.07084"}),
    ("http://arxiv.org/abs/2310.11564v2", {"arxiv": "2310.11564"}),
    ("https://arxiv.org/pdf/2603.27765.pdf", {"arxiv": "2603.27765"}),
    ("https://arxiv.org/pdf/2406.12548v1.pdf", {"arxiv": "2406.12548"}),
    ("https://arxiv.org/html/2501.06062v2", {"arxiv": "2501.06062"}),
    ("https://export.arxiv.org/abs/hep-th/9901001", {"arxiv": "hep-th/9901001"}),
    ("https://arxiv.org/abs/math.GT/0309136v1", {"arxiv": "math.GT/0309136"}),
    ("https://doi.org/10.48550/arXiv.2503.02614", {"arxiv": "2503.02614"}),
    ("https://doi.org/10.1145/3626772.3657783", {"doi": "10.1145/3626772.3657783"}),
    ("https://dl.acm.org/doi/pdf/10.1145/3626772.3657783", {"doi": "10.1145/3626772.3657783"}),
    ("https://dlnext.acm.org/doi/pdf/10.1145/3626772.3657783", {"doi": "10.1145/3626772.3657783"}),
    ("https://dl.acm.org/doi/10.1145/3589334.3645404", {"doi": "10.1145/3589334.3645404"}),
    ("https://link.springer.com/chapter/10.1007/978-3-031-12345-6_7", {"doi": "10.1007/978-3-031-12345-6_7"}),
    ("https://aclanthology.org/2024.acl-long.399.pdf", {"acl": "2024.acl-long.399"}),
    ("https://aclanthology.org/2024.findings-emnlp.118/", {"acl": "2024.findings-emnlp.118"}),
    ("https://aclanthology.org/N19-1423", {"acl": "N19-1423"}),
    ("https://www.aclweb.org/anthology/P15-1001", {"acl": "P15-1001"}),
    ("https://openreview.net/forum?id=cfn2O1qvxp", {"openreview": "cfn2O1qvxp"}),
    ("https://openreview.net/pdf?id=7qJFkuZdYo", {"openreview": "7qJFkuZdYo"}),
    ("https://proceedings.neurips.cc/Paper_files/Paper/2023/file/e12a3b98b67e8395f639fde4c2b03168-Paper-Conference.pdf",
     {"neurips": "2023/e12a3b98b67e8395f639fde4c2b03168"}),
    ("https://proceedings.neurips.cc/paper/2020/hash/1457c0d6bfcb4967418bfb8ac142f64a-Abstract.html",
     {"neurips": "2020/1457c0d6bfcb4967418bfb8ac142f64a"}),
    ("https://proceedings.mlr.press/v235/yang24q.html", {"pmlr": "v235/yang24q"}),
    ("https://proceedings.mlr.press/v235/yang24q/yang24q.pdf", {"pmlr": "v235/yang24q"}),
    ("https://ojs.aaai.org/index.php/AAAI/article/view/40188", {"aaai": "40188"}),
    ("https://github.com/BunsenFeng/modular_pluralism/tree/main", {"github": "BunsenFeng/modular_pluralism"}),
    ("https://github.com/joeljang/RLPHF.git", {"github": "joeljang/RLPHF"}),
    ("https://hannahkirk.github.io/prism-alignment/", {}),
    ("not a url at all", {}),
    ("", {}),
])
def test_extract(url, ids):
    assert extract(url) == ids


@pytest.mark.parametrize("url,kind", [
    ("https://arxiv.org/pdf/2406.02888v1", "paper"),
    ("https://aclanthology.org/2024.emnlp-main.386.pdf", "paper"),
    ("https://github.com/RLHFlow/Directional-Preference-Alignment", "code"),
    ("https://huggingface.co/datasets/ClareNie/Persona-MME", "code"),
    ("https://lamp-benchmark.github.io/", "site"),
    ("https://example.org/x", "other"),
])
def test_classify(url, kind):
    assert classify(url) == kind


@pytest.mark.parametrize("text,ids", [
    ("2410.04070", {"arxiv": "2410.04070"}),
    ("arXiv:2410.04070v3", {"arxiv": "2410.04070"}),
    ("10.18653/v1/2024.acl-long.399", {"doi": "10.18653/v1/2024.acl-long.399"}),
    ("doi:10.1145/3626772.3657783", {"doi": "10.1145/3626772.3657783"}),
    ("2024.emnlp-main.85", {"acl": "2024.emnlp-main.85"}),
    ("openreview:cfn2O1qvxp", {"openreview": "cfn2O1qvxp"}),
    ("cfn2O1qvxp", {"openreview": "cfn2O1qvxp"}),
    ("https://github.com/a/b", {}),
])
def test_parse_identifier(text, ids):
    assert parse_identifier(text) == ids
