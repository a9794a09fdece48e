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
    # --- signature validator: reference §7.8 (DS300-DS338); certificate.py, signature_verify.py.
    (
        "DS300",
        "Signature",
        "signature",
        "The signed document cannot be parsed.",
        "Dokumen yang ditandatangani tidak dapat dihuraikan.",
        "An addon fault, not your data: " + DIAGNOSE + ".",
        "Kerosakan addon, bukan data anda: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS301",
        "Signature",
        "signature",
        "The document carries no digital signature.",
        "Dokumen tiada tandatangan digital.",
        CERT + "; version 1.1 documents must be signed.",
        CERT_MS + "; dokumen versi 1.1 mesti ditandatangani.",
    ),
    (
        "DS302",
        "Signature",
        "signature",
        "The document carries more than one signature (older LHDN text uses DS302 for a duplicate document).",
        "Dokumen mempunyai lebih daripada satu tandatangan (teks lama LHDN menggunakan DS302 untuk dokumen pendua).",
        "If the message says 'Duplicated', see DV302; otherwise " + DIAGNOSE + ".",
        "Jika mesej menyebut 'Duplicated', lihat DV302; jika tidak, " + DIAGNOSE_MS + ".",
    ),
    (
        "DS303",
        "Signature",
        "signature",
        "The signature has no signing time.",
        "Tandatangan tiada masa tandatangan.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS304",
        "Signature",
        "signature",
        "The document was signed outside the certificate's validity: it was expired or not yet valid.",
        "Dokumen ditandatangani di luar tempoh sah sijil digital: sijil telah tamat atau belum sah.",
        f"Renew the certificate with your CA and upload the new file in {SETTINGS}; check the server's clock.",
        f"Perbaharui sijil digital dengan CA anda dan muat naik fail baharu dalam {SETTINGS_MS}; semak jam pelayan.",
    ),
    (
        "DS305",
        "Signature",
        "signature",
        "The certificate is not valid for signing e-invoices.",
        "Sijil digital tidak sah untuk menandatangani e-Invois.",
        CERT + ": a document-signing certificate (Non-Repudiation, Document Signing) from an LHDN-approved CA.",
        CERT_MS + ": sijil tandatangan dokumen (Non-Repudiation, Document Signing) daripada CA yang diluluskan LHDN.",
    ),
    (
        "DS306",
        "Signature",
        "signature",
        "The certificate has no serialNumber (the company's BRN): it is not an organisation certificate.",
        "Sijil digital tiada serialNumber (BRN syarikat): ia bukan sijil organisasi.",
        CERT + "; a personal certificate cannot sign for the company.",
        CERT_MS + "; sijil peribadi tidak boleh menandatangani bagi syarikat.",
    ),
    (
        "DS307",
        "Signature",
        "signature",
        "The certificate has no organizationIdentifier (the company's TIN): it is not an organisation certificate.",
        "Sijil digital tiada organizationIdentifier (TIN syarikat): ia bukan sijil organisasi.",
        CERT + "; a personal certificate cannot sign for the company.",
        CERT_MS + "; sijil peribadi tidak boleh menandatangani bagi syarikat.",
    ),
    (
        "DS308",
        "Signature",
        "signature",
        "An organisation certificate was used to sign in the MyInvois portal or mobile app.",
        "Sijil organisasi digunakan untuk menandatangani dalam portal atau aplikasi mudah alih MyInvois.",
        "Sign portal documents with a personal certificate; keep the organisation certificate for Odoo.",
        "Tandatangani dokumen portal dengan sijil peribadi; gunakan sijil organisasi untuk Odoo sahaja.",
    ),
    (
        "DS309",
        "Signature",
        "signature",
        "A personal certificate was used to sign a document sent by an ERP such as Odoo.",
        "Sijil peribadi digunakan untuk menandatangani dokumen yang dihantar oleh ERP seperti Odoo.",
        CERT + "; personal certificates are refused for ERP submissions.",
        CERT_MS + "; sijil peribadi ditolak untuk penghantaran ERP.",
    ),
    (
        "DS310",
        "Signature",
        "signature",
        "The signer is not the taxpayer who submitted the document.",
        "Penandatangan bukan pembayar cukai yang menghantar dokumen.",
        f"Use the certificate of the company whose Client ID is in {SETTINGS} (or of the intermediary).",
        f"Gunakan sijil digital syarikat yang ID kliennya dalam {SETTINGS_MS} (atau sijil perantara).",
    ),
    (
        "DS311",
        "Signature",
        "signature",
        "The TIN in the certificate is not the issuer's TIN on the document.",
        "TIN dalam sijil digital bukan TIN pengeluar pada dokumen.",
        f"Correct the company's TIN in {SETTINGS}, or upload the certificate of this company (or of the "
        "intermediary that submits for it).",
        f"Betulkan TIN syarikat dalam {SETTINGS_MS}, atau muat naik sijil digital syarikat ini (atau perantara "
        "yang menghantar baginya).",
    ),
    (
        "DS312",
        "Signature",
        "signature",
        "The BRN in the certificate is not the submitter's registration number.",
        "BRN dalam sijil digital bukan nombor pendaftaran penghantar.",
        f"Correct the company's ID number (BRN) in {SETTINGS}, or upload this company's certificate.",
        f"Betulkan nombor ID (BRN) syarikat dalam {SETTINGS_MS}, atau muat naik sijil digital syarikat ini.",
    ),
    (
        "DS313",
        "Signature",
        "signature",
        "The certificate digest is not computed with SHA-256.",
        "Cerna sijil tidak dikira dengan SHA-256.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS314",
        "Signature",
        "signature",
        "The document digest is not computed with SHA-256.",
        "Cerna dokumen tidak dikira dengan SHA-256.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS315",
        "Signature",
        "signature",
        "The signed properties digest is not computed with SHA-256.",
        "Cerna sifat yang ditandatangani tidak dikira dengan SHA-256.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS316",
        "Signature",
        "signature",
        "The signature is not RSA with SHA-256 (e.g. the certificate's key is not RSA).",
        "Tandatangan bukan RSA dengan SHA-256 (cth. kunci sijil digital bukan RSA).",
        CERT + " with an RSA key.",
        CERT_MS + " dengan kunci RSA.",
    ),
    (
        "DS317",
        "Signature",
        "signature",
        "The signature lacks the certificate digest.",
        "Tandatangan tiada cerna sijil.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS318",
        "Signature",
        "signature",
        "The certificate digest does not match the certificate in the document.",
        "Cerna sijil tidak sepadan dengan sijil digital dalam dokumen.",
        f"Upload the certificate again in {SETTINGS}; if it persists, " + DIAGNOSE + ".",
        f"Muat naik semula sijil digital dalam {SETTINGS_MS}; jika berterusan, " + DIAGNOSE_MS + ".",
    ),
    (
        "DS319",
        "Signature",
        "signature",
        "The signature lacks the signed properties digest.",
        "Tandatangan tiada cerna sifat yang ditandatangani.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS320",
        "Signature",
        "signature",
        "The signed properties (signing time, certificate) changed after signing.",
        "Sifat yang ditandatangani (masa tandatangan, sijil) berubah selepas ditandatangani.",
        "Do not edit the XML after signing; resubmit from Odoo. If it persists, " + DIAGNOSE + ".",
        "Jangan ubah XML selepas ditandatangani; hantar semula dari Odoo. Jika berterusan, " + DIAGNOSE_MS + ".",
    ),
    (
        "DS321",
        "Signature",
        "signature",
        "The signature lacks the document digest.",
        "Tandatangan tiada cerna dokumen.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS322",
        "Signature",
        "signature",
        "The document changed after it was signed: its digest no longer matches.",
        "Dokumen berubah selepas ditandatangani: cernanya tidak lagi sepadan.",
        "Do not edit the XML after signing; resubmit from Odoo. If it persists, " + DIAGNOSE + ".",
        "Jangan ubah XML selepas ditandatangani; hantar semula dari Odoo. Jika berterusan, " + DIAGNOSE_MS + ".",
    ),
    (
        "DS323",
        "Signature",
        "signature",
        "The document's cac:Signature does not name the XAdES signature method LHDN expects.",
        "cac:Signature dokumen tidak menyatakan kaedah tandatangan XAdES yang dikehendaki LHDN.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS324",
        "Signature",
        "signature",
        "The signature lacks the certificate issuer's name.",
        "Tandatangan tiada nama pengeluar sijil.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS325",
        "Signature",
        "signature",
        "The signature lacks the certificate's serial number.",
        "Tandatangan tiada nombor siri sijil.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS326",
        "Signature",
        "signature",
        "The certificate issuer named in the signature is not the certificate's issuer.",
        "Pengeluar sijil yang dinyatakan dalam tandatangan bukan pengeluar sijil digital itu.",
        f"Upload the certificate again in {SETTINGS}; if it persists, " + DIAGNOSE + ".",
        f"Muat naik semula sijil digital dalam {SETTINGS_MS}; jika berterusan, " + DIAGNOSE_MS + ".",
    ),
    (
        "DS327",
        "Signature",
        "signature",
        "The certificate serial number in the signature cannot be read.",
        "Nombor siri sijil dalam tandatangan tidak dapat dibaca.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS328",
        "Signature",
        "signature",
        "The certificate serial number in the signature is not the certificate's.",
        "Nombor siri sijil dalam tandatangan bukan nombor siri sijil digital itu.",
        f"Upload the certificate again in {SETTINGS}; if it persists, " + DIAGNOSE + ".",
        f"Muat naik semula sijil digital dalam {SETTINGS_MS}; jika berterusan, " + DIAGNOSE_MS + ".",
    ),
    (
        "DS329",
        "Signature",
        "signature",
        "The certificate does not chain to a certificate authority LHDN trusts.",
        "Sijil digital tidak berantai kepada pihak berkuasa sijil yang dipercayai LHDN.",
        CERT + " issued by an LHDN-approved CA (a self-made or test certificate is refused in production).",
        CERT_MS + " yang dikeluarkan oleh CA yang diluluskan LHDN (sijil ujian atau buatan sendiri ditolak dalam "
        "pengeluaran).",
    ),
    (
        "DS330",
        "Signature",
        "signature",
        "LHDN does not know the TIN in the certificate.",
        "LHDN tidak mengenali TIN dalam sijil digital.",
        "Ask your CA to reissue the certificate with the company's registered TIN, then upload it in " + SETTINGS + ".",
        "Minta CA anda mengeluarkan semula sijil digital dengan TIN syarikat yang berdaftar, kemudian muat naik "
        "dalam " + SETTINGS_MS + ".",
    ),
    (
        "DS331",
        "Signature",
        "signature",
        "The signed document cannot be parsed.",
        "Dokumen yang ditandatangani tidak dapat dihuraikan.",
        "An addon fault, not your data: " + DIAGNOSE + ".",
        "Kerosakan addon, bukan data anda: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS332",
        "Signature",
        "signature",
        "The signature value is empty.",
        "Nilai tandatangan kosong.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS333",
        "Signature",
        "signature",
        "The signature does not verify with the certificate's key.",
        "Tandatangan tidak dapat disahkan dengan kunci sijil digital.",
        f"Upload the certificate again with its own private key in {SETTINGS}; if it persists, " + DIAGNOSE + ".",
        f"Muat naik semula sijil digital bersama kunci peribadinya dalam {SETTINGS_MS}; jika berterusan, "
        + DIAGNOSE_MS
        + ".",
    ),
    (
        "DS334",
        "Signature",
        "signature",
        "The certificate cannot verify the signature: the private key used is not the certificate's.",
        "Sijil digital tidak dapat mengesahkan tandatangan: kunci peribadi yang digunakan bukan milik sijil itu.",
        CERT + " exported with its own private key.",
        CERT_MS + " yang dieksport bersama kunci peribadinya sendiri.",
    ),
    (
        "DS335",
        "Signature",
        "signature",
        "LHDN could not validate the signature.",
        "LHDN tidak dapat mengesahkan tandatangan.",
        f"Check the certificate in {SETTINGS}; if it is in order, " + DIAGNOSE + ".",
        f"Semak sijil digital dalam {SETTINGS_MS}; jika ia betul, " + DIAGNOSE_MS + ".",
    ),
    (
        "DS336",
        "Signature",
        "signature",
        "The signing time in the signature cannot be read.",
        "Masa tandatangan dalam tandatangan tidak dapat dibaca.",
        "An addon fault: " + DIAGNOSE + ".",
        "Kerosakan addon: " + DIAGNOSE_MS + ".",
    ),
    (
        "DS337",
        "Signature",
        "signature",
        "The certificate's serialNumber (the company's BRN) cannot be read.",
        "serialNumber sijil digital (BRN syarikat) tidak dapat dibaca.",
        "Ask your CA for an organisation certificate with the company's BRN as serialNumber and upload it in "
        + SETTINGS
        + ".",
        "Minta CA anda sijil organisasi dengan BRN syarikat sebagai serialNumber dan muat naik dalam "
        + SETTINGS_MS
        + ".",
    ),
    (
        "DS338",
        "Signature",
        "signature",
        "The certificate's organizationIdentifier (the company's TIN) cannot be read.",
        "organizationIdentifier sijil digital (TIN syarikat) tidak dapat dibaca.",
        "Ask your CA for an organisation certificate with the company's TIN as organizationIdentifier and "
        "upload it in " + SETTINGS + ".",
        "Minta CA anda sijil organisasi dengan TIN syarikat sebagai organizationIdentifier dan muat naik dalam "
        + SETTINGS_MS
        + ".",
    ),
)
