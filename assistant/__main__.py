"""`python -m assistant` is the policy-assistant command."""
import sys

from .cli import main

sys.exit(main())
