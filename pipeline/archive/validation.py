"""The future-validation report of a filed KK: what the signed file embeds to be
validated without the network, and until when that holds.

Written beside the KK at filing (``08 kartu keluarga WNA - laporan validasi.json``) and
for every renewed version (`renew`): the signer's certificate and its validity, the chain
up to a trust root, the validation data embedded (the DSS: certificates, CRLs, OCSP
responses), each timestamp with its TSA certificate's expiry, the date until which the
file validates offline as it is (the earliest expiry in the LAST timestamp's chain: after
it nothing vouches for the older evidence), and pyHanko's AdES B-LTA validation run with
embedded data only, at "now" and at a day after that date.

Why not `simulate_future_ades_lta_validation` alone: it passed both a file whose TSA
certificate had expired and its renewal (tests/test_archive_renew.py);
`ades_lta_validation` at a fixed validation time with no fetching tells them apart.
"""

from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import policy_decl as certv_policy
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.registry import SimpleTrustManager

from pipeline.office.fsutil import atomic_write_text, sha256_file

SUFFIX = " - laporan validasi.json"


def report_name(kk_name: str) -> str:
    """``08 kartu keluarga WNA.pdf`` -> ``08 kartu keluarga WNA - laporan validasi.json``."""
    return kk_name.removesuffix(".pdf") + SUFFIX


def _cert(c: asn1_x509.Certificate, tz: ZoneInfo) -> dict[str, Any]:
    validity = c["tbs_certificate"]["validity"]
    return {"subjek": c.subject.human_friendly, "penerbit": c.issuer.human_friendly,
            "nomor_seri": format(c.serial_number, "x"),
            "berlaku_dari": validity["not_before"].native.astimezone(tz).isoformat(),
            "berlaku_sampai": validity["not_after"].native.astimezone(tz).isoformat()}


def _expiry(c: asn1_x509.Certificate) -> datetime:
    value: datetime = c["tbs_certificate"]["validity"]["not_after"].native
    return value


def _chain(cert: asn1_x509.Certificate,
           pool: list[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    """*cert* and its issuers found in *pool*, by name and key identifier, up to a
    self-issued certificate (or as far as the pool goes)."""
    chain = [cert]
    while not chain[-1].self_issued and len(chain) < 10:
        here = chain[-1]
        issuer = next((c for c in pool if c.subject == here.issuer and c not in chain and (
            here.authority_key_identifier is None
            or c.key_identifier == here.authority_key_identifier)), None)
        if issuer is None:
            break
        chain.append(issuer)
    return chain


def signature_tsa_cert(sig: Any) -> asn1_x509.Certificate | None:
    """The certificate of the TSA that timestamped the signature itself (the CMS unsigned
    attribute signature-time-stamp-token), or None when it has none."""
    attrs = sig.signer_info["unsigned_attrs"]
    if not attrs.native:
        return None
    for attr in attrs:
        if attr["type"].native != "signature_time_stamp_token":
            continue
        signed = attr["values"][0]["content"]
        sid = signed["signer_infos"][0]["sid"].chosen
        for choice in signed["certificates"] or []:
            cert = choice.chosen
            if getattr(sid, "name", "") == "issuer_and_serial_number" or "issuer" in sid:
                if cert.issuer == sid["issuer"] and cert.serial_number == \
                        sid["serial_number"].native:
                    return cert
            elif cert.key_identifier == sid.native:
                return cert
    return None


def _spec(roots: list[asn1_x509.Certificate]) -> PdfSignatureValidationSpec:
    """AdES validation against the trust roots with embedded data only: no fetching."""
    return PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(roots),
            revinfo_policy=certv_policy.CertRevTrustPolicy(
                revocation_checking_policy=certv_policy.REQUIRE_REVINFO,
                freshness_req_type=certv_policy.FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
            ),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY),
    ))


def lta_at(sig: Any, roots: list[asn1_x509.Certificate], moment: datetime,
           tz: ZoneInfo) -> dict[str, str]:
    """pyHanko's AdES B-LTA validation as it would run at *moment*, offline."""
    timing = ValidationTimingInfo(validation_time=moment, best_signature_time=moment,
                                  point_in_time_validation=False)
    try:
        result = asyncio.run(ades.ades_lta_validation(sig, _spec(roots), timing_info=timing))
    except Exception as exc:  # noqa: BLE001 - the report says what pyHanko could not do
        return {"waktu_validasi": moment.astimezone(tz).isoformat(), "hasil": "GAGAL DIJALANKAN",
                "sub_indikasi": type(exc).__name__}
    sub = result.ades_subindic
    return {"waktu_validasi": moment.astimezone(tz).isoformat(),
            "hasil": sub.status.name, "sub_indikasi": str(getattr(sub, "name", sub))}


