"""Seeded fuzzing of the JSON form of a document (issue 16): bad input gets a named
error, never a traceback, and what must be invalid is never accepted.

``run()`` mutates valid documents (the samples, a rich invoice, a consolidated one)
with a seeded ``random.Random``: wrong types at every field, control characters and
lone surrogates in every text, huge/exponent/NaN numbers, trailing newlines and
non-ASCII digits in pattern fields, negative taxable/per-unit/measure values, bad
dates, nulls in lists, missing and unknown fields, and a few of those together.
Each variant goes the CLI ``build`` way: JSON form -> Document -> validation -> UBL XML.

Run it alone with ``python -m tests.fuzz_json [SEED] [VARIANTS]``.
"""

import copy
import json
import random
import re
import sys
import traceback

from l10n_my_einvoice.myinvois import ubl, validation
from l10n_my_einvoice.myinvois.document import Document

from .doc_factory import NOW, load

# What each field of the form holds (docs/document-json.md), stated here on its own
# rather than read from the code under test.
DECIMAL_KEYS = set(
    "exchange_rate rounding quantity unit_price amount rate percent taxable_amount per_unit_amount "
    "base_unit_measure".split()
)
DATETIME_KEYS, DATE_KEYS = {"issued_at", "paid_at"}, {"period_start", "period_end"}
FREE_TEXT = {"description", "payment_terms", "reason"}  # where a line break may belong
# Fields whose digits must be ASCII: identifiers, codes, numbers, dates.
_CODES = "tin phone msic id_number sst ttx type_code state classifications payment_means tariff_code uuid type"
DIGIT_KEYS = {*_CODES.split(), "unit_code", "base_unit_code", *DECIMAL_KEYS, *DATETIME_KEYS, *DATE_KEYS}
BAD_CHARACTERS = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + list("\x7f\x85\x9f\ud800\udfff\ufffe\uffff")
LINE_BREAKS = ["\n", "\r", "\r\n", "\t"]
HUGE_OR_BLANK = ["9" * 10000, "9" * 16, "-" + "9" * 16, "0." + "1" * 11, 10**15, -(10**16), 10**10000, "", " ", "12 34"]
BAD_NUMBERS = (
    HUGE_OR_BLANK + "1e30 1E5 -1e-3 NaN -nan sNaN Infinity -inf １２ ١٢ ۱۲.५ 1_000 1,000.00 + . 0x10 ½ --1".split()
)
# Within each field's limits, yet their products may not be: no expectation, no traceback.
BIG_NUMBERS = ["9" * 15, "-" + "9" * 15, "999999999999999.9999999999", "0.0000000001", 10**15 - 1, "-0", "5.", ".5"]
BAD_DATETIMES = [
    "",
    "2026-07-20T03:15:00Z\n",
    *"0001-01-01T00:00:00Z 0001-01-01T00:00:00+08:00 9999-12-31T23:59:59-08:00 1999-12-31T23:59:59Z "
    "2101-01-01T00:00:00Z 2026-02-30T00:00:00Z 2026-07-20T03:15:00 2026-07-20 20260720T031500Z yesterday "
    "2026-W30-1T00:00:00Z ２０２６-07-20T03:15:00Z 2026-07-20T25:00:00Z".split(),
]
BAD_DATES = ["", *"0001-01-01 1999-12-31 2101-01-01 2026-13-01 2026-02-30 20260701 2026-W27-3 01/07/2026".split()]
DIGIT_SCRIPTS = [0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50]  # full-width, Arabic-Indic, ...
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"  # str.isdigit() says yes to these too
WRONG_TYPES = {
    "text": [123, 1.5, True, [], {}, ["x"], [["x"]], 10**30, 10**10000, [10**10000]],
    "number": [1.5, True, [], {}, ["1"], {"value": "1"}],
    "date": [1.5, True, [], {}, 20260720, ["2026-07-20"]],
    "bool": ["true", "false", 1, 0, [], {}],
    "list": ["x", {}, 1, True],
    "object": ["x", [], 1, True, [{}]],
}
GONE = object()
# A refusal names a field: document.lines[0].quantity: ...
NAMED = re.compile(r"document(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])*: \S")
# A rich invoice: discounts and charges, a fixed-rate tax, an exemption, a negative line,
# a prepayment, a delivery, customs forms.
RICH = json.loads(
    """{
  "line_taxes": [{"type": "02", "percent": "8", "taxable_amount": "90.00"}],
  "line_allowances": [{"amount": "200.00", "reason": "Trade discount"},
                      {"amount": "15.00", "reason": "Setup fee", "charge": true}],
  "lines": [
    {"description": "Hotel room, 2 nights\\nDeluxe", "quantity": "2", "unit_price": "250.00", "unit_code": "DAY",
     "classifications": ["022"],
     "taxes": [{"type": "03", "per_unit_amount": "10.00", "base_unit_measure": "2", "base_unit_code": "DAY"},
               {"type": "02", "percent": "8", "amount": "40.00"}]},
    {"description": "Exported spare part", "unit_price": "80.00", "classifications": ["003"],
     "taxes": [{"type": "E", "exemption_reason": "Exempted under Sales Tax (Exemption) Order 2018", "amount": "0"}]},
    {"description": "Goodwill discount", "unit_price": "-20.00", "classifications": ["022"], "taxes": [{"type": "06"}]}
  ],
  "document": {
    "allowances": [{"amount": "50.00", "reason": "Year-end discount"},
                   {"rate": "0.01", "reason": "Handling", "charge": true}],
    "prepayment": {"amount": "1000.00", "paid_at": "2026-07-17T04:00:00Z", "reference": "PP-0099"},
    "rounding": "-0.03",
    "delivery": {"name": "Gudang Pelanggan", "tin": "C9876543210", "id_type": "BRN", "id_number": "201901098765",
                 "address": {"lines": ["No. 8, Jalan Pelanggan"], "city": "Johor Bahru", "postal_zone": "80000",
                             "state": "01", "country": "MYS"},
                 "shipment_id": "SHP-1", "other_charges": [{"amount": "35.00", "reason": "Freight", "charge": true}]},
    "customs_import_forms": ["E23456789123", "E98765432123"], "customs_k2_forms": ["K2-0001"],
    "fta": "ASEAN-Australia-New Zealand FTA (AANZFTA)", "incoterms": "CIF", "bill_reference": "BILL-778"
  },
  "general_public": {"name": "General Public", "tin": "EI00000000010", "id_type": "BRN", "id_number": "NA",
                     "phone": "NA", "address": {"lines": ["NA"], "city": "NA", "state": "17"}}
}"""
)


