"""Split by area; see the modules."""
