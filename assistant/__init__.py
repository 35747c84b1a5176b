"""policy-assistant: grounded, cited answers over policy documents in Italian, Korean and English."""

__version__ = "0.1.0"
