from . import test_pos_consolidation, test_translations
