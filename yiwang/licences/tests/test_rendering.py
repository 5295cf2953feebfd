"""The licence PDF: made at issuance, in Chinese, with the verify QR code and the licence file
embedded; checked offline (module, command) and online (upload on the verify page)."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from yiwang.gmcrypto.core import sm3_hex
from yiwang.licences import actions, offline, rendering, verification, views
from yiwang.licences.actions import Holder
from yiwang.licences.models import HolderKind, Licence, LicenceType
from yiwang.seals import signing
from yiwang.testing import county as build
from yiwang.web.documents import render_pdf as render_plain_pdf

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
FIELDS = {"经营场所": "湖寮镇大埔大道1号", "主体业态": "餐饮服务经营者"}


@pytest.fixture
def licence(seal, clerk_scj, food_type, enterprise):
    return actions.issue(
        actor=clerk_scj,
        licence_type=food_type,
        holder=Holder.of_enterprise(enterprise),
        fields=FIELDS,
        valid_from=dt.date(2026, 12, 1),
    )


@pytest.fixture
def person_licence(seal, clerk_scj, depts, citizen):
    disability = LicenceType.objects.create(
        code="11100000000013338W041",
        name="残疾人证",
        definer="中国残疾人联合会",
        holder_kind=HolderKind.PERSON,
        validity_years=None,
        issuer=depts["scj"],
    )
    citizen.real_name, citizen.id_number = "李梅", "441422199005185387"
    citizen.save()
    return actions.issue(actor=clerk_scj, licence_type=disability, holder=Holder.person(citizen))


def pdf_of(licence: Licence) -> bytes:
    with licence.document.open("rb") as fh:
        return fh.read()


def tampered(pdf: bytes) -> bytes:
    """The PDF with one digit of the embedded licence file's number changed (same length, so
    the PDF still parses)."""
    at = pdf.index(b'"number": "') + len(b'"number": "')
    digit = pdf[at : at + 1]
    return pdf[:at] + (b"7" if digit != b"7" else b"8") + pdf[at + 1 :]


def public_key(licence: Licence) -> str:
    return signing.public_key(licence.key_id)


# --- issuance ------------------------------------------------------------------------------------


def test_the_pdf_is_made_and_kept_at_issuance(licence):
    assert licence.document.name.endswith(f"{licence.identifier}.pdf")
    data = pdf_of(Licence.objects.get(pk=licence.pk))
    assert data.startswith(b"%PDF-")
    assert licence.document_sm3 == sm3_hex(data)
    # Deterministic: rendering the same licence again gives the same bytes.
    assert rendering.render_pdf(licence) == data


def test_the_pdf_says_in_chinese_what_the_licence_says(licence, enterprise):
    text = PdfReader(io.BytesIO(pdf_of(licence))).pages[0].extract_text()
    for expected in (
        "食品经营许可证",
        "证照编号",
        licence.number,
        "持证主体",
        "大埔县湖寮镇客家饭店",
        "统一社会信用代码",
        "有效期",
        "2026年12月01日至2031年11月30日",
        "发证机关",
        licence.issuer.name,
        "发证日期",
        "扫码核验",
    ):
        assert expected in text, expected
    # The type's own fields, in the type's order.
    assert text.index("经营场所") < text.index("湖寮镇大埔大道1号") < text.index("主体业态")
    # The USCC is masked on the page.
    assert enterprise.uscc not in text
    assert "924414********J12M" in text


def test_a_persons_id_number_is_masked_and_no_end_is_long_term(person_licence):
    text = PdfReader(io.BytesIO(pdf_of(person_licence))).pages[0].extract_text()
    assert "公民身份号码" in text and "441422********5387" in text
    assert "441422199005185387" not in text
    assert "长期有效" in text


def page_images(pdf: bytes) -> list:
    return [image.image for image in PdfReader(io.BytesIO(pdf)).pages[0].images]


def scanned(pdf: bytes) -> list[str]:
    """What a phone reads from the printed page: the page rendered to pixels (PDFium) and
    every QR code on it decoded (ZXing)."""
    page = pypdfium2.PdfDocument(pdf)[0]
    picture = page.render(scale=3).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(picture)]


def test_the_qr_code_leads_to_the_verify_page(licence):
    url = f"http://127.0.0.1:8000/verify/{licence.identifier}"
    assert rendering.verify_url(licence.identifier) == url  # YIWANG_PUBLIC_URL's default
    assert scanned(pdf_of(licence)) == [url]
    text = PdfReader(io.BytesIO(pdf_of(licence))).pages[0].extract_text()
    assert licence.identifier in text.replace("\n", "")  # printed under the code


def test_the_seal_picture_is_stamped(licence, seal):
    with seal.image.open("rb") as fh:
        width, height = Image.open(fh).size
    scale = min(1, rendering.SEAL_PIXELS / max(width, height))
    expected = (round(width * scale), round(height * scale))
    assert [im.size for im in page_images(pdf_of(licence))] == [expected]


# --- offline -------------------------------------------------------------------------------------


def test_the_embedded_licence_file_verifies_offline(licence, tmp_path):
    attachments = PdfReader(io.BytesIO(pdf_of(licence))).attachments
    assert list(attachments) == [f"{licence.identifier}.json"]
    assert attachments[f"{licence.identifier}.json"][0] == rendering.licence_file_bytes(licence)
    path = tmp_path / "licence.pdf"
    path.write_bytes(pdf_of(licence))
    result = offline.verify_file(path, public_key(licence))
    assert result == offline.OfflineResult(True, "ok", licence.identifier)


def test_a_byte_changed_in_the_embedded_file_fails_offline(licence, tmp_path):
    path = tmp_path / "licence.pdf"
    path.write_bytes(tampered(pdf_of(licence)))
    result = offline.verify_file(path, public_key(licence))
    assert not result.valid
    assert result.reason == "the signature does not verify: the metadata were altered"


def test_a_pdf_without_a_licence_file_is_refused(tmp_path, licence):
    path = tmp_path / "other.pdf"
    path.write_bytes(render_plain_pdf(title="受理回执", rows=[("案件编号", "1")]))
    result = offline.verify_file(path, public_key(licence))
    assert result == offline.OfflineResult(False, "no licence file embedded in the PDF")


def test_the_management_command_exits_0_when_genuine_and_1_when_not(licence, tmp_path):
    good, bad, key_file = tmp_path / "good.pdf", tmp_path / "bad.pdf", tmp_path / "issuer.pub"
    good.write_bytes(pdf_of(licence))
    bad.write_bytes(tampered(pdf_of(licence)))
    key_file.write_text(public_key(licence) + "\n")
    out = io.StringIO()
    call_command("verify_licence_file", str(good), public_key=str(key_file), stdout=out)
    assert licence.identifier in out.getvalue() and "大埔县湖寮镇客家饭店" in out.getvalue()
    with pytest.raises(CommandError) as refused:
        call_command(
            "verify_licence_file", str(bad), public_key=public_key(licence), stderr=io.StringIO()
        )
    assert refused.value.returncode == 1
    # The real exit codes, through manage.py, without touching the database.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yiwang.test_settings"}
    for path, code in ((good, 0), (bad, 1)):
        done = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "verify_licence_file",
                str(path),
                "--public-key",
                str(key_file),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == code, done.stderr


def test_the_offline_module_runs_without_django_settings(licence, tmp_path):
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(pdf_of(licence))
    bad.write_bytes(tampered(pdf_of(licence)))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    command = [sys.executable, "-m", "yiwang.licences.offline"]
    done = subprocess.run(
        [*command, str(good), "--public-key", public_key(licence)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Genuine") and licence.identifier in done.stdout
    done = subprocess.run(
        [*command, str(bad), "--public-key", public_key(licence)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "the signature does not verify" in done.stderr


# --- online --------------------------------------------------------------------------------------


def upload(client, licence, data: bytes, name: str = "证照.pdf"):
    return client.post(
        f"/verify/{licence.identifier}",
        {"document": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


def test_matches_document_compares_the_digest(licence):
    assert verification.matches_document(licence, pdf_of(licence))
    assert not verification.matches_document(licence, tampered(pdf_of(licence)))


def test_the_verify_page_tells_the_issued_pdf_from_a_changed_one(client, licence):
    page = client.get(f"/verify/{licence.identifier}").content.decode()
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    answer = upload(client, licence, pdf_of(licence))
    assert answer.status_code == 200
    assert 'data-matches="true"' in answer.content.decode()
    answer = upload(client, licence, tampered(pdf_of(licence)))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'data-matches="false"' in html and 'data-valid="true"' in html  # the licence is


def test_the_upload_refuses_what_is_not_a_pdf_and_needs_csrf(client, licence, monkeypatch):
    answer = upload(client, licence, b"GIF89a not a pdf", "photo.pdf")
    assert answer.status_code == 400 and 'data-testid="copy-error"' in answer.content.decode()
    monkeypatch.setattr(views, "MAX_DOCUMENT_BYTES", 1000)
    answer = upload(client, licence, pdf_of(licence))
    assert answer.status_code == 400 and 'data-testid="copy-error"' in answer.content.decode()
    strict = Client(enforce_csrf_checks=True)
    assert upload(strict, licence, pdf_of(licence)).status_code == 403


# --- the holder's download -------------------------------------------------------------------


def test_the_holder_downloads_the_pdf_others_get_404(client, person_licence, citizen):
    url = f"/licences/mine/{person_licence.identifier}/licence.pdf"
    assert client.get(url).status_code == 302  # login first
    client.force_login(citizen)
    wallet = client.get("/licences/mine/").content.decode()
    assert url in wallet
    answer = client.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert "attachment" in answer["Content-Disposition"]
    assert sm3_hex(b"".join(answer.streaming_content)) == person_licence.document_sm3
    other = build.make_citizen(
        "wangqiang", real_name="王强", id_number="441422199106177335", phone="13817313932"
    )
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_a_licence_issued_before_pdfs_gets_its_pdf_on_first_download(
    client, person_licence, citizen
):
    Licence.objects.filter(pk=person_licence.pk).update(document="", document_sm3="")
    client.force_login(citizen)
    url = f"/licences/mine/{person_licence.identifier}/licence.pdf"
    first = b"".join(client.get(url).streaming_content)
    stored = Licence.objects.get(pk=person_licence.pk)
    assert stored.document and stored.document_sm3 == sm3_hex(first)
    assert b"".join(client.get(url).streaming_content) == first
