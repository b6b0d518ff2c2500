"""`python -m ocpp_cli`: the same as the `ocpp-toolkit` console script."""

import sys

from ocpp_cli.main import main

if __name__ == "__main__":
    sys.exit(main())
