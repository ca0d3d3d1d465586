"""Steadyhand's statistics: pure numpy/scipy, no Django, usable on any agency's data."""
