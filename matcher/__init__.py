"""Job matching for vocational-skills trainees in Chongqing: domain model, catalogues, store, ranking."""

__version__ = "0.1.0"
