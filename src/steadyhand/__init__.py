"""Steadyhand: run a police de-escalation program the way the evidence says works."""

__version__ = "0.1.0"