def bases():
    """Valid documents in the JSON form: the samples, a rich invoice, a consolidated one."""
    invoice = load("invoice")
    rich = copy.deepcopy(invoice)
    rich["lines"][0]["taxes"], rich["lines"][1]["allowances"] = RICH["line_taxes"], RICH["line_allowances"]
    rich["lines"] += RICH["lines"]
    rich.update(RICH["document"])
    rich["supplier"]["certex"] = "CPT-CCN-W-211111-KL-000002"
    consolidated = copy.deepcopy(invoice)
    consolidated.update(number="CONS-2026-07", consolidated=True, buyer=RICH["general_public"])
    for line in consolidated["lines"]:
        line["classifications"] = ["004"]
    return [invoice, load("credit-note"), load("self-billed-invoice"), copy.deepcopy(rich), copy.deepcopy(consolidated)]


# --- the tree of a document ---------------------------------------------------------


def nodes(value, path=()):
    """(path, value) of every node below ``value``; a path is a tuple of keys and indexes."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield path + (key,), child
        yield from nodes(child, path + (key,))


def get(data, path):
    for key in path:
        data = data[key]
    return data


def peek(data, path):
    """The value at ``path``, or a marker when a later change took it away."""
    try:
        return copy.deepcopy(get(data, path))
    except (KeyError, IndexError, TypeError):
        return GONE


def put(data, path, value):
    get(data, path[:-1])[path[-1]] = value


def text(path):
    return "document" + "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in path)


def name(path):
    """The field a path ends in; a list item is named by its list."""
    return next(key for key in reversed(path) if isinstance(key, str))


def kind(path, value):
    key = name(path)
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "bool"
    if key in DECIMAL_KEYS:
        return "number"
    return "date" if key in DATETIME_KEYS | DATE_KEYS else "text"


def show(value):
    if isinstance(value, int) and abs(value) > 10**30:
        return f"a {value.bit_length()}-bit integer"
    try:
        return repr(value)[:30]
    except ValueError:  # a huge integer in a list
        return type(value).__name__


def strings(data):
    return [(path, value) for path, value in nodes(data) if isinstance(value, str)]


# --- mutations: each changes ``data`` and returns (what, path, must_refuse) -----------


def wrong_type(rng, data):
    path, value = rng.choice(list(nodes(data)))
    bad = copy.deepcopy(rng.choice(WRONG_TYPES[kind(path, value)]))  # a fresh [] each time
    put(data, path, bad)
    return f"{type(bad).__name__} {show(bad)}", path, True


def bad_character(rng, data):
    path, value = rng.choice(strings(data))
    at, char = rng.randint(0, len(value)), rng.choice(BAD_CHARACTERS)
    put(data, path, value[:at] + char + value[at:])
    return f"U+{ord(char):04X} at {at}", path, True


def line_break(rng, data):
    path, value = rng.choice(strings(data))
    at, char = (len(value) if rng.random() < 0.6 else rng.randint(0, len(value))), rng.choice(LINE_BREAKS)
    put(data, path, value[:at] + char + value[at:])
    return f"{char!r} at {at}", path, name(path) not in FREE_TEXT


def bad_number(rng, data):
    path = rng.choice([path for path, value in nodes(data) if kind(path, value) == "number"])
    bad = rng.choice(BAD_NUMBERS)
    put(data, path, bad)
    return f"number {show(bad)}", path, True


def big_number(rng, data):
    paths = [path for path, value in nodes(data) if kind(path, value) == "number"]
    for path in rng.sample(paths, min(len(paths), rng.randint(1, 3))):
        put(data, path, rng.choice(BIG_NUMBERS))
    return "big numbers", (), False


def bad_date(rng, data):
    path, value = rng.choice([(p, v) for p, v in nodes(data) if kind(p, v) == "date"])
    bad = rng.choice(BAD_DATETIMES if name(path) in DATETIME_KEYS else BAD_DATES)
    put(data, path, bad)
    return f"date {bad!r}", path, True


def null_in_list(rng, data):
    path, value = rng.choice([(p, v) for p, v in nodes(data) if isinstance(v, list)])
    at = rng.randint(0, len(value))
    value.insert(at, None)
    return "null in a list", path + (at,), True


def missing_field(rng, data):
    path, value = rng.choice([((), data)] + [(p, v) for p, v in nodes(data) if isinstance(v, dict) and v])
    key = rng.choice(sorted(value))
    del value[key]
    return f"without {key}", path + (key,), False


def unknown_field(rng, data):
    path, value = rng.choice([((), data)] + [(p, v) for p, v in nodes(data) if isinstance(v, dict)])
    key = rng.choice(["bogus", "Number", "declared", "declared_currencies", "number ", "ｎumber"])
    value[key] = "x"
    return f"unknown field {key!r}", path, True


def foreign_digits(rng, data):
    candidates = [
        (path, value)
        for path, value in strings(data)
        if name(path) in DIGIT_KEYS
        and re.search("[0-9]", value)
        or name(path) == "postal_zone"
        and get(data, path[:-1]).get("country", "MYS") == "MYS"
        and value
    ]
    path, value = rng.choice(candidates)
    script = rng.choice(DIGIT_SCRIPTS + [None])
    digits = SUPERSCRIPTS if script is None else "".join(chr(script + d) for d in range(10))
    every = rng.random() < 0.5  # every digit, or just one
    changed = "".join(
        digits[int(c)] if c in "0123456789" and (every or i == value.find(c)) else c for i, c in enumerate(value)
    )
    if changed == value:  # a postcode such as "NA"
        changed = digits[4] * 5
    put(data, path, changed)
    return f"digits {changed!r}", path, True


def long_text(rng, data):
    path, _ = rng.choice(strings(data))
    put(data, path, rng.choice(["x", "9", "é", " "]) * rng.choice([301, 5000, 100_000]))
    return "long text", path, False


def negative(value):
    return value.startswith("-") if isinstance(value, str) else isinstance(value, int) and value < 0


def negative_tax(rng, data):
    """A negative taxable amount, amount per unit, base unit measure or tax on a line
    that is not negative: it would lower the tax and the total. (Not on a consolidated
    document: a line there sums receipts, and one tax type may net negative.)"""
    if data.get("consolidated"):
        raise ValueError("no sign rule on a consolidated document")  # variant() picks another change
    lines = [
        (index, line)
        for index, line in enumerate(data.get("lines", []))
        if isinstance(line, dict)
        and line.get("taxes")
        and not any(map(negative, (line.get("unit_price"), line.get("quantity"))))
    ]
    index, line = rng.choice(lines)
    position = rng.randrange(len(line["taxes"]))
    tax = line["taxes"][position]
    field = rng.choice(["taxable_amount", "per_unit_amount", "base_unit_measure", "amount"])
    if field in ("per_unit_amount", "base_unit_measure"):
        tax.pop("amount", None)  # else the per-unit rule refuses it, not the sign rule
        tax.update(per_unit_amount="10.00", base_unit_measure="2")
    value = str(tax.get(field) or "")
    tax[field] = "-" + (value if value.strip("0.") else "100.00")  # "-0" is not negative
    return f"negative {field}", ("lines", index, "taxes", position, field), True


MUTATIONS = [
    (wrong_type, 6),
    (bad_character, 5),
    (line_break, 4),
    (bad_number, 4),
    (big_number, 2),
    (bad_date, 2),
    (null_in_list, 2),
    (missing_field, 3),
    (unknown_field, 1),
    (foreign_digits, 4),
    (negative_tax, 3),
    (long_text, 1),
]
# The refusal of these is the input boundary's, whatever else a variant changes.
BOUNDARY = {wrong_type, bad_character, bad_number, bad_date, null_in_list, unknown_field}


def attempt(data):
    """('refused', messages) or ('accepted', []), the CLI ``build`` way."""
    try:
        doc = Document.from_dict(data)
    except ValueError as error:  # DocumentError, or another ValueError naming its field
        return "refused", [str(error)]
    issues = validation.validate(doc, now=NOW, for_submission=False)
    if issues:
        return "refused", [f"{text(())}.{issue.path}: {issue.message}" for issue in issues]
    ubl.to_xml(doc)
    return "accepted", []


def related(message, path):
    """Whether a refusal names the mutated field (or an object or list holding it)."""
    where, target = message.split(": ", 1)[0], text(path)
    return any(a == b or b.startswith(a + ".") or b.startswith(a + "[") for a, b in ((where, target), (target, where)))


def variant(rng, base):
    data = copy.deepcopy(base)
    functions, weights = zip(*MUTATIONS, strict=True)
    if rng.random() < 0.01:
        return [data], [("the document in a list", (), True)]
    count = 1 if rng.random() < 0.8 else rng.randint(2, 3)
    done = []
    for function in rng.choices(functions, weights, k=count):
        try:
            what, path, refuse = function(rng, data)
        except (IndexError, KeyError, TypeError, AttributeError, ValueError):  # an earlier change took its field away
            what, path, refuse = unknown_field(rng, data)
        done.append((function, what, path, refuse, peek(data, path)))
    expected = []
    for function, what, path, refuse, value in done:
        if count > 1:  # together, only the boundary's refusals are sure, and only if still there
            refuse = refuse and function in BOUNDARY and value is not GONE and peek(data, path) == value
        expected.append((what, path, refuse))
    return data, expected


def run(seed=20261201, variants=3000):
    rng = random.Random(seed)
    documents = bases()
    failures = []
    for number, base in enumerate(documents):
        outcome, messages = attempt(copy.deepcopy(base))
        if outcome != "accepted":
            failures.append(f"base document {number} is refused: {messages}")
    refused = accepted = 0
    for index in range(variants):
        data, expected = variant(rng, rng.choice(documents))
        label = f"variant {index}: " + "; ".join(f"{what} at {text(path)}" for what, path, _ in expected)
        try:
            outcome, messages = attempt(data)
        except Exception as error:  # the point of the fuzzing: a traceback is a failure
            where = traceback.extract_tb(error.__traceback__)[-1]
            failures.append(f"{label}: {type(error).__name__}: {str(error)[:200]} ({where.filename}:{where.lineno})")
            continue
        if outcome == "accepted":
            accepted += 1
            if any(refuse for _, _, refuse in expected):
                failures.append(f"{label}: accepted")
            continue
        refused += 1
        unnamed = [message for message in messages if not NAMED.match(message)]
        if unnamed:
            failures.append(f"{label}: refused without naming a field: {unnamed[0][:200]!r}")
        elif len(expected) == 1 and expected[0][2] and expected[0][1]:
            if not any(related(message, expected[0][1]) for message in messages):
                failures.append(f"{label}: refused, but not at that field: {messages[:3]}")
    return {"variants": variants, "refused": refused, "accepted": accepted, "failures": failures}


if __name__ == "__main__":
    result = run(*map(int, sys.argv[1:3]))
    for failure in result["failures"]:
        print(failure)  # noqa: T201
    print({key: value for key, value in result.items() if key != "failures"}, len(result["failures"]), "failures")  # noqa: T201
