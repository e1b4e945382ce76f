import sys

from pagetrail.cli import main

sys.exit(main())
