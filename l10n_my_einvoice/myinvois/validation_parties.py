"""Validation of the parties: supplier, buyer, shipping recipient (reference §5.4-§5.6, §6.6, §8).

Called by ``validation.validate`` with its checker; each rule names the field path
(``buyer.address.state``) and says what is wrong in English and Malay.
"""

import re

from . import codes
from .document import SELF_BILLED_TYPES
from .validation_malay import role_ms

# Whole strings (\Z: "$" also matches before a final newline), ASCII digits ("\d" is any script's).
EMAIL_PATTERN = re.compile(r"\A[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+\Z")
MY_POSTCODE = re.compile(r"\A[0-9]{5}\Z")


def _general_tin_misuse(doc, tin, is_supplier):
    """Why a general TIN cannot stand where it is, or None (reference §6.6)."""
    self_billed = doc.type_code in SELF_BILLED_TYPES
    issuer = (not is_supplier) if self_billed else is_supplier
    if tin in codes.GENERAL_TINS and issuer:
        return "the issuer of the document needs its own TIN, not a general one"
    if tin == codes.FOREIGN_BUYER_TIN and is_supplier:
        return "EI00000000020 is for foreign buyers; a foreign supplier on a self-billed document uses EI00000000030"
    if tin == codes.FOREIGN_SUPPLIER_TIN and not (is_supplier and self_billed):
        return "EI00000000030 is only for the foreign supplier of a self-billed document"
    if tin == codes.GOVERNMENT_TIN and is_supplier:
        return "EI00000000040 is only for government buyers"
    return None


def check_party(check, path, party, doc, *, is_supplier):
    role = "supplier" if is_supplier else "buyer"
    general = party.tin in codes.GENERAL_TINS
    if check.required(f"{path}.name", party.name, f"The {role}'s name"):
        check.length(f"{path}.name", party.name, f"The {role}'s name", 300)
    if check.required(f"{path}.tin", party.tin, f"The {role}'s TIN"):
        if not codes.is_tin(party.tin):
            check.add(
                f"{path}.tin",
                "tin",
                f"The {role}'s TIN {party.tin!r} is not a TIN LHDN accepts "
                "(e.g. C1234567890, IG12345678901, or a general TIN EI000000000x0).",
                f"TIN {party.tin!r} bagi {role_ms(role)} tidak diterima LHDN.",
            )
        else:
            misuse = _general_tin_misuse(doc, party.tin, is_supplier)
            if misuse:
                check.add(
                    f"{path}.tin",
                    "general_tin",
                    f"The {role}'s TIN {party.tin}: {misuse}.",
                    f"TIN {party.tin} bagi {role_ms(role)} tidak boleh digunakan di sini.",
                )
    if check.required(f"{path}.id_type", party.id_type, f"The {role}'s ID type (BRN, NRIC, PASSPORT or ARMY)"):
        if party.id_type not in codes.ID_TYPES:
            check.add(
                f"{path}.id_type",
                "code",
                f"{party.id_type!r} is not an ID type LHDN knows (BRN, NRIC, PASSPORT, ARMY).",
                f"{party.id_type!r} bukan jenis ID yang dikenali LHDN.",
            )
    if (
        check.required(f"{path}.id_number", party.id_number, f"The {role}'s {party.id_type or 'ID'} number")
        and party.id_type in codes.ID_TYPES
        and not codes.is_id_number(party.id_type, party.id_number)
    ):
        limit = 20 if party.id_type == "BRN" else 12
        check.add(
            f"{path}.id_number",
            "format",
            f"The {role}'s {party.id_type} number {party.id_number!r} is not "
            f"valid (letters, digits and '-', at most {limit}, or NA).",
            f"Nombor {party.id_type} {party.id_number!r} bagi {role_ms(role)} tidak sah.",
        )
    check.pattern(
        f"{path}.sst",
        party.sst,
        codes.SST_PATTERN,
        f"The {role}'s SST number",
        "at most two numbers separated by ';', or NA",
        "maksimum dua nombor dipisahkan ';', atau NA",
    )
    check.pattern(
        f"{path}.ttx",
        party.ttx,
        codes.TTX_PATTERN,
        f"The {role}'s tourism tax number",
        "letters, digits and '-', at most 17, or NA",
        "huruf, digit dan '-', maksimum 17, atau NA",
    )
    phone_na_allowed = general and (doc.consolidated or party.tin == codes.GENERAL_PUBLIC_TIN)
    if check.required(f"{path}.phone", party.phone, f"The {role}'s phone number") and not (
        party.phone == "NA" and phone_na_allowed
    ):
        if not (codes.PHONE_PATTERN.fullmatch(party.phone) and 8 <= len(party.phone) <= 20):
            check.add(
                f"{path}.phone",
                "format",
                f"The {role}'s phone {party.phone!r} is not valid: digits with an "
                "optional leading +, 8 to 20 characters, e.g. +60123456789.",
                f"Telefon {party.phone!r} bagi {role_ms(role)} tidak sah: digit dengan + pilihan di hadapan.",
            )
    if party.email and party.email != "NA":
        check.length(f"{path}.email", party.email, f"The {role}'s e-mail", 320)
        check.pattern(
            f"{path}.email",
            party.email,
            EMAIL_PATTERN,
            f"The {role}'s e-mail",
            "one address, no spaces",
            "satu alamat, tanpa ruang",
        )
    _address(check, f"{path}.address", party.address, role, allow_17=general or doc.consolidated)
    if is_supplier:
        if check.required(f"{path}.msic", party.msic, "The supplier's MSIC code"):
            check.code(f"{path}.msic", party.msic, "msic", "MSIC")
        if check.required(f"{path}.activity", party.activity, "The supplier's business activity description"):
            check.length(f"{path}.activity", party.activity, "The supplier's business activity", 300)
        check.length(f"{path}.certex", party.certex, "The certified exporter number", 300)


