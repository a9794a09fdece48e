"""The Malay of the validator's field labels, so that its Malay messages are Malay
throughout ("Nama pembeli wajib diisi.", not "The buyer's name wajib diisi.").

The validator names a field once, in English ("The buyer's name", "unit of measure");
``label_ms`` gives the Malay it uses in ``Issue.message_ms``: an exact label, or
"The <role>'s <thing>" as "<thing> <role>", the Malay order. A label it does not know
comes back as it is (a test runs the validator on broken documents and finds none).
"""

import re

ROLES_MS = {
    "supplier": "pembekal",
    "buyer": "pembeli",
    "shipping recipient": "penerima penghantaran",
    "shipping charge": "caj penghantaran",
    "line": "baris",
    "original": "dokumen asal",
}
# "The <role>'s <thing>": the thing, in Malay, before its role.
THINGS_MS = {
    "name": "Nama",
    "TIN": "TIN",
    "ID type (BRN, NRIC, PASSPORT or ARMY)": "Jenis ID (BRN, NRIC, PASSPORT atau ARMY)",
    "ID number": "Nombor ID",
    "BRN number": "Nombor BRN",
    "NRIC number": "Nombor NRIC",
    "PASSPORT number": "Nombor pasport",
    "ARMY number": "Nombor tentera",
    "SST number": "Nombor SST",
    "tourism tax number": "Nombor cukai pelancongan",
    "phone number": "Nombor telefon",
    "e-mail": "E-mel",
    "address line": "Baris alamat",
    "city": "Bandar",
    "country": "Negara",
    "state": "Negeri",
    "MSIC code": "Kod MSIC",
    "business activity description": "Keterangan aktiviti perniagaan",
    "business activity": "Aktiviti perniagaan",
    "LHDN classification": "Klasifikasi LHDN",
    "tax type (06 when no tax applies)": "Jenis cukai (06 jika tiada cukai)",
    "LHDN UUID": "UUID LHDN",
    "number": "Nombor",
    "amount": "Amaun",
}
LABELS_MS = {
    "The e-invoice number": "Nombor e-Invois",
    "The issue date and time": "Tarikh dan masa dikeluarkan",
    "The currency": "Mata wang",
    "The billing frequency": "Kekerapan pengebilan",
    "The bank account": "Akaun bank",
    "The payment terms": "Terma pembayaran",
    "The bill reference": "Rujukan bil",
    "The prepayment": "Prabayaran",
    "The prepayment reference": "Rujukan prabayaran",
    "The FTA information": "Maklumat FTA",
    "The line description": "Keterangan baris",
    "The quantity": "Kuantiti",
    "The unit price": "Harga seunit",
    "The reason": "Sebab",
    "The tax exemption reason": "Sebab pengecualian cukai",
    "The exemption reason": "Sebab pengecualian",
    "A document discount or charge": "Diskaun atau caj dokumen",
    "The certified exporter number": "Nombor pengeksport bertauliah",
    "An address line": "Baris alamat",
    "The city": "Bandar",
    "The postcode": "Poskod",
    "The state": "Negeri",
    "A shipping charge": "Caj penghantaran",
    "The customs form 1/9 numbers": "Nombor Borang Kastam 1/9",
    "The customs form 2 numbers": "Nombor Borang Kastam 2",
    "The Malaysian postcode": "Poskod Malaysia",
    "The tariff code": "Kod tarif",
    "The incoterms": "Incoterms",
    # The code tables, as check.code names them ("'PCS' bukan kod unit ukuran ...").
    "e-invoice type": "jenis e-Invois",
    "currency": "mata wang",
    "payment mode": "cara pembayaran",
    "unit of measure": "unit ukuran",
    "classification": "klasifikasi",
    "country": "negara",
    "tax type": "jenis cukai",
}
_ROLE_THING = re.compile(r"\AThe (?P<role>[a-z ]+)'s (?P<thing>.+)\Z")


def role_ms(role):
    """A party's role (supplier, buyer, shipping recipient) in Malay."""
    return ROLES_MS.get(role, role)


def label_ms(label):
    """The Malay of a validator label; the label itself when it has none here."""
    if label in LABELS_MS:
        return LABELS_MS[label]
    match = _ROLE_THING.match(label)
    if match and match["role"] in ROLES_MS and match["thing"] in THINGS_MS:
        return f"{THINGS_MS[match['thing']]} {ROLES_MS[match['role']]}"
    return label
