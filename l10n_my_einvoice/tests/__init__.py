from . import test_code_tables
from . import test_company_certificate
from . import test_secrets
from . import test_partner_product_tax
from . import test_submit_flow
from . import test_pipeline
from . import test_concurrency
from . import test_uninstall
