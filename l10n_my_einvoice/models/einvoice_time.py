"""Times as people read them: on screen in the user's time zone, in texts that outlive
the request (the chatter, the PDF) in Malaysia time; always naming the zone."""

from odoo.tools import format_datetime

MALAYSIA_TZ = "Asia/Kuala_Lumpur"  # UTC+8 all year: Malaysia has no daylight saving


def user_time(env, value):
    """A naive UTC datetime in the user's time zone (Malaysia's when the user has none)."""
    tz = env.context.get("tz") or env.user.tz or MALAYSIA_TZ
    return env._("%(time)s (%(zone)s)", time=format_datetime(env, value, tz=tz), zone=tz)


def malaysia_time(env, value):
    """A naive UTC datetime in Malaysia time, for texts every reader sees alike."""
    return env._("%(time)s Malaysia time (UTC+8)", time=format_datetime(env, value, tz=MALAYSIA_TZ))
