"""Sales targets: `formulas` (how far along a target is, from its actual; no models), `services`
(writes, audited). The actuals come from `analytics.selectors.targets`."""
