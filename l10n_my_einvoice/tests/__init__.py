from . import (
    test_books_equal_lhdn,
    test_cancel_reject,
    test_code_tables,
    test_company_certificate,
    test_concurrency,
    test_document_details,
    test_partner_product_tax,
    test_pipeline,
    test_pipeline_defects,
    test_secrets,
    test_submit_flow,
    test_uninstall,
)
