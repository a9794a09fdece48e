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

Exit status: 0 when all is well, 1 when a document or certificate has problems (listed on
stdout), 2 for bad input (a missing or unreadable file, not JSON or XML, a wrong password:
one line naming the file on stderr), 3 for a bug. ``--debug`` adds the Python traceback.
"""

import argparse
import contextlib
import datetime
import json
import os
import sys
import traceback
from decimal import Decimal
from pathlib import Path

from lxml import etree

from . import certificate, codes, signing, ubl, validation, xml_checks
from .document import Document, DocumentError

# Bad input, not bugs: DocumentError, CertificateError, SigningError, json.JSONDecodeError
# and UnicodeDecodeError are ValueErrors; OSError for files; lxml's parse errors.
BAD_INPUT = (ValueError, OSError, etree.XMLSyntaxError)
BAD_INPUT_EXIT, BUG_EXIT = 2, 3


class InputError(Exception):
    """Bad input: the file it is about and what is wrong, printed as one line."""

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}")


def _reason(error, doing):
    if isinstance(error, OSError):
        return f"{doing}: {error.strerror or error}"
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON: {error.msg} at line {error.lineno} column {error.colno}"
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text: byte {error.object[error.start]:#04x} at position {error.start}"
    if isinstance(error, etree.XMLSyntaxError):
        return f"not well-formed XML: {error}"
    return str(error) or type(error).__name__


@contextlib.contextmanager
def about(path, doing="cannot read"):
    """Bad input raised inside becomes an InputError naming ``path``."""
    try:
        yield
    except InputError:
        raise
    except BAD_INPUT as error:
        raise InputError(path, _reason(error, doing)) from error


def _complain(error, debug):
    """One line on stderr (and, with --debug, the traceback of its cause)."""
    if debug:
        traceback.print_exception(error.__cause__ or error, file=sys.stderr)
    print(error, file=sys.stderr)
    return BAD_INPUT_EXIT


def _json_int(text):
    # int() refuses more than 4300 digits (Python 3.11): a longer integer is kept as a
    # Decimal, for the document's boundary to refuse with the name of its field.
    return int(text) if len(text) <= 4000 else Decimal(text)


def load_document(path):
    """Document from a JSON file; raises OSError, ValueError (DocumentError, JSON errors)."""
    text = Path(path).read_bytes().decode("utf-8")
    try:
        data = json.loads(text, parse_int=_json_int)
    except RecursionError:
        raise ValueError("not JSON we can read: nested too deeply") from None
    return Document.from_dict(data)


def cmd_build(args):
    with about(args.input):
        doc = load_document(args.input)
    if args.now:
        doc.issued_at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    issues = validation.validate(doc, for_submission=args.now)
    for issue in issues:
        print(f"{args.input}: {issue}")
    if issues:
        return 1
    data = ubl.to_xml(doc)
    with about(args.output, "cannot write"):
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


def _each_file(names, check, debug):
    """Run ``check(name, data)`` (True when the file passes) on every file; an unreadable
    file is bad input, reported on stderr, and the others are still checked."""
    failed = unreadable = 0
    for name in names:
        try:
            with about(name):
                data = Path(name).read_bytes()
                failed += not check(name, data)
        except InputError as error:
            unreadable += 1
            _complain(error, debug)
    return BAD_INPUT_EXIT if unreadable else 1 if failed else 0


def cmd_validate(args):
    def check(name, data):
        findings = document_findings(data)
        for finding in findings:
            print(f"{name}: {finding}")
        if not findings and not args.quiet:
            print(f"{name}: OK")
        return not findings

    return _each_file(args.files, check, args.debug)


def open_certificate(path, password_env, **company):
    """LoadedCertificate from a .p12 whose password is in an environment variable
    (never on the command line, where other users could read it)."""
    password = os.environ.get(password_env, "") if password_env else ""
    with about(path):
        return certificate.load_pkcs12(Path(path).read_bytes(), password, **company)


def cmd_sign(args):
    loaded = open_certificate(args.p12, args.password_env)
    with about(args.document):
        signed = signing.sign_xml(Path(args.document).read_bytes(), loaded, intermediary=args.intermediary)
    with about(args.output, "cannot write"):
        Path(args.output).write_bytes(signed)
    print(f"{args.output}: signed ({len(signed)} bytes)")
    return 0


def cmd_verify(args):
    def check(name, data):
        problems = signing.verify(data)
        for problem in problems:
            print(f"{name}: {problem.code} {problem.message}")
        if not problems and not args.quiet:
            print(f"{name}: OK")
        return not problems

    return _each_file(args.files, check, args.debug)


def cmd_diagnose(args):
    loaded = open_certificate(args.p12, args.password_env)
    signed = None
    if args.signed:
        with about(args.signed):
            signed = Path(args.signed).read_bytes()
    with about(args.signed or args.p12):
        problems = signing.diagnose(loaded, signed, company_tin=args.tin, company_brn=args.brn)
    for problem in problems:
        print(f"{'ERROR' if problem.blocking else 'warning'} {problem.code}: {problem.message}")
    if not problems:
        print("No problem LHDN's signature validator would report.")
    return 1 if any(problem.blocking for problem in problems) else 0


def cmd_certificate(args):
    loaded = open_certificate(args.p12, args.password_env, company_tin=args.tin, company_brn=args.brn)
    print(f"{args.p12}:")
    for line in loaded.info.summary():
        print(f"  {line}")
    return 1 if loaded.info.errors else 0


def cmd_codes(args):
    if args.table not in codes.TABLE_FILES:
        print(f"unknown table {args.table!r}; tables: {', '.join(codes.TABLE_FILES)}", file=sys.stderr)
        return BAD_INPUT_EXIT
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
    debug_help = "print the Python traceback of an error too (for a bug report)"
    parser.add_argument("--debug", action="store_true", help=debug_help)
    # Also after the command (build --debug ...); SUPPRESS keeps a --debug given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", parents=[common], help="build UBL 2.1 XML from the JSON form of a document")
    build.add_argument("input")
    build.add_argument("-o", "--output", required=True)
    build.add_argument(
        "--now",
        action="store_true",
        help="stamp the issue time with the current UTC time and apply the submission-time rules",
    )
    build.set_defaults(func=cmd_build)

    validate = sub.add_parser("validate", parents=[common], help="check XML documents against UBL 2.1 and LHDN's rules")
    validate.add_argument("files", nargs="+")
    validate.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    validate.set_defaults(func=cmd_validate)

    sign = sub.add_parser("sign", parents=[common], help="sign a UBL document (MyInvois v1.1)")
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

    verify = sub.add_parser("verify", parents=[common], help="verify signed documents (XML or JSON)")
    verify.add_argument("files", nargs="+")
    verify.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    verify.set_defaults(func=cmd_verify)

    diagnose = sub.add_parser("diagnose", parents=[common], help="DS3xx codes for a certificate and a signed document")
    diagnose.add_argument("--p12", required=True)
    diagnose.add_argument("--password-env")
    diagnose.add_argument("signed", nargs="?")
    diagnose.add_argument("--tin")
    diagnose.add_argument("--brn")
    diagnose.set_defaults(func=cmd_diagnose)

    cert = sub.add_parser("certificate", parents=[common], help="describe a PKCS#12 signing certificate")
    cert.add_argument("--p12", required=True)
    cert.add_argument("--password-env", help="name of the environment variable holding the password")
    cert.add_argument("--tin", help="company TIN to compare with the certificate")
    cert.add_argument("--brn", help="company BRN to compare with the certificate")
    cert.set_defaults(func=cmd_certificate)

    code = sub.add_parser("codes", parents=[common], help="look up an LHDN code table")
    code.add_argument("table")
    code.add_argument("code", nargs="?")
    code.set_defaults(func=cmd_codes)

    demo = sub.add_parser("demo", parents=[common], help="run the demonstration")
    demo.add_argument("--out", default="out")
    demo.set_defaults(func=cmd_demo)
    sub.add_parser(
        "emulator", parents=[common], help="run the MyInvois emulator on loopback (its own options: emulator --help)"
    )

    argv = sys.argv[1:] if argv is None else list(argv)
    rest = argv[1:] if argv[:1] == ["--debug"] else argv
    if rest[:1] == ["emulator"]:  # the emulator parses its own options
        from .emulator import main as emulator_main

        return emulator_main(rest[1:])
    args = parser.parse_args(argv)
    # The one place where errors end: bad input in one line, a bug with its traceback
    # only on --debug (a traceback tells a user nothing, but a bug report needs it).
    try:
        return args.func(args)
    except InputError as error:
        return _complain(error, args.debug)
    except BAD_INPUT as error:  # not tied to a file by its command
        if isinstance(error, OSError) and error.filename:
            return _complain(InputError(error.filename, error.strerror or error), args.debug)
        return _complain(InputError(args.command, _reason(error, "error")), args.debug)
    except Exception as error:
        if args.debug:
            raise
        print(
            f"internal error: {type(error).__name__}: {error} (run again with --debug for the traceback)",
            file=sys.stderr,
        )
        return BUG_EXIT


if __name__ == "__main__":
    sys.exit(main())
