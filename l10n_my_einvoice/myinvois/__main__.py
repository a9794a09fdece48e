"""Command line for the MyInvois core: ``python -m l10n_my_einvoice.myinvois``.

build INPUT.json -o DOC.xml [--now]  JSON form (docs/document-json.md) -> UBL 2.1 XML, after validation
validate FILE...                     UBL 2.1 schema, LHDN code tables and document rules; exit 0 only if all pass
sign DOC.xml --p12 FILE --password-env VAR -o SIGNED.xml [--intermediary]
                                     v1.1 signature (refused when the certificate's TIN is not the issuer's)
verify FILE...                       signed XML or JSON; exit 0 only when every file verifies
diagnose --p12 FILE --password-env VAR [SIGNED] [--tin TIN --brn BRN]
                                     the DS3xx codes LHDN would give the certificate (and a signed document)
certificate --p12 FILE --password-env VAR [--tin TIN --brn BRN]
                                     what LHDN will see in a signing certificate
codes TABLE [CODE]                   look up an LHDN code table
demo [--out DIR]                     the end-to-end demonstration against the emulator (no Odoo needed)
emulator [--port PORT] ...           run the MyInvois emulator on loopback (prints URL and credentials)
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

from . import certificate, codes, signing, ubl, validation, xml_checks
from .document import Document, DocumentError


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
    print(
        f"{args.output}: {doc.type_code} {doc.number}, {len(doc.lines)} line(s), payable {doc.currency} "
        f"{doc.payable_amount}"
    )
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


def open_certificate(path, password_env, **company):
    """LoadedCertificate from a .p12 whose password is in an environment variable
    (never on the command line, where other users could read it)."""
    password = os.environ.get(password_env, "") if password_env else ""
    return certificate.load_pkcs12(Path(path).read_bytes(), password, **company)


def cmd_sign(args):
    try:
        loaded = open_certificate(args.p12, args.password_env)
        signed = signing.sign_xml(Path(args.document).read_bytes(), loaded, intermediary=args.intermediary)
    except OSError as error:
        print(f"{error.filename}: cannot read: {error.strerror}")
        return 1
    except (certificate.CertificateError, signing.SigningError) as error:
        print(f"{args.document}: {error}")
        return 1
    Path(args.output).write_bytes(signed)
    print(f"{args.output}: signed ({len(signed)} bytes)")
    return 0


def cmd_verify(args):
    failed = 0
    for name in args.files:
        try:
            problems = signing.verify(Path(name).read_bytes())
        except OSError as error:
            problems = [certificate.Problem("DS300", f"cannot read: {error.strerror}")]
        for problem in problems:
            print(f"{name}: {problem.code} {problem.message}")
        if problems:
            failed += 1
        elif not args.quiet:
            print(f"{name}: OK")
    return 1 if failed else 0


def cmd_diagnose(args):
    try:
        loaded = open_certificate(args.p12, args.password_env)
        signed = Path(args.signed).read_bytes() if args.signed else None
    except OSError as error:
        print(f"{error.filename}: cannot read: {error.strerror}")
        return 1
    except certificate.CertificateError as error:
        print(f"{args.p12}: {error}")
        return 1
    problems = signing.diagnose(loaded, signed, company_tin=args.tin, company_brn=args.brn)
    for problem in problems:
        print(f"{'ERROR' if problem.blocking else 'warning'} {problem.code}: {problem.message}")
    if not problems:
        print("No problem LHDN's signature validator would report.")
    return 1 if any(problem.blocking for problem in problems) else 0


def cmd_certificate(args):
    try:
        loaded = open_certificate(args.p12, args.password_env, company_tin=args.tin, company_brn=args.brn)
    except (OSError, certificate.CertificateError) as error:
        print(f"{args.p12}: {error}")
        return 1
    print(f"{args.p12}:")
    for line in loaded.info.summary():
        print(f"  {line}")
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
    from . import demo  # starts the emulator: imported only for this command

    return demo.run(args.out)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m l10n_my_einvoice.myinvois",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build UBL 2.1 XML from the JSON form of a document")
    build.add_argument("input")
    build.add_argument("-o", "--output", required=True)
    build.add_argument(
        "--now",
        action="store_true",
        help="stamp the issue time with the current UTC time and apply the submission-time rules",
    )
    build.set_defaults(func=cmd_build)

    validate = sub.add_parser("validate", help="check XML documents against UBL 2.1 and LHDN's rules")
    validate.add_argument("files", nargs="+")
    validate.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    validate.set_defaults(func=cmd_validate)

    sign = sub.add_parser("sign", help="sign a UBL document (MyInvois v1.1)")
    sign.add_argument("document")
    sign.add_argument("--p12", required=True)
    sign.add_argument("--password-env", help="name of the environment variable holding the password")
    sign.add_argument("-o", "--output", required=True)
    sign.add_argument(
        "--intermediary",
        action="store_true",
        help="the certificate belongs to an intermediary submitting for the issuer",
    )
    sign.set_defaults(func=cmd_sign)

    verify = sub.add_parser("verify", help="verify signed documents (XML or JSON)")
    verify.add_argument("files", nargs="+")
    verify.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    verify.set_defaults(func=cmd_verify)

    diagnose = sub.add_parser("diagnose", help="DS3xx codes for a certificate and a signed document")
    diagnose.add_argument("--p12", required=True)
    diagnose.add_argument("--password-env")
    diagnose.add_argument("signed", nargs="?")
    diagnose.add_argument("--tin")
    diagnose.add_argument("--brn")
    diagnose.set_defaults(func=cmd_diagnose)

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
    sub.add_parser("emulator", help="run the MyInvois emulator on loopback (its own options: emulator --help)")

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["emulator"]:  # the emulator parses its own options
        from .emulator import main as emulator_main

        return emulator_main(argv[1:])
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
