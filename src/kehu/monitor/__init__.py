"""Monitoring: alert rules and notifiers, feedback analysis, periodic reports."""