def build(path: Path, roots: list[asn1_x509.Certificate], now: datetime,
          tz: ZoneInfo) -> dict[str, Any]:
    """The report for the signed PDF at *path* (see the module notes); a file pyHanko
    cannot read gets a report saying so (filing never stops for the report)."""
    try:
        return _build(path, roots, now, tz)
    except Exception as exc:  # noqa: BLE001 - recorded in the report, filing goes on
        return {"berkas": path.name, "sha256": sha256_file(path),
                "dibuat": now.astimezone(tz).isoformat(),
                "catatan": f"laporan tidak dapat dibuat: {type(exc).__name__}: "
                           f"{str(exc).splitlines()[0] if str(exc) else ''}"}


def _build(path: Path, roots: list[asn1_x509.Certificate], now: datetime,
           tz: ZoneInfo) -> dict[str, Any]:
    out: dict[str, Any] = {"berkas": path.name, "sha256": sha256_file(path),
                           "dibuat": now.astimezone(tz).isoformat()}
    reader = PdfFileReader(io.BytesIO(path.read_bytes()), strict=False)
    sigs = reader.embedded_regular_signatures
    if not sigs:
        out["catatan"] = "berkas tidak bertanda tangan elektronik: tidak ada yang divalidasi"
        return out
    sig = sigs[-1]
    dss = reader.root["/DSS"].get_object() if "/DSS" in reader.root else None
    dss_certs: list[asn1_x509.Certificate] = []
    for ref in (dss.get("/Certs", []) if dss is not None else []):
        try:
            dss_certs.append(asn1_x509.Certificate.load(ref.get_object().data))
        except ValueError:
            continue
    cms = list(sig.signed_data["certificates"] or [])
    pool = [c.chosen for c in cms if c.name == "certificate"] + dss_certs + list(roots)
    signer = sig.signer_cert
    out["penanda_tangan"] = _cert(signer, tz)
    out["rantai_sertifikat"] = [_cert(c, tz) for c in _chain(signer, pool)]
    out["data_validasi_tertanam"] = {
        "dss_ada": dss is not None,
        "sertifikat": len(dss.get("/Certs", [])) if dss is not None else 0,
        "crl": len(dss.get("/CRLs", [])) if dss is not None else 0,
        "ocsp": len(dss.get("/OCSPs", [])) if dss is not None else 0,
        "vri": len(dss.get("/VRI", {})) if dss is not None else 0,
    }
    stamps: list[tuple[str, datetime | None, asn1_x509.Certificate]] = []
    tsa = signature_tsa_cert(sig)
    if tsa is not None:
        stamps.append(("cap waktu tanda tangan", None, tsa))
    for ts in reader.embedded_timestamp_signatures:
        stamps.append(("cap waktu dokumen", None, ts.signer_cert))
    rows = []
    for kind, _, cert in stamps:
        chain = _chain(cert, pool + [s[2] for s in stamps])
        rows.append({"jenis": kind, "tsa": cert.subject.human_friendly,
                     "sertifikat_tsa_berlaku_sampai": _expiry(cert).astimezone(tz).isoformat(),
                     "rantai_berakhir_paling_awal":
                         min(_expiry(c) for c in chain).astimezone(tz).isoformat()})
    out["cap_waktu"] = rows
    last_chain = _chain(stamps[-1][2] if stamps else signer, pool)
    until = min(_expiry(c) for c in last_chain)
    out["dapat_divalidasi_luring_sampai"] = until.astimezone(tz).isoformat()
    out["dasar_tanggal"] = ("berakhirnya sertifikat paling awal dalam rantai cap waktu "
                            "terakhir" if stamps else "berakhirnya sertifikat penanda tangan "
                            "(tidak ada cap waktu)")
    if not roots:
        out["validasi_pyhanko"] = {"catatan": "tidak dijalankan: tte.trust_roots belum diisi"}
        return out
    after = until + timedelta(days=1)
    out["validasi_pyhanko"] = {
        "metode": "pyHanko ades_lta_validation, hanya data tertanam (tanpa jaringan)",
        "saat_ini": lta_at(sig, list(roots), now, tz),
        "setelah_batas_luring": lta_at(sig, list(roots), after, tz),
    }
    return out


def write(path: Path, report: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(report, ensure_ascii=False, indent=1) + "\n")
