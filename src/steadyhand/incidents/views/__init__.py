"""Incident pages: lists, the incident itself, the guided report and the statements.

Views parse input, call one service or selector, and render. ``@requires`` refuses roles that
never hold the action; ``incident_get_visible`` (which logs the read) and the services decide
about the record itself.
"""