def _address(check, path, address, role, *, allow_17):
    if address is None:
        check.add(path, "required", f"The {role}'s address is required.", f"Alamat {role_ms(role)} wajib diisi.")
        return
    if check.required(f"{path}.lines", address.lines, f"The {role}'s address line"):
        if len(address.lines) > 3:
            check.add(
                f"{path}.lines",
                "too_many",
                "LHDN takes at most 3 address lines.",
                "LHDN menerima maksimum 3 baris alamat.",
            )
        for index, line in enumerate(address.lines):
            check.length(f"{path}.lines[{index}]", line, "An address line", 150)
    if check.required(f"{path}.city", address.city, f"The {role}'s city"):
        check.length(f"{path}.city", address.city, "The city", 50)
    if check.required(f"{path}.country", address.country, f"The {role}'s country"):
        check.code(f"{path}.country", address.country, "countries", "country")
    if address.country and not codes.is_valid("countries", address.country):
        return  # the state can only be judged against a known country
    malaysian = address.country == codes.MALAYSIA
    if malaysian and address.postal_zone and address.postal_zone != "NA":
        check.pattern(
            f"{path}.postal_zone", address.postal_zone, MY_POSTCODE, "The Malaysian postcode", "5 digits", "5 digit"
        )
    else:
        check.length(f"{path}.postal_zone", address.postal_zone, "The postcode", 50)
    if not check.required(f"{path}.state", address.state, f"The {role}'s state"):
        return
    if malaysian:
        if not codes.is_valid("states", address.state):
            check.add(
                f"{path}.state",
                "code",
                f"{address.state!r} is not a Malaysian state code (01 Johor ... 16 Putrajaya).",
                f"{address.state!r} bukan kod negeri Malaysia.",
            )
        elif address.state == codes.NOT_APPLICABLE_STATE and not allow_17:
            check.add(
                f"{path}.state",
                "state_17",
                "State 17 (not applicable) is only for consolidated or foreign parties; give the Malaysian state.",
                "Negeri 17 hanya untuk pihak disatukan atau asing; nyatakan negeri Malaysia.",
            )
    elif address.state in codes.table("states") and address.state != codes.NOT_APPLICABLE_STATE:
        check.add(
            f"{path}.state",
            "state_abroad",
            f"State code {address.state} is Malaysian but the country is "
            f"{address.country}; use 17 or the foreign state's name.",
            f"Kod negeri {address.state} adalah Malaysia tetapi negaranya {address.country}.",
        )
    else:
        check.length(f"{path}.state", address.state, "The state", 50)


def check_delivery(check, doc):
    delivery = doc.delivery
    check.length("delivery.name", delivery.name, "The shipping recipient's name", 300)
    if delivery.tin and not codes.is_tin(delivery.tin):
        check.add(
            "delivery.tin",
            "tin",
            f"The shipping recipient's TIN {delivery.tin!r} is not a TIN LHDN accepts.",
            f"TIN penerima penghantaran {delivery.tin!r} tidak diterima LHDN.",
        )
    if delivery.id_number and not (
        delivery.id_type in codes.ID_TYPES and codes.is_id_number(delivery.id_type, delivery.id_number)
    ):
        check.add(
            "delivery.id_number",
            "format",
            f"The shipping recipient's {delivery.id_type or 'ID'} number {delivery.id_number!r} is not valid "
            "(an ID type BRN, NRIC, PASSPORT or ARMY, and letters, digits and '-').",
            f"Nombor {delivery.id_type or 'ID'} penerima penghantaran {delivery.id_number!r} tidak sah.",
        )
    if delivery.address is not None:
        _address(check, "delivery.address", delivery.address, "shipping recipient", allow_17=True)
    for index, charge in enumerate(delivery.other_charges):
        path = f"delivery.other_charges[{index}].amount"
        # The writer puts the amount itself in FreightAllowanceCharge: no rate here.
        if check.required(path, charge.amount, "The shipping charge's amount"):
            check.not_negative(path, charge.amount, "A shipping charge")


def check_consolidated(check, doc):
    """A consolidated e-invoice is issued to the general public (reference §8.2); on a
    consolidated self-billed document the general public is the supplier (§8.3)."""
    if not doc.consolidated:
        return
    role, path, party = (
        ("supplier", "supplier.tin", doc.supplier) if doc.is_self_billed else ("buyer", "buyer.tin", doc.buyer)
    )
    if party.tin != codes.GENERAL_PUBLIC_TIN:
        check.add(
            path,
            "consolidated",
            f"A consolidated e-invoice has the general public as {role}: TIN {codes.GENERAL_PUBLIC_TIN}, "
            f"not {party.tin!r}.",
            f"E-invois disatukan mempunyai orang awam sebagai {role_ms(role)}: TIN {codes.GENERAL_PUBLIC_TIN}, "
            f"bukan {party.tin!r}.",
        )
