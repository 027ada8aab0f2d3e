"""A signed document proves itself: a PAdES signature in the PDF, tied to the agency's key.

Two certificates, both kept beside the agency's private key (0644, public material):

- the agency certificate (`agency-signing-cert.pem`): self-issued over the agency's Ed25519
  key, subject = the agency's name; its key's SHA-256 is the fingerprint printed in the key
  letter (公钥登记函) and shown by `riskdesk key public`;
- the document certificate (`agency-document-cert.pem`): an ECDSA P-256 key, issued (signed)
  by the agency's Ed25519 key, subject = the agency's name as well.

The PDF signature itself is made with the P-256 key because the PDF readers in use cannot yet
check Ed25519 inside a PDF signature (poppler with NSS 3.87 reports "Document isn't signed or
corrupted data" for a correct Ed25519 PAdES signature that pyHanko validates). The P-256 key is
derived from the agency's private key (HKDF-SHA256), so it is never a second secret on disk: a
restored or rotated agency key gives its own document key and certificates again. Both
certificates travel inside every signature, so a single e-mailed PDF links to the key letter.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID

from desktop import clock
from desktop.fileutil import atomic_write_bytes
from desktop.services import signing
from desktop.services.context import ServiceError, msg

log = logging.getLogger("desktop.pdf_signing")

AGENCY_CERT = "agency-signing-cert.pem"
DOCUMENT_CERT = "agency-document-cert.pem"
FIELD = "RiskDeskSignature"
_VALID_YEARS = 10
_RENEW_BEFORE = dt.timedelta(days=60)
_HKDF_INFO = b"RiskDesk PDF document signing key v1"


@dataclass(frozen=True)
class Credentials:
    agency_cert: x509.Certificate
    document_cert: x509.Certificate
    document_key: ec.EllipticCurvePrivateKey


def document_key(agency_key: Ed25519PrivateKey) -> ec.EllipticCurvePrivateKey:
    """The P-256 key that signs PDFs, derived from the agency's Ed25519 private key."""
    raw = agency_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                   serialization.NoEncryption())
    okm = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=_HKDF_INFO).derive(raw)
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return ec.derive_private_key(int.from_bytes(okm, "big") % (order - 1) + 1, ec.SECP256R1())


def _name(agency_name: str) -> x509.Name:
    """The certificate's subject: the common name (what PDF readers show as the signer) within
    X.509's 64 bytes, the organisation name whole."""
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name(agency_name)),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency_name)])


def common_name(agency_name: str) -> str:
    """The agency's name as a certificate's common name holds it: 64 bytes of UTF-8 (21 Chinese
    characters). A longer name is cut where it stays readable — before an unclosed （ — and
    marked … as shortened, never left as an unbalanced "…（演示数据"."""
    if len(agency_name.encode("utf-8")) <= 64:
        return agency_name
    cut = agency_name
    while len(f"{cut}…".encode()) > 64:
        cut = cut[:-1]
    for opening, closing in (("（", "）"), ("(", ")"), ("〔", "〕"), ("【", "】")):
        if cut.count(opening) > cut.count(closing):
            cut = cut[:cut.rindex(opening)]
    return f"{cut.rstrip()}…"


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=True,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=ca, crl_sign=False, encipher_only=False,
                         decipher_only=False)


def _issue(subject: x509.Name, public_key: CertificatePublicKeyTypes, issuer_key: Ed25519PrivateKey, *,
           ca: bool, start: dt.datetime) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(start - dt.timedelta(days=1))
               .not_valid_after(start + dt.timedelta(days=365 * _VALID_YEARS))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None),
                              critical=True)
               .add_extension(_usage(ca=ca), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key),
                              critical=False))
    if not ca:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer_key.public_key()), critical=False)
    return builder.sign(issuer_key, None)


def _current(path: Path, public_key: CertificatePublicKeyTypes, agency_name: str) -> x509.Certificate | None:
    """The stored certificate when it still names this agency and key and is not expiring."""
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return None
    same_key = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == \
        public_key.public_bytes(serialization.Encoding.DER,
                                serialization.PublicFormat.SubjectPublicKeyInfo)
    fresh = cert.not_valid_after_utc > clock.system_time() + _RENEW_BEFORE
    return cert if same_key and fresh and cert.subject == _name(agency_name) else None


def _write_public(path: Path, cert: x509.Certificate) -> None:
    atomic_write_bytes(path, cert.public_bytes(serialization.Encoding.PEM))


def credentials(data_dir: Path | str, agency_name: str, *, expected_public: str | None) -> Credentials:
    """The key and both certificates, made (or renewed) and stored when missing or outdated.

    `expected_public` is the public key registered in the agency profile: a key file that does
    not match it is refused, as for packages.
    """
    folder = Path(data_dir)
    agency_key = signing.registered_key(folder, expected_public, msg("文书无法签名"))
    start = clock.system_time().replace(microsecond=0)
    try:
        agency_cert = _current(folder / AGENCY_CERT, agency_key.public_key(), agency_name)
        if agency_cert is None:
            agency_cert = _issue(_name(agency_name), agency_key.public_key(), agency_key, ca=True,
                                 start=start)
            _write_public(folder / AGENCY_CERT, agency_cert)
        doc_key = document_key(agency_key)
        doc_cert = _current(folder / DOCUMENT_CERT, doc_key.public_key(), agency_name)
        if doc_cert is None or doc_cert.issuer != agency_cert.subject:
            doc_cert = _issue(_name(agency_name), doc_key.public_key(), agency_key, ca=False,
                              start=start)
            _write_public(folder / DOCUMENT_CERT, doc_cert)
    except OSError as exc:
        raise ServiceError(msg("无法写入文书签名证书：{reason}",
                               reason=exc.strerror or str(exc))) from exc
    return Credentials(agency_cert, doc_cert, doc_key)


def certificate_fingerprint_key(cert: x509.Certificate) -> str:
    """The fingerprint of the certificate's Ed25519 key, as the key letter prints it."""
    raw = cert.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)
    return signing.fingerprint(raw.hex())


def sign_pdf(path: Path | str, creds: Credentials, *, reason: str, location: str = "") -> None:
    """Replace the PDF at `path` by itself plus a PAdES baseline signature (an incremental
    update: the signed bytes are the document as built)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    def der(cert: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    key = asn1_keys.PrivateKeyInfo.load(creds.document_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    signer = signers.SimpleSigner(
        signing_cert=der(creds.document_cert), signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]  # unannotated in pyhanko_certvalidator
            [der(creds.agency_cert)]))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        reason=reason, location=location or None)
    target = Path(path)
    source = target.read_bytes()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(source))
        signed = signers.sign_pdf(writer, meta, signer=signer).getvalue()
    except Exception as exc:  # pyHanko raises its own many kinds; the user needs one message
        log.exception("PDF signature failed for %s", target)
        raise ServiceError(msg("文书电子签名失败：{reason}", reason=str(exc))) from exc
    atomic_write_bytes(target, signed)
