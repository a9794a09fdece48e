# The Odoo layer is loaded only when Odoo imports this package as an addon, so
# that the MyInvois core (``l10n_my_einvoice.myinvois``) stays importable and
# testable without Odoo.
if __name__.startswith("odoo.addons."):
    from . import controllers, models, wizard
    from .hooks import post_init_hook
