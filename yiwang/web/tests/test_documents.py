"""Chinese PDF documents: text extractable, fonts embedded or CID fallback, QR decodable size."""

import io

from PIL import Image

from yiwang.web import documents
from yiwang.web.documents import load_font, pdf_font, qr_png, render_pdf
from yiwang.web.testing import pdf_font_subtypes, pdf_pages, pdf_text

LONG_VALUE = (
    "1. 食品经营许可申请书；2. 营业执照复印件；3. 法定代表人身份证明；"
    "4. 与食品经营相适应的主要设备设施布局、操作流程等文件；5. 食品安全管理制度文本。"
)


def sample(**overrides) -> bytes:
    kwargs = {
        "title": "受理通知书",
        "subtitle": "埔政务受字〔2026〕第 00123 号",
        "rows": [
            ("申请人", "李梅"),
            ("办理事项", "食品经营许可证核发（新办）"),
            ("所需材料", LONG_VALUE),
        ],
        "paragraphs": ["你（单位）提交的申请材料齐全、符合法定形式，决定予以受理。"],
        "qr_url": "http://127.0.0.1:8000/cases/track/ABC123",
        "qr_caption": "扫码查询办理进度",
        "footer": "大埔县一网政务服务平台",
        "seal_text": "大埔县市场监督管理局",
    }
    kwargs.update(overrides)
    return render_pdf(**kwargs)


def test_pdf_contains_chinese_title_and_values():
    pdf = sample()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "受理通知书" in text
    assert "埔政务受字" in text
    assert "食品经营许可证核发（新办）" in text
    assert "扫码查询办理进度" in text
    assert "大埔县一网政务服务平台" in text
    # The long value wraps inside its cell but none of it is lost.
    flat = "".join(text.split())
    assert "与食品经营相适应的主要设备设施布局" in flat
    assert "食品安全管理制度文本" in flat


def test_markup_characters_are_escaped():
    text = pdf_text(render_pdf(title="测试 <b>&", rows=[("备注", 'A&B <i>x</i> "引号"')]))
    assert "测试 <b>&" in text
    assert 'A&B <i>x</i> "引号"' in text


def test_minimal_document_without_qr_or_seal():
    pdf = render_pdf(title="办事指南", rows=[])
    assert pdf.startswith(b"%PDF")
    assert "办事指南" in pdf_text(pdf)


def test_generic_qr_caption_when_none_given():
    text = pdf_text(sample(qr_caption=None, seal_text=None))
    assert "扫码查询办理进度" not in text
    assert text.strip()  # a caption is printed all the same (translated)


def test_many_rows_flow_onto_a_second_page():
    rows = [(f"第{i}项", LONG_VALUE) for i in range(40)]
    pdf = render_pdf(title="材料清单", rows=rows, footer="第一页脚注")
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    assert "第39项" in pages[-1]
    assert all("第一页脚注" in page for page in pages)  # footer on every page


def test_font_is_embedded_truetype_when_available():
    font = pdf_font()
    if font.embedded:
        assert font.path and font.path.split("#")[0].endswith((".ttf", ".ttc"))
        assert "/TrueType" in pdf_font_subtypes(sample())
    else:
        assert font.name == documents.CID_FALLBACK
        assert "/CIDFontType0" in pdf_font_subtypes(sample())


def test_cff_only_fonts_are_rejected_and_cid_fallback_works(tmp_path):
    latin_only = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    not_a_font = tmp_path / "broken.ttf"
    not_a_font.write_bytes(b"not a font")
    font = load_font([str(not_a_font), str(tmp_path / "missing.ttf"), latin_only])
    assert font.name == documents.CID_FALLBACK
    assert not font.embedded


def test_render_with_cid_fallback(monkeypatch):
    monkeypatch.setattr(documents, "pdf_font", lambda: load_font([]))
    pdf = sample()
    text = pdf_text(pdf)
    assert b"STSong-Light" in pdf
    assert "受理通知书" in text
    assert "食品经营许可证核发（新办）" in text


def test_configured_font_wins(settings, tmp_path):
    documents._resolve.cache_clear()
    try:
        settings.YIWANG_PDF_FONT = str(tmp_path / "missing.ttf")
        # A wrong setting falls back to the system search instead of failing.
        assert pdf_font().path != settings.YIWANG_PDF_FONT
        settings.YIWANG_PDF_FONT = ""
        default = pdf_font()
        if default.embedded:
            settings.YIWANG_PDF_FONT = default.path
            assert pdf_font().path == default.path
    finally:
        documents._resolve.cache_clear()


def test_qr_png_is_a_png_of_reasonable_size():
    png = qr_png("http://127.0.0.1:8000/cases/track/ABC123")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.width == image.height and image.width >= 100
    assert qr_png("a") != qr_png("b")
