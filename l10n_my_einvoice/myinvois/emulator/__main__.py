"""Entry point: ``python -m l10n_my_einvoice.myinvois.emulator --port 8089``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
