"""The service: the in-memory world, the engine that wires store + encoder + indexes, retrieval, the flows
(jobs, gap, candidates), office analytics, and the change feed between worker processes."""
