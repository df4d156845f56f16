"""Threshold alerts on report metrics: `services` (writes, evaluation, the hourly check that
e-mails each owner once per alert and period). Values come from `analytics.selectors.alerts`."""
