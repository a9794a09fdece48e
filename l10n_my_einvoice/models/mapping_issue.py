from dataclasses import dataclass


def field_label(record, field):
    """The label of ``record``'s field as the user sees it (translated); "" when it has none."""
    return record._fields[field]._description_string(record.env) if field in record._fields else ""


@dataclass(frozen=True)
class MappingIssue:
    """Something the accountant must fix, named in Odoo's words."""

    record: str  # display name of the record to fix
    field: str  # the field's label
    message: str
