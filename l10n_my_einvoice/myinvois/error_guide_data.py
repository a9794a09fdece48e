"""The table behind error_guide.py: what each LHDN error code means, and what an Odoo
accountant changes to clear it, in English and Malay.

One row per code: (code, validator, field, meaning, meaning_ms, fix, fix_ms). ``field``
is the core Document path the code is about when LHDN names none ("" when it depends on
the document). Every code is LHDN's, from the source named above its group, except the
three catch-alls of this project's emulator (CF300, CV300, ERR200), marked as such.
"""

SETTINGS = "Settings > Invoicing > MyInvois (LHDN)"
SETTINGS_MS = "Tetapan > Penginvoisan > MyInvois (LHDN)"
DIAGNOSE = "run `python -m l10n_my_einvoice.myinvois diagnose` on the signed XML and report it as an addon fault"
DIAGNOSE_MS = (
    "jalankan `python -m l10n_my_einvoice.myinvois diagnose` pada XML yang ditandatangani dan laporkan sebagai "
    "kerosakan addon"
)
CERT = f"Upload the company's organisation certificate (.p12) in {SETTINGS}"
CERT_MS = f"Muat naik sijil digital organisasi syarikat (.p12) dalam {SETTINGS_MS}"
RESUBMIT = "then submit the invoice again"
RESUBMIT_MS = "kemudian hantar semula invois"


