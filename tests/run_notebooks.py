#!/usr/bin/env python3
"""Execute the book's notebooks on the evcxr Rust kernel and fail loudly (calc_dl_nb.runner)."""

import sys

from calc_dl_nb.runner import main

if __name__ == "__main__":
    sys.exit(main())
