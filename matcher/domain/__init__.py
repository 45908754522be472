"""The pure domain: the contract, certificates, requirement extraction, features, ranking, reasons, lint,
privacy, KPIs. No I/O and no state: functions of their arguments (catalogues are read-only package data)."""
