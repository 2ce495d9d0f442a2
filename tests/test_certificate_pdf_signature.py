"""The certificate PDF carries the certificate file and a PAdES signature; ``pcf certificates
verify FILE.pdf`` checks both, and a changed printed digit is detected."""

from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner

from tests.test_certificates import issue, signing_home, store, tenants, trusted_key  # noqa: F401


def _signed_pdf(rec) -> bytes:
    from pcf.certificates.pdf import render_pdf
    from pcf.certificates.pdfsign import sign_pdf

    page = render_pdf(rec.envelope(), verification_url=f"https://pcf.example/verify/"
                                                        f"{rec.certificate_id}",
                      status=rec.status())
    return sign_pdf(page, rec.envelope(), issuer_name="Shengtong")


def _digit_changed_incrementally(data: bytes, old: str, new: str) -> bytes:
    """Append an incremental update that replaces the page's content stream with one where
    ``old`` is printed as ``new`` (what an editor does on "save")."""
    from pypdf import PdfWriter
    from pypdf.generic import ContentStream

    writer = PdfWriter(io.BytesIO(data), incremental=True)
    page = writer.pages[0]
    content = page.get_contents()
    raw = content.get_data()
    assert old.encode() in raw, "the printed number is not in the content stream"
    stream = ContentStream(None, writer)
    stream.set_data(raw.replace(old.encode(), new.encode(), 1))
    page.replace_contents(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _printed_total(rec) -> str:
    from pcf.certificates.pdf import fmt_number

    calc = rec.document["productFootprint"]["extensions"][0]["data"]["calculation"]
    return fmt_number(calc["kgCO2ePerDeclaredUnit"]["total"])


def test_pdf_carries_the_certificate_and_a_valid_signature(tenants, store):  # noqa: F811
    from pypdf import PdfReader

    from pcf.certificates.pdfsign import check_pdf

    rec = issue(store, tenants["alice"], "40")
    data = _signed_pdf(rec)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    attached = reader.attachments
    (name,) = attached
    assert name == f"certificate-{rec.number}.json"
    assert json.loads(attached[name][0]) == rec.envelope()
    result = check_pdf(data, trusted_key())
    assert result["ok"], result["message"]
    assert result["coverage"] == "ENTIRE_FILE" and result["envelope"] == rec.envelope()
    assert "Shengtong" in result["signer"]


@pytest.mark.parametrize("how", ["incremental", "rewritten", "byte"])
def test_a_changed_digit_is_detected(tenants, store, how):  # noqa: F811
    from pypdf import PdfReader, PdfWriter

    from pcf.certificates.pdfsign import check_pdf

    rec = issue(store, tenants["alice"], "40")
    data = _signed_pdf(rec)
    total = _printed_total(rec)
    forged_total = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), total, count=1)
    if how == "incremental":
        forged = _digit_changed_incrementally(data, total, forged_total)
    elif how == "rewritten":  # a fresh file without the old signature's byte ranges
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(
            _digit_changed_incrementally(data, total, forged_total))))
        out = io.BytesIO()
        writer.write(out)
        forged = out.getvalue()
    else:  # flip one byte inside the signed range (the page's compressed stream)
        start = data.index(b"stream\r\n") if b"stream\r\n" in data else data.index(b"stream\n")
        pos = start + 40
        forged = data[:pos] + bytes([data[pos] ^ 0x01]) + data[pos + 1:]
    assert forged != data
    result = check_pdf(forged, trusted_key())
    assert result["ok"] is False, (how, result["message"])


def test_another_key_is_not_trusted(tenants, store):  # noqa: F811
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pcf.certificates.pdfsign import check_pdf

    rec = issue(store, tenants["alice"], "40")
    result = check_pdf(_signed_pdf(rec), Ed25519PrivateKey.generate().public_key())
    assert result["ok"] is False and "another key" in result["message"]


def test_cli_verifies_pdf_offline_and_online(tenants, store, tmp_path, monkeypatch):  # noqa: F811
    from pcf.certificates.signing import public_key_info
    from pcf.cli import main
    from pcf.service.certificates import revoke_certificate

    monkeypatch.setattr("pcf.commands._common.ensure_project", lambda: None)
    rec = issue(store, tenants["alice"], "40")
    pdf, forged, key = tmp_path / "c.pdf", tmp_path / "forged.pdf", tmp_path / "key.pem"
    data = _signed_pdf(rec)
    pdf.write_bytes(data)
    total = _printed_total(rec)
    forged.write_bytes(_digit_changed_incrementally(data, total, total.replace(total[0], "9")
                                                    if total[0] != "9" else "1" + total[1:]))
    key.write_text(public_key_info()["pem"])
    runner = CliRunner()
    ok = runner.invoke(main, ["certificates", "verify", str(pdf), "--public-key", str(key)])
    assert ok.exit_code == 0, ok.output
    assert "authentic; status not checked" in ok.output and "VALID" not in ok.output
    assert "PDF signature: ok" in ok.output
    bad = runner.invoke(main, ["certificates", "verify", str(forged), "--public-key", str(key)])
    assert bad.exit_code == 1 and "INVALID" in bad.output and "PDF signature: FAILED" in \
        bad.output

    # --online asks the verification page the certificate names (served here by the app)
    answers = {"status": "active"}

    def fake_online(document, certificate_id, url):
        stated = document["certificate"]["verification"]["url"]
        assert stated.endswith(f"/verify/{rec.certificate_id}")
        return {"url": "https://pcf.example/verify/x", "found": True,
                "sha256": rec.sha256, "authentic": True, **answers}

    monkeypatch.setattr("pcf.commands.certificates._online_status", fake_online)
    online = runner.invoke(main, ["certificates", "verify", str(pdf), "--public-key", str(key),
                                  "--online"])
    assert online.exit_code == 0 and "VALID (authentic and active)" in online.output
    revoke_certificate(store.engine, rec.certificate_id, tenant_id=None, revoked_by="t",
                       reason="wrong line")
    answers.update(status="revoked", revocation={"revoked_at": "2026-01-01T00:00:00Z",
                                                 "reason": "wrong line"})
    revoked = runner.invoke(main, ["certificates", "verify", str(pdf), "--public-key",
                                   str(key), "--online"])
    assert revoked.exit_code == 1 and "NOT VALID: authentic, but revoked" in revoked.output
    assert "wrong line" in revoked.output
    answers.update(status="superseded", revocation=None,
                   superseded_by={"id": "x", "number": "PCF-2026-000099"})
    sup = runner.invoke(main, ["certificates", "verify", str(pdf), "--public-key", str(key),
                               "--online", "--format", "json"])
    assert sup.exit_code == 1 and json.loads(sup.stdout)["validNow"] is False

