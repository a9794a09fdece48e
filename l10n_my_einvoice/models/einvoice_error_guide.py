"""Problems in the accountant's words and language: the mapping's, the core validator's
(before sending) and LHDN's (an Invalid document), each naming the Odoo record and field
to fix, with LHDN's how-to-fix line and a link to the record.

The Malay texts are the core's (``Issue.message_ms``, ``Guide.fix_ms``, LHDN's own
``errorMS``): they are written once, there, and only chosen here.
"""

from markupsafe import Markup, escape

from ..myinvois import error_guide
from .einvoice_error_target import locate


def is_malay(env):
    return (env.lang or "").startswith("ms")


def in_language(env, english, malay):
    """``malay`` for a Malay user when there is one, else ``english``."""
    return malay if malay and is_malay(env) else english


def error_text(env, error):
    """A failed MyInvois call (core MyInvoisError) in the user's language; other errors as they are."""
    return in_language(env, str(error), getattr(error, "message_ms", None))


def mapping_message(env, issue):
    """A MappingIssue as one line: the record, the field label, what to do."""
    return env._(
        "%(record)s, field '%(field)s': %(message)s", record=issue.record, field=issue.field, message=issue.message
    )


def issue_message(env, issue, move=None, line_ids=None):
    """A core validation Issue as one line, on the record to fix when it can be placed."""
    target = locate(move, issue.path, line_ids) if move else None
    if target:
        return env._(
            "%(target)s: %(message)s (%(path)s)",
            target=target.label,
            message=in_language(env, issue.message, issue.message_ms),
            path=issue.path,
        )
    return f"{issue.path}: {in_language(env, issue.message, issue.message_ms)}"


def problem_messages(env, mapping_issues, core_issues, move=None, line_ids=None):
    """Every problem of a document that cannot be sent, in the user's words."""
    return [mapping_message(env, issue) for issue in mapping_issues] + [
        issue_message(env, issue, move, line_ids) for issue in core_issues
    ]


def explained_lines(env, move, errors, line_ids=None):
    """[(depth, target or None, LHDN's text, code, how-to-fix or "", path)] of LHDN's error
    objects; ``move`` may be empty (a consolidated e-invoice): nothing is placed then."""
    rows = []
    for item in error_guide.explain(errors):
        guide = item.guide
        text = in_language(env, item.text, item.text_ms) or (
            in_language(env, guide.meaning, guide.meaning_ms) if guide else ""
        )
        fix = in_language(env, guide.fix, guide.fix_ms) if guide else ""
        target = locate(move, item.where, line_ids) if move and item.where else None
        rows.append((item.depth, target, text, item.code, fix, item.path))
    return rows


def errors_html(env, move, errors, line_ids=None):
    """LHDN's errors as an HTML list: the record and field to fix (a link), LHDN's text and
    code, and the how-to-fix line; an error that cannot be placed keeps LHDN's path."""
    items = []
    for depth, target, text, code, fix, path in explained_lines(env, move, errors, line_ids):
        parts = []
        if target:
            parts.append(Markup('<a href="%s"><strong>%s</strong></a>: ') % (target.url, target.label))
        parts.append(escape(text))
        if code:
            parts.append(Markup(' <span class="text-muted">[%s]</span>') % code)
        if path and not target:
            parts.append(Markup(' <span class="text-muted">(%s)</span>') % path)
        if fix:
            parts.append(Markup("<br/><em>%s</em> %s") % (env._("How to fix:"), fix))
        style = Markup(' style="margin-left: %sem"') % (depth * 1.5) if depth else Markup("")
        items.append(Markup("<li%s>%s</li>") % (style, Markup("").join(parts)))
    return Markup('<ul class="mb-0 ps-3">%s</ul>') % Markup("").join(items) if items else False
