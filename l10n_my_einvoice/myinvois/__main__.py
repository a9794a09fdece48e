"""Command line for the MyInvois core: ``python -m l10n_my_einvoice.myinvois``.

    build INPUT.json -o DOC.xml [--now]  JSON form (docs/document-json.md) -> UBL 2.1 XML, after validation
    validate FILE...                     UBL 2.1 schema, LHDN code tables and document rules; exit 0 only if all pass
    certificate --p12 FILE --password-env VAR [--tin TIN --brn BRN]
                                         what LHDN will see in a signing certificate
    codes TABLE [CODE]                   look up an LHDN code table
    demo [--out DIR]                     the end-to-end demonstration (no Odoo needed)
"""
import argparse
import datetime
import json
import os
import sys
from pathlib import Path

from . import certificate, codes, ubl, validation, xml_checks
from .document import Document, DocumentError

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples" / "lhdn"


def load_document(path):
    """Document from a JSON file; DocumentError/OSError/ValueError carry the reason."""
    with open(path, encoding="utf-8") as handle:
        return Document.from_dict(json.load(handle))


def cmd_build(args):
    try:
        doc = load_document(args.input)
    except (OSError, ValueError) as error:  # DocumentError and JSON errors are ValueErrors
        print(f"{args.input}: {getattr(error, 'strerror', None) or error}")
        return 1
    if args.now:
        doc.issued_at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    issues = validation.validate(doc, for_submission=args.now)
    for issue in issues:
        print(f"{args.input}: {issue}")
    if issues:
        return 1
    data = ubl.to_xml(doc)
    Path(args.output).write_bytes(data)
    print(f"{args.output}: {doc.type_code} {doc.number}, {len(doc.lines)} line(s), payable {doc.currency} "
          f"{doc.payable_amount}")
    return 0


def document_findings(data):
    """Schema and code findings, then (when the structure is sound) LHDN's document rules."""
    findings = [str(finding) for finding in xml_checks.validate_xml(data)]
    if findings:
        return findings
    try:
        doc = ubl.from_xml(data)
    except DocumentError as error:
        return [str(error)]
    return [str(issue) for issue in validation.validate(doc, for_submission=False)]


def cmd_validate(args):
    failed = 0
    for name in args.files:
        try:
            data = Path(name).read_bytes()
        except OSError as error:
            print(f"{name}: cannot read: {error.strerror}")
            failed += 1
            continue
        findings = document_findings(data)
        for finding in findings:
            print(f"{name}: {finding}")
        if findings:
            failed += 1
        elif not args.quiet:
            print(f"{name}: OK")
    return 1 if failed else 0


def print_certificate(info, out=sys.stdout):
    print(f"  subject     {info.subject}", file=out)
    print(f"  issuer      {info.issuer}", file=out)
    print(f"  serial      {info.serial}", file=out)
    print(f"  valid       {info.not_before:%Y-%m-%d} .. {info.not_after:%Y-%m-%d} (UTC)", file=out)
    print(f"  TIN / BRN   {info.tin or '-'} / {info.brn or '-'}", file=out)
    for problem in info.problems:
        kind = "ERROR" if problem.blocking else "warning"
        print(f"  {kind} {problem.code}: {problem.message}", file=out)


def cmd_certificate(args):
    password = os.environ.get(args.password_env, "") if args.password_env else ""
    try:
        loaded = certificate.load_pkcs12(Path(args.p12).read_bytes(), password,
                                         company_tin=args.tin, company_brn=args.brn)
    except (OSError, certificate.CertificateError) as error:
        print(f"{args.p12}: {error}")
        return 1
    print(f"{args.p12}:")
    print_certificate(loaded.info)
    return 1 if loaded.info.errors else 0


def cmd_codes(args):
    if args.table not in codes.TABLE_FILES:
        print(f"unknown table {args.table!r}; tables: {', '.join(codes.TABLE_FILES)}")
        return 2
    entries = codes.table(args.table)
    if args.code:
        description = entries.get(args.code)
        print(f"{args.code}: {description}" if description else f"{args.code}: not in {args.table}")
        return 0 if description else 1
    for code, description in entries.items():
        print(f"{code}\t{description}")
    return 0


def cmd_demo(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print("1. A signing certificate shaped like an LHDN organisation certificate")
    password = "demo-password"
    p12 = certificate.make_test_certificate(tin="C1234567890", brn="202001012345",
                                            organization="Contoh Teknologi Sdn. Bhd.", password=password.encode())
    (out / "demo-certificate.p12").write_bytes(p12)
    loaded = certificate.load_pkcs12(p12, password, company_tin="C1234567890", company_brn="202001012345")
    print(f"   written to {out / 'demo-certificate.p12'} (password {password!r}, self-signed: "
          "for the emulator only)")
    print_certificate(loaded.info)
    try:
        certificate.load_pkcs12(p12, "wrong password")
    except certificate.CertificateError as error:
        print(f"   with a wrong password: {error}")

    print(f"\n2. LHDN's published v1.1 samples, checked against UBL 2.1 and LHDN's code tables")
    samples = sorted(SAMPLES_DIR.glob("*.xml"))
    with_findings = 0
    for sample in samples:
        findings = xml_checks.validate_xml(sample.read_bytes())
        with_findings += bool(findings)
        print(f"   {'OK  ' if not findings else 'FAIL'} {sample.name}")
        for finding in findings:
            print(f"        {finding}")
    print(f"\n{len(samples) - with_findings} of {len(samples)} samples pass; the findings above are errors "
          "in LHDN's own published samples, which the validator is expected to catch.")
    return 0 if samples else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m l10n_my_einvoice.myinvois", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build UBL 2.1 XML from the JSON form of a document")
    build.add_argument("input")
    build.add_argument("-o", "--output", required=True)
    build.add_argument("--now", action="store_true", help="stamp the issue time with the current UTC time "
                                                          "and apply the submission-time rules")
    build.set_defaults(func=cmd_build)

    validate = sub.add_parser("validate", help="check XML documents against UBL 2.1 and LHDN's rules")
    validate.add_argument("files", nargs="+")
    validate.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    validate.set_defaults(func=cmd_validate)

    cert = sub.add_parser("certificate", help="describe a PKCS#12 signing certificate")
    cert.add_argument("--p12", required=True)
    cert.add_argument("--password-env", help="name of the environment variable holding the password")
    cert.add_argument("--tin", help="company TIN to compare with the certificate")
    cert.add_argument("--brn", help="company BRN to compare with the certificate")
    cert.set_defaults(func=cmd_certificate)

    code = sub.add_parser("codes", help="look up an LHDN code table")
    code.add_argument("table")
    code.add_argument("code", nargs="?")
    code.set_defaults(func=cmd_codes)

    demo = sub.add_parser("demo", help="run the demonstration")
    demo.add_argument("--out", default="out")
    demo.set_defaults(func=cmd_demo)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
