from . import einvoice_document, pipeline_consolidate, pos_order
