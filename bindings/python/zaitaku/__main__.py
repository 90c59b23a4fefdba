"""``python -m zaitaku``: the same command line as ``zaitaku``."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
