"""Licence metadata: validation, the canonical bytes, and offline verification of a file."""

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from yiwang.gmcrypto import sm2
from yiwang.licences import offline
from yiwang.licences.metadata import (
    HOLDER_USCC,
    LicenceMetadata,
    MetadataError,
    canonical_json,
)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F"


def metadata(**changes) -> LicenceMetadata:
    values = {
        "identifier": EXAMPLE,
        "type_code": "11100000000013338W032",
        "type_name": "食品经营许可证",
        "number": "JY14414220000123",
        "name": "食品经营许可证",
        "version": "001",
        "issued_on": dt.date(2026, 12, 1),
        "issuer_name": "大埔县市场监督管理局",
        "issuer_code": "11220000013544541J",
        "definer": "国家市场监督管理总局",
        "valid_from": dt.date(2026, 12, 1),
        "valid_until": dt.date(2031, 11, 30),
        "division_code": "441422",
        "holder_name": "大埔县湖寮镇客家饭店",
        "holder_code": "92441422MA4X0YJ12M",
        "holder_code_type": HOLDER_USCC,
        "related_items": ("441422-SCJ-001",),
        "extension": {"经营场所": "湖寮镇大埔大道1号", "主体业态": "餐饮服务经营者"},
    }
    values.update(changes)
    return LicenceMetadata(**values)


def test_canonical_bytes_are_sorted_compact_utf8_and_stable():
    meta = metadata()
    text = meta.canonical().decode("utf-8")
    assert text.startswith('{"definer":"国家市场监督管理总局","division_code":"441422"')
    assert " " not in text.replace("湖寮镇大埔大道1号", "") and "\\u" not in text
    assert '"valid_until":"2031-11-30"' in text
    assert '"extension":{"主体业态":"餐饮服务经营者","经营场所":"湖寮镇大埔大道1号"}' in text
    # Read back from its JSON, the same bytes: a verifier re-reading a file signs nothing new.
    again = LicenceMetadata.from_dict(json.loads(text))
    assert again == meta and again.canonical() == meta.canonical()
    assert metadata(valid_until=None).as_dict()["valid_until"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"identifier": EXAMPLE[:-1] + "G"}, "identifier"),
        ({"type_code": "11100000000013338W033"}, "type_code"),
        ({"issuer_code": "91440101MA59XXXX1X"}, "issuer_code"),
        ({"version": "002"}, "version"),
        ({"holder_name": "  "}, "holder_name"),
        ({"holder_code_type": "999"}, "holder_code_type"),
        ({"holder_code": "92441422MA4X0YJ12R"}, "holder_code"),  # wrong check character
        ({"holder_code_type": "111"}, "holder_code"),  # a USCC is no resident ID
        ({"division_code": "4414"}, "division_code"),
        ({"valid_until": dt.date(2020, 1, 1)}, "valid_until"),
        ({"extension": {"x": float("nan")}}, "extension"),
    ],
)
def test_metadata_that_cannot_describe_a_licence_are_refused(changes, field):
    with pytest.raises(MetadataError, match=f"^{field}:"):
        metadata(**changes)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"issued_on": "2026/12/01"}, "issued_on"),
        ({"issued_on": 20261201}, "issued_on"),
        ({"number": 123}, "number"),
        ({"related_items": "441422-SCJ-001"}, "related_items"),
    ],
)
def test_a_file_with_a_malformed_field_names_it(data, field):
    good = metadata().as_dict()
    with pytest.raises(MetadataError, match=f"^{field}:"):
        LicenceMetadata.from_dict({**good, **data})
    missing = {k: v for k, v in good.items() if k != "holder_code"}
    with pytest.raises(MetadataError, match=r"^holder_code: missing"):
        LicenceMetadata.from_dict(missing)


@pytest.fixture(scope="module")
def issuer():
    return sm2.generate_keypair()


def signed_file(issuer, meta=None) -> dict:
    meta = meta or metadata()
    signature = sm2.sign(issuer.private_key, meta.canonical())
    return offline.licence_file(
        meta, key_id="k1", public_key=issuer.public_key, signature=signature
    )


def test_a_signed_licence_file_verifies_offline(issuer, tmp_path):
    path = tmp_path / "licence.json"
    path.write_text(json.dumps(signed_file(issuer), ensure_ascii=False), encoding="utf-8")
    result = offline.verify_file(path, issuer.public_key)
    assert result == offline.OfflineResult(True, "ok", EXAMPLE)


def test_tampering_and_foreign_keys_are_detected(issuer):
    document = signed_file(issuer)
    altered = json.loads(json.dumps(document))
    altered["metadata"]["valid_until"] = "2041-11-30"
    result = offline.verify_document(altered, issuer.public_key)
    assert not result.valid and "altered" in result.reason
    # A forger signs with their own key and puts it in the file: the verifier's key decides.
    forger = sm2.generate_keypair()
    forged = signed_file(forger)
    assert not offline.verify_document(forged, issuer.public_key).valid
    forged["signature"]["public_key"] = issuer.public_key
    assert "altered" in offline.verify_document(forged, issuer.public_key).reason
    bad = json.loads(json.dumps(document))
    bad["signature"]["value"] = "not base64!"
    assert offline.verify_document(bad, issuer.public_key).reason == "the signature is not base64"
    assert not offline.verify_document({"format": "x"}, issuer.public_key).valid
    assert not offline.verify_file(Path("/nonexistent/licence.json"), issuer.public_key).valid


def test_offline_verification_needs_no_site(issuer, tmp_path):
    """A fresh interpreter with no settings module, no database: only the file and the key."""
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(signed_file(issuer), ensure_ascii=False), encoding="utf-8")
    wrong = dataclasses.replace(metadata(), holder_name="别人的饭店")
    document = signed_file(issuer)
    document["metadata"] = wrong.as_dict()
    bad.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    script = (
        "import sys; from yiwang.licences.offline import verify_file\n"
        "for p in sys.argv[2:]: r = verify_file(p, sys.argv[1]); print(r.valid, r.reason)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, issuer.public_key, str(good), str(bad)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=tmp_path,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "True ok"
    assert lines[1].startswith("False the signature does not verify")


def test_canonical_json_refuses_what_json_cannot_say():
    with pytest.raises(ValueError):
        canonical_json({"x": float("inf")})
