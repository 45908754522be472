"""The pipeline KPIs the city steers by, defined once (the office API, `matcher kpi` and the demo README).

Definitions follow the seed documents (`../shared/seeds/`), which count training in 人次 (records):
- 培训与产业匹配度 ("培训项目与重点产业匹配度"): training records whose course occupation belongs to a target
  industry (`matcher.catalogues.industries`: the 33618 clusters and priority service fields) / records
  whose course is known;
- 培训总体就业率: trainees with a completed record who have a placement / trainees with a completed record;
- 重点群体培训占比: training records whose trainee belongs to a priority group / all records.
Extra figures the dashboard shows without a city target: 就业与产业匹配度 (placements in a target industry /
placements), 培训完成率 (completed records / records), 取证率 (certified records / completed records).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from matcher.catalogues.industries import load_industries

# key → (label, the city's target or None)
KPI_LABELS: dict[str, tuple[str, float | None]] = {
    "training_industry_match": ("培训与产业匹配度", 0.80),
    "employment_rate": ("培训总体就业率", 0.60),
    "priority_group_share": ("重点群体培训占比", 0.60),
    "placement_industry_match": ("就业与产业匹配度", None),
    "completion_rate": ("培训完成率", None),
    "certification_rate": ("取证率", None),
}


@cache
def target_occupations() -> frozenset[str]:
    return frozenset(c for ind in load_industries() for c in ind.occupations)


@cache
def target_industry_names() -> frozenset[str]:
    return frozenset(ind.name for ind in load_industries())


@dataclass(frozen=True)
class PipelineCounts:
    """What the KPIs are ratios of, so a reader can check a figure by hand."""

    training_records: int
    records_with_course: int
    records_in_target_industry: int
    records_in_priority_group: int
    completed_records: int
    certified_records: int
    completed_trainees: int
    placed_trainees: int
    placements: int
    placements_in_target_industry: int

    def ratios(self) -> dict[str, float | None]:
        def share(n: int, d: int) -> float | None:
            return round(n / d, 4) if d else None

        return {
            "training_industry_match": share(self.records_in_target_industry, self.records_with_course),
            "employment_rate": share(self.placed_trainees, self.completed_trainees),
            "priority_group_share": share(self.records_in_priority_group, self.training_records),
            "placement_industry_match": share(self.placements_in_target_industry, self.placements),
            "completion_rate": share(self.completed_records, self.training_records),
            "certification_rate": share(self.certified_records, self.completed_records),
        }


def pipeline_counts(
    training_records: Iterable[Mapping],
    placements: Iterable[Mapping],
    course_occupation: Mapping[str, str],
    in_priority_group: Callable[[str], bool],
) -> PipelineCounts:
    """Count training records and placements (contract payloads) against the definitions above."""
    records = list(training_records)
    placed_rows = list(placements)
    targets = target_occupations()
    with_course = [course_occupation[r["course_id"]] for r in records if r["course_id"] in course_occupation]
    completed = {r["trainee_id"] for r in records if r.get("completed")}
    placed = {p["trainee_id"] for p in placed_rows}
    industries = target_industry_names()
    return PipelineCounts(
        training_records=len(records),
        records_with_course=len(with_course),
        records_in_target_industry=sum(occ in targets for occ in with_course),
        records_in_priority_group=sum(in_priority_group(r["trainee_id"]) for r in records),
        completed_records=sum(1 for r in records if r.get("completed")),
        certified_records=sum(1 for r in records if r.get("completed") and r.get("certified_level")),
        completed_trainees=len(completed),
        placed_trainees=len(completed & placed),
        placements=len(placed_rows),
        placements_in_target_industry=sum(1 for p in placed_rows if p.get("industry") in industries),
    )
