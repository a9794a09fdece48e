from . import test_pos_consolidation
