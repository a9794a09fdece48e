"""Everything LHDN would object to in a certificate and a signed document (DS3xx)."""

from . import certificate
from .certificate import Problem
from .signature_read import _read
from .signature_verify import _UNREADABLE, _load_embedded, _parse_problem, _verify_found


def diagnose(loaded_certificate=None, signed=None, company_tin=None, company_brn=None):
    """Everything LHDN would object to, as DS codes: the certificate's problems
    (certificate.py), then the signed document's (verify), plus DS311 when the
    document's issuer TIN is not the signing certificate's TIN."""
    problems = []
    if loaded_certificate is not None:
        info = certificate.describe(
            loaded_certificate.certificate,
            private_key=loaded_certificate.private_key,
            company_tin=company_tin,
            company_brn=company_brn,
        )
        problems += list(info.problems)
    if signed is None:
        return problems
    try:
        found = _read(signed)
    except _UNREADABLE as error:
        return problems + [_parse_problem(error)]
    problems += _verify_found(found)
    cert = _load_embedded(found.values.get("certificate") or "") if found.count == 1 else None
    cert = cert or (loaded_certificate.certificate if loaded_certificate is not None else None)
    if cert is not None:
        tin = certificate.describe(cert).tin
        if found.issuer_tin and tin and found.issuer_tin.upper() != tin.upper():
            problems.append(
                Problem(
                    "DS311",
                    f"The document's issuer TIN {found.issuer_tin} differs from the "
                    f"signing certificate's TIN {tin}. This is only right when the "
                    "certificate belongs to an intermediary submitting on the "
                    "issuer's behalf.",
                    blocking=False,
                )
            )
    return problems
