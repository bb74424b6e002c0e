from __future__ import annotations

import gzip
import json

import pytest

from claimx.io.html import html_to_text
from claimx.io.readers import decode, read_inputs


@pytest.fixture
def settings(config):
    return config.settings.input


def read(tmp_path, settings, *names):
    return list(read_inputs([str(tmp_path / n) for n in names] or [str(tmp_path)], settings))


@pytest.mark.parametrize("name,fmt", [("a.txt", "txt"), ("a.md", "markdown"), ("a.html", "html"), ("a.htm", "html")])
def test_format_by_suffix(tmp_path, settings, name, fmt):
    (tmp_path / name).write_text("<p>Fact check: x?</p>" if "htm" in name else "Fact check: x?", encoding="utf-8")
    (inp,) = read(tmp_path, settings, name)
    assert inp.source.format == fmt
    assert inp.text.strip() == "Fact check: x?"
    assert inp.doc_id == name


def test_directory_walk_is_sorted_and_skips_readme(tmp_path, settings):
    for rel in ["b/2.txt", "a.txt", "b/1.md", "README.md", ".hidden.txt"]:
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    assert [i.doc_id for i in read(tmp_path, settings)] == ["a.txt", "b/1.md", "b/2.txt"]


def test_gzip_of_any_format(tmp_path, settings):
    with gzip.open(tmp_path / "a.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write("Fact check: zipped?")
    rec = {"id": "z1", "text": "Fact check: in jsonl?"}
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(rec) + "\n")
    inputs = read(tmp_path, settings)
    assert [(i.doc_id, i.text) for i in inputs] == [
        ("a.txt.gz", "Fact check: zipped?"),
        ("z1", "Fact check: in jsonl?"),
    ]


def test_truncated_gzip_is_an_error(tmp_path, settings):
    data = gzip.compress(b"Fact check: x?\n" * 200)
    (tmp_path / "t.txt.gz").write_bytes(data[: len(data) // 2])
    (inp,) = read(tmp_path, settings)
    assert inp.error.code == "E107"


def test_jsonl_records_and_bad_lines(tmp_path, settings):
    lines = [
        json.dumps({"id": "a1", "text": "T1", "url": "https://example.org/1", "title": "Title 1"}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"text": ""}),
        "",
        json.dumps({"text": "no id"}),
    ]
    (tmp_path / "arch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = [(i.doc_id, i.error.code if i.error else None, i.source.line) for i in read(tmp_path, settings)]
    assert got == [
        ("a1", None, 1),
        ("arch.jsonl:2", "E102", 2),
        ("arch.jsonl:3", "E103", 3),
        ("arch.jsonl:4", "E104", 4),
        ("arch.jsonl:6", None, 6),
    ]
    first = next(iter(read(tmp_path, settings)))
    assert (first.source.url, first.title) == ("https://example.org/1", "Title 1")


def test_jsonl_error_names_path_and_line(tmp_path, settings):
    (tmp_path / "bad.jsonl").write_text('{"text": "ok"}\n{oops\n', encoding="utf-8")
    bad = read(tmp_path, settings)[1]
    assert bad.error.message.startswith(f"{tmp_path / 'bad.jsonl'}:2: invalid JSON")


@pytest.mark.parametrize(
    "data,text,warned",
    [
        ("caf\u00e9".encode(), "caf\u00e9", False),
        (b"\xef\xbb\xbfbom", "bom", False),
        ("utf16".encode("utf-16"), "utf16", False),
        ("caf\u00e9".encode("cp1252"), "caf\u00e9", True),
        (b"a\r\nb\rc", "a\nb\nc", False),
    ],
)
def test_decode(data, text, warned):
    got, warnings = decode(data, ["cp1252"])
    assert got == text
    assert bool(warnings) == warned


def test_binary_is_not_text(tmp_path, settings):
    (tmp_path / "x.txt").write_bytes(b"\x00\x01\x02binary")
    (inp,) = read(tmp_path, settings)
    assert inp.error.code == "E101"


def test_unknown_suffix_is_an_error_record(tmp_path, settings):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    (inp,) = read(tmp_path, settings)
    assert inp.error.code == "E106"


@pytest.mark.parametrize(
    "markup,expected",
    [
        (
            "<html><head><title>T</title><style>p{}</style></head><body><p>One &amp; two</p>"
            "<script>var x = '[1]';</script><p>Three&#8217;s</p></body></html>",
            "One & two\nThree\u2019s\n",
        ),
        ("<ul><li>a</li><li>b<br>c</li></ul>", "a\nb\nc\n"),
        ("<p>x&nbsp;y   z\n w</p><!-- comment --><div>unclosed", "x\u00a0y z w\nunclosed\n"),
    ],
)
def test_html_visible_text(markup, expected):
    assert html_to_text(markup) == expected
