from dataclasses import dataclass


@dataclass(frozen=True)
class MappingIssue:
    """Something the accountant must fix, named in Odoo's words."""

    record: str  # display name of the record to fix
    field: str  # the field's label
    message: str