ROWS = (
    # --- validation step codes: the outer errorCode of a failed step (emulator checks.STEPS;
    # Error03 and Error21 observed from LHDN, reference §10.1; the others the emulator's step numbering).
    (
        "Error01",
        "Structure",
        "",
        "The document's structure did not pass LHDN's structure validator; the precise errors follow.",
        "Struktur dokumen tidak lulus pengesah struktur LHDN; ralat terperinci disenaraikan di bawah.",
        "Read the errors listed under this one and correct the field each names, " + RESUBMIT + ".",
        "Baca ralat yang disenaraikan di bawah dan betulkan medan yang dinyatakan, " + RESUBMIT_MS + ".",
    ),
    (
        "Error02",
        "Core fields",
        "",
        "A mandatory field is missing, or a field has the wrong format or length; the precise errors follow.",
        "Medan wajib tiada, atau format atau panjang medan salah; ralat terperinci disenaraikan di bawah.",
        "Read the errors listed under this one and correct the field each names, " + RESUBMIT + ".",
        "Baca ralat yang disenaraikan di bawah dan betulkan medan yang dinyatakan, " + RESUBMIT_MS + ".",
    ),
    (
        "Error03",
        "Duplicate document",
        "number",
        "LHDN already holds this document: same type, number, issue date and time and issuer.",
        "LHDN sudah menyimpan dokumen ini: jenis, nombor, tarikh dan masa dikeluarkan serta pengeluar yang sama.",
        "Nothing to send again: open the e-invoice already Valid at LHDN (Check at LHDN) instead of resubmitting.",
        "Tiada yang perlu dihantar semula: semak e-Invois yang sudah Sah di LHDN (Semak di LHDN), jangan hantar "
        "semula.",
    ),
    (
        "Error04",
        "Taxpayer",
        "",
        "LHDN did not accept a TIN or ID on the document; the precise errors follow.",
        "LHDN tidak menerima TIN atau ID pada dokumen; ralat terperinci disenaraikan di bawah.",
        "Read the errors listed under this one; correct the contact's Tax ID, ID type or ID number and check it "
        "with LHDN (Check with LHDN), " + RESUBMIT + ".",
        "Baca ralat di bawah; betulkan ID Cukai, jenis ID atau nombor ID kenalan dan semak dengan LHDN "
        "(Semak dengan LHDN), " + RESUBMIT_MS + ".",
    ),
    (
        "Error05",
        "Referenced documents",
        "billing_references",
        "The original document this note refers to cannot be referenced; the precise errors follow.",
        "Dokumen asal yang dirujuk oleh nota ini tidak boleh dirujuk; ralat terperinci disenaraikan di bawah.",
        "Check that the note's original invoice is Valid at LHDN, " + RESUBMIT + ".",
        "Pastikan invois asal nota ini Sah di LHDN, " + RESUBMIT_MS + ".",
    ),
    (
        "Error06",
        "Code",
        "",
        "A code on the document is not in LHDN's code lists; the precise errors follow.",
        "Satu kod pada dokumen tiada dalam senarai kod LHDN; ralat terperinci disenaraikan di bawah.",
        "Read the errors listed under this one and choose a code from LHDN's list, " + RESUBMIT + ".",
        "Baca ralat di bawah dan pilih kod daripada senarai LHDN, " + RESUBMIT_MS + ".",
    ),
    (
        "Error07",
        "Currency",
        "currency",
        "The currencies of the amounts or the exchange rate do not agree; the precise errors follow.",
        "Mata wang amaun atau kadar pertukaran tidak sepadan; ralat terperinci disenaraikan di bawah.",
        "Read the errors listed under this one; check the invoice's currency and its rate, " + RESUBMIT + ".",
        "Baca ralat di bawah; semak mata wang invois dan kadarnya, " + RESUBMIT_MS + ".",
    ),
    (
        "Error21",
        "Signature",
        "signature",
        "The document's digital signature was refused; the DS codes that follow say why.",
        "Tandatangan digital dokumen ditolak; kod DS di bawah menerangkan sebabnya.",
        f"Read the DS codes listed under this one; most are fixed in {SETTINGS} (the certificate).",
        f"Baca kod DS di bawah; kebanyakannya dibetulkan dalam {SETTINGS_MS} (sijil digital).",
    ),
    # --- envelope and HTTP-level codes (reference §3.2, §3.3; client_errors.py; emulator/errors.py).
    (
        "ActiveReferencingDocuments",
        "Submission",
        "",
        "The e-invoice cannot be cancelled: a credit, debit or refund note that references it is still Valid.",
        "e-Invois tidak boleh dibatalkan: nota kredit, debit atau bayaran balik yang merujuknya masih Sah.",
        "Cancel that note first, then cancel the invoice.",
        "Batalkan nota itu dahulu, kemudian batalkan invois.",
    ),
    (
        "BadArgument",
        "Submission",
        "",
        "LHDN refused a parameter of the request (named in its target).",
        "LHDN menolak satu parameter permintaan (dinamakan dalam target).",
        "Usually a TIN or ID in a shape LHDN rejects: correct the contact's Tax ID or ID number and try again.",
        "Biasanya TIN atau ID dalam bentuk yang ditolak LHDN: betulkan ID Cukai atau nombor ID kenalan dan "
        "cuba semula.",
    ),
    (
        "BadStructure",
        "Structure",
        "",
        "The submission or the document could not be read: it is not well-formed UBL.",
        "Penghantaran atau dokumen tidak dapat dibaca: ia bukan UBL yang sah bentuknya.",
        "Read the errors listed under this one; when none names a field, report it with the API log's "
        "Correlation ID as an addon fault.",
        "Baca ralat di bawah; jika tiada medan dinyatakan, laporkan sebagai kerosakan addon bersama Correlation ID "
        "daripada log API.",
    ),
    (
        "DuplicateSubmission",
        "Submission",
        "",
        "The same submission was sent within the last 10 minutes; LHDN ignores the repeat.",
        "Penghantaran yang sama telah dihantar dalam 10 minit yang lalu; LHDN mengabaikan ulangannya.",
        "Nothing to do: the addon waits and looks the first submission up; do not resubmit by hand.",
        "Tiada tindakan: addon menunggu dan menyemak penghantaran pertama; jangan hantar semula secara manual.",
    ),
    (
        "IncorrectState",
        "Submission",
        "",
        "The e-invoice is no longer Valid at LHDN, so it cannot be cancelled or rejected.",
        "e-Invois tidak lagi Sah di LHDN, maka ia tidak boleh dibatalkan atau ditolak.",
        "Click Check at LHDN: it was probably cancelled or rejected in the MyInvois portal already.",
        "Klik Semak di LHDN: ia mungkin sudah dibatalkan atau ditolak dalam portal MyInvois.",
    ),
    (
        "IncorrectSubmitter",
        "Submission",
        "",
        "The issuer's TIN on the document is not the TIN of the taxpayer who logged in.",
        "TIN pengeluar pada dokumen bukan TIN pembayar cukai yang log masuk.",
        f"Make the company's TIN in {SETTINGS} the one of its Client ID, or set 'On behalf of' for an "
        "intermediary; on a self-billed document the issuer is your company as buyer.",
        f"Pastikan TIN syarikat dalam {SETTINGS_MS} sama dengan TIN ID klien, atau isi 'Bagi pihak' untuk "
        "perantara; pada dokumen bil kendiri, pengeluar ialah syarikat anda sebagai pembeli.",
    ),
    (
        "MaximumSizeExceeded",
        "Submission",
        "",
        "The document is larger than 300 KB, or the submission larger than 5 MB or 100 documents.",
        "Dokumen melebihi 300 KB, atau penghantaran melebihi 5 MB atau 100 dokumen.",
        "Reset the invoice to draft, move some lines to a second invoice, post both and send them.",
        "Tetapkan semula invois kepada draf, pindahkan sebahagian baris ke invois kedua, poskan kedua-duanya dan "
        "hantar.",
    ),
    (
        "OperationPeriodOver",
        "Submission",
        "",
        "The 72 hours after validation in which an e-invoice can be cancelled or rejected are over.",
        "Tempoh 72 jam selepas pengesahan untuk membatalkan atau menolak e-Invois telah tamat.",
        "Cancel is not possible after 72 hours: issue a credit note (or a debit note) referencing the invoice.",
        "Pembatalan tidak boleh selepas 72 jam: keluarkan nota kredit (atau nota debit) yang merujuk invois itu.",
    ),
    (
        "ValidationError",
        "Submission",
        "",
        "LHDN refused the whole submission before reading its documents; the details say why.",
        "LHDN menolak keseluruhan penghantaran sebelum membaca dokumennya; butirannya menerangkan sebab.",
        "Read the details listed under this one; when they name no field, report it with the API log's "
        "Correlation ID as an addon fault.",
        "Baca butiran di bawah; jika tiada medan dinyatakan, laporkan sebagai kerosakan addon bersama Correlation "
        "ID daripada log API.",
    ),
    # --- core fields validator: SDK core-fields validator page (sdk.myinvois.hasil.gov.my/
    # documentvalidationrules/core-fields-validator-error/), reference §10.1.
    (
        "CF345",
        "Core fields",
        "supplier.address.lines",
        "An address line of the supplier is longer than 150 characters.",
        "Baris alamat pembekal melebihi 150 aksara.",
        "Shorten the company's address lines (Street, Street 2) to at most 150 characters each.",
        "Pendekkan baris alamat syarikat (Street, Street 2) kepada maksimum 150 aksara setiap satu.",
    ),
    (
        "CF346",
        "Core fields",
        "buyer.address.lines",
        "An address line of the buyer is longer than 150 characters.",
        "Baris alamat pembeli melebihi 150 aksara.",
        "Open the customer and shorten its address lines (Street, Street 2) to at most 150 characters each.",
        "Buka pelanggan dan pendekkan baris alamatnya (Street, Street 2) kepada maksimum 150 aksara setiap satu.",
    ),
    (
        "CF378",
        "Core fields",
        "currency",
        "The document has no currency code.",
        "Dokumen tiada kod mata wang.",
        "Set the invoice's currency (an ISO code such as MYR or USD), " + RESUBMIT + ".",
        "Tetapkan mata wang invois (kod ISO seperti MYR atau USD), " + RESUBMIT_MS + ".",
    ),
    (
        "CF407",
        "Core fields",
        "",
        "The tourism tax (TTx) registration number is not valid.",
        "Nombor pendaftaran cukai pelancongan (TTx) tidak sah.",
        "Correct the TTx field on the contact or company: letters, digits and '-', at most 17, or empty.",
        "Betulkan medan TTx pada kenalan atau syarikat: huruf, digit dan '-', maksimum 17, atau kosong.",
    ),
    # --- the project's emulator's own catch-alls (emulator checks.py DEFAULT_RULE_CODE and
    # RULE_CODES): LHDN publishes no number for these rules; real LHDN answers use its own codes.
    (
        "CF300",
        "Core fields",
        "",
        "(This project's emulator) A field is missing, too long, badly formed, or an amount does not add up.",
        "(Emulator projek ini) Medan tiada, terlalu panjang, formatnya salah, atau amaun tidak sepadan.",
        "Correct the field named in the error's path (the message says what is wrong), " + RESUBMIT + ".",
        "Betulkan medan yang dinyatakan dalam laluan ralat (mesej menerangkan kesalahannya), " + RESUBMIT_MS + ".",
    ),
    (
        "CV300",
        "Code",
        "",
        "(This project's emulator) A code is not allowed here, e.g. state 17 for a Malaysian party that is "
        "not consolidated.",
        "(Emulator projek ini) Kod tidak dibenarkan di sini, cth. kod negeri 17 bagi pihak Malaysia yang tidak "
        "disatukan.",
        "Set the contact's real state (01-16) on its address; 17 only for foreign or consolidated parties.",
        "Tetapkan kod negeri sebenar (01-16) pada alamat kenalan; 17 hanya untuk pihak asing atau disatukan.",
    ),
    (
        "ERR200",
        "Taxpayer",
        "",
        "(This project's emulator) A TIN does not have a shape LHDN accepts.",
        "(Emulator projek ini) Nombor Pengenalan Cukai (TIN) tidak dalam bentuk yang diterima LHDN.",
        "Correct the contact's Tax ID (e.g. C1234567890 or IG12345678901) and click Check with LHDN.",
        "Betulkan ID Cukai kenalan (cth. C1234567890 atau IG12345678901) dan klik Semak dengan LHDN.",
    ),
    # --- code validator: reference §10.1 (CV302, CV316); emulator RULE_CODES.
    (
        "CV302",
        "Code",
        "",
        "A code on the document (state, country, unit, tax type, MSIC, classification, currency) is not in "
        "LHDN's list.",
        "Satu kod pada dokumen (negeri, negara, unit, jenis cukai, MSIC, klasifikasi, mata wang) tiada dalam "
        "senarai LHDN.",
        "Choose a code from LHDN's list for the field named in the path (contact's state, product's "
        "classification or unit, tax's LHDN tax type), " + RESUBMIT + ".",
        "Pilih kod daripada senarai LHDN bagi medan dalam laluan ralat (kod negeri kenalan, klasifikasi atau unit "
        "produk, jenis cukai LHDN), " + RESUBMIT_MS + ".",
    ),
    (
        "CV316",
        "Code",
        "",
        "A Malaysian state code (01-16) is given for an address outside Malaysia.",
        "Kod negeri Malaysia (01-16) diberikan untuk alamat di luar Malaysia.",
        "Set the customer's state (01-16) on the contact only for a Malaysian address; for a foreign address "
        "correct the country, or leave the state to the foreign one (sent as 17).",
        "Tetapkan kod negeri (01-16) pada kenalan hanya untuk alamat Malaysia; untuk alamat asing betulkan "
        "negara, atau gunakan negeri asing (dihantar sebagai 17).",
    ),
    # --- taxpayer validator: reference §10.1 (ERR206, ERR208).
    (
        "ERR206",
        "Taxpayer",
        "",
        "The NRIC or army number given does not belong to the TIN given.",
        "Nombor MyKad (NRIC) atau tentera yang diberikan bukan milik TIN yang diberikan.",
        "Open the contact, correct its ID type and ID number (or its Tax ID) and click Check with LHDN.",
        "Buka kenalan, betulkan jenis ID dan nombor ID (atau ID Cukai) dan klik Semak dengan LHDN.",
    ),
    (
        "ERR208",
        "Taxpayer",
        "",
        "A general TIN (EI000000000x0) is used where it is not allowed, e.g. the foreign buyer's TIN for a supplier.",
        "TIN umum (EI000000000x0) digunakan di tempat yang tidak dibenarkan, cth. TIN pembeli asing bagi pembekal.",
        "Give the contact its own TIN; general TINs: EI00000000010 general public, EI00000000020 foreign buyer, "
        "EI00000000030 foreign supplier (self-billed only), EI00000000040 government.",
        "Berikan TIN kenalan itu sendiri; TIN umum: EI00000000010 orang awam, EI00000000020 pembeli asing, "
        "EI00000000030 pembekal asing (bil kendiri sahaja), EI00000000040 kerajaan.",
    ),
    # --- referenced documents, duplicate document, currency validators: reference §10.1, §10.3.
    (
        "DR303",
        "Referenced documents",
        "billing_references",
        "The original document this note refers to is not Valid at LHDN (unknown, Invalid or Cancelled).",
        "Dokumen asal yang dirujuk oleh nota ini tidak Sah di LHDN (tidak dikenali, Tidak Sah atau Dibatalkan).",
        "Check the original invoice is Valid at LHDN and that the credit note is linked to that invoice, "
        + RESUBMIT
        + ".",
        "Pastikan invois asal Sah di LHDN dan nota kredit dipautkan kepada invois itu, " + RESUBMIT_MS + ".",
    ),
    (
        "DV302",
        "Duplicate document",
        "number",
        "A document with the same type, number, issue date and time and issuer was submitted in the last 2 hours.",
        "Dokumen dengan jenis, nombor, tarikh dan masa dikeluarkan serta pengeluar yang sama telah dihantar dalam "
        "2 jam lalu.",
        "Nothing to send again: the first one counts; Check at LHDN shows its status.",
        "Tiada yang perlu dihantar semula: yang pertama diambil kira; Semak di LHDN menunjukkan statusnya.",
    ),
    (
        "DC501",
        "Currency",
        "currency",
        "A tax amount is not in the tax currency (TaxCurrencyCode) the document declares.",
        "Amaun cukai tidak dalam mata wang cukai (TaxCurrencyCode) yang dinyatakan dokumen.",
        "Every tax amount must be in the invoice's currency: check the invoice's currency and taxes, " + RESUBMIT + ".",
        "Setiap amaun cukai mesti dalam mata wang invois: semak mata wang dan cukai invois, " + RESUBMIT_MS + ".",
    ),
    (
        "DC502",
        "Currency",
        "currency",
        "An amount is not in the document's currency.",
        "Amaun tidak dalam mata wang dokumen.",
        "Every amount must be in the invoice's currency: check the invoice's currency, " + RESUBMIT + ".",
        "Setiap amaun mesti dalam mata wang invois: semak mata wang invois, " + RESUBMIT_MS + ".",
    ),
)
