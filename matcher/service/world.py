"""In-memory views of postings, trainee profiles and courses, kept in step with the store.

Ranking reads only these views. Trainee views are built from profiles (no personal fields). Filters
over postings (open, radius, pay floor, shift, districts) run vectorised on numpy arrays that are
rebuilt lazily after writes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matcher.catalogues.districts import load_districts
from matcher.catalogues.levels import Level, parse_level
from matcher.catalogues.occupations import load_occupations
from matcher.domain.features import Cert, PersonView, PostingView
from matcher.domain.geo import bank_code, haversine_km, haversine_vec

log = logging.getLogger(__name__)

INFER_MIN_SCORE = 0.6  # fallback for an encoder never calibrated (`python -m models.calibrate`)
THRESHOLDS_FILE = Path("models") / "normaliser_thresholds.json"  # written by models.calibrate


def inference_threshold(home: Path, encoder_id: str) -> float:
    """How sure the normaliser must be before a title's occupation counts: calibrated on the training
    dev split for this encoder (models.calibrate), else the fallback."""
    path = Path(home) / THRESHOLDS_FILE
    try:
        known = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, json.JSONDecodeError):
        known = {}
    entry = known.get(encoder_id)
    if entry is None:
        log.warning(
            "normaliser threshold for %s not calibrated; using %.2f (run python -m models.calibrate)",
            encoder_id,
            INFER_MIN_SCORE,
        )
        return INFER_MIN_SCORE
    return float(entry["threshold"])


@dataclass(frozen=True)
class CourseView:
    id: str
    title: str
    provider: str
    district: str
    lon: float
    lat: float
    occupation: str
    level: Level | None
    skills: tuple[str, ...]
    hours: float
    format: str
    subsidised: bool
    start_date: dt.date | None
    seats: int | None


@dataclass(frozen=True)
class TraineeMeta:
    """Non-protected facts about a trainee used outside ranking (visibility, statistics)."""

    consent: bool
    priority_group: str | None


def _point(d: dict) -> tuple[float, float, bool]:
    if d.get("lon") is not None and d.get("lat") is not None:
        return float(d["lon"]), float(d["lat"]), True
    district = load_districts().resolve(d["district"])
    return district.lon, district.lat, False


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def person_from_profile(p: dict) -> PersonView:
    lon, lat, exact = _point(p)
    return PersonView(
        district=p["district"],
        lon=lon,
        lat=lat,
        exact_point=exact,
        id=p.get("id"),
        certs=tuple(Cert.from_dict(c) for c in p.get("certificates", [])),
        skills=tuple(p.get("skills", [])),
        experience_years=float(p.get("experience_years") or 0),
        desired_salary=p.get("desired_salary"),
    )


def posting_from_payload(p: dict, inferred: Iterable[str] = ()) -> PostingView:
    lon, lat, exact = _point(p)
    req = p.get("requirements") or {}
    certs = tuple(Cert.from_dict(c) for c in req.get("certificates", []))
    occupations = frozenset({c.occupation for c in certs if c.occupation is not None} | set(inferred))
    cat = load_occupations()
    names = " ".join(cat.get(o).name for o in occupations)
    text = " ".join([p["title"], p.get("description") or "", " ".join(req.get("skills", [])), names]).lower()
    return PostingView(
        id=p["id"],
        title=p["title"],
        employer=p["employer"],
        district=p["district"],
        lon=lon,
        lat=lat,
        exact_point=exact,
        certs=certs,
        skills=tuple(req.get("skills", [])),
        min_experience_years=float(req.get("min_experience_years") or 0),
        salary_min=p.get("salary_min"),
        salary_max=p.get("salary_max"),
        shift=p.get("shift"),
        posted_at=_date(p.get("posted_at")),
        is_open=p.get("status", "open") == "open",
        occupations=occupations,
        inferred=frozenset(inferred) - {c.occupation for c in certs},
        text=text,
        industry=p.get("industry"),
    )


def course_from_payload(c: dict) -> CourseView:
    district = load_districts().resolve(c["district"])
    return CourseView(
        id=c["id"],
        title=c["title"],
        provider=c["provider"],
        district=c["district"],
        lon=district.lon,
        lat=district.lat,
        occupation=c["occupation"],
        level=parse_level(c.get("level")),
        skills=tuple(c.get("skills", [])),
        hours=float(c["hours"]),
        format=c.get("format", "线下"),
        subsidised=bool(c.get("subsidised")),
        start_date=_date(c.get("start_date")),
        seats=c.get("seats"),
    )


class World:
    def __init__(self, normaliser=None, infer_min_score: float = INFER_MIN_SCORE) -> None:
        self.normaliser = normaliser
        self.infer_min_score = infer_min_score
        self.postings: dict[str, PostingView] = {}
        self.trainees: dict[str, PersonView] = {}
        self.trainee_meta: dict[str, TraineeMeta] = {}
        self.courses: dict[str, CourseView] = {}
        self.by_occupation: dict[str, set[str]] = defaultdict(set)  # posting ids by occupation
        self.trainees_by_occupation: dict[str, set[str]] = defaultdict(set)
        self._lock = threading.RLock()
        self._arrays: dict[str, Any] | None = None  # see _posting_arrays
        self._signatures: dict[tuple, int] = {}  # see _signature
        self._consenting: dict[str, frozenset[str]] | None = None  # see consenting_by_district

    # --- loading and writes -------------------------------------------------------------------
    def load(self, store) -> World:
        self.set_postings(list(store.payloads("postings")))
        for p in store.profiles():
            self.set_trainee(p)
        for c in store.payloads("courses"):
            self.set_course(c)
        return self

    def infer_occupations(self, titles: list[str]) -> list[list[str]]:
        """The occupation each title names (for postings without one); pure, so writers run it
        before they take the engine's write lock."""
        if self.normaliser is None or not titles:
            return [[] for _ in titles]
        return [
            [m.code for m in matches if m.score >= self.infer_min_score][:1]
            for matches in self.normaliser.normalise_many(titles, k=1)
        ]

    def set_postings(self, payloads: list[dict], inferred: list[list[str]] | None = None) -> None:
        """Upsert many postings; titles are normalised in one batch (unless `inferred` already says)."""
        if inferred is None:
            inferred = self.infer_occupations([p["title"] for p in payloads])
        with self._lock:
            views = []
            for p, inf in zip(payloads, inferred, strict=True):
                self._drop_posting(p["id"])
                view = posting_from_payload(p, inf)
                self.postings[view.id] = view
                views.append(view)
                for occ in view.occupations:
                    self.by_occupation[occ].add(view.id)
            self._patch_arrays(views, [])

    def _drop_posting(self, posting_id: str) -> None:
        old = self.postings.pop(posting_id, None)
        if old is not None:
            for occ in old.occupations:
                self.by_occupation[occ].discard(posting_id)

    def remove_posting(self, posting_id: str) -> None:
        with self._lock:
            self._drop_posting(posting_id)
            self._patch_arrays([], [posting_id])

    def set_trainee(self, profile: dict) -> None:
        with self._lock:
            self.remove_trainee(profile["id"])  # also drops the consenting cache
            tid: str = profile["id"]
            view = person_from_profile(profile)
            self.trainees[tid] = view
            self.trainee_meta[tid] = TraineeMeta(
                bool(profile.get("consent_employer_search")),
                profile.get("priority_group"),
            )
            for occ in view.occupations:
                self.trainees_by_occupation[occ].add(tid)

    def remove_trainee(self, trainee_id: str) -> None:
        with self._lock:
            self._consenting = None
            old = self.trainees.pop(trainee_id, None)
            self.trainee_meta.pop(trainee_id, None)
            if old is not None:
                for occ in old.occupations:
                    self.trainees_by_occupation[occ].discard(trainee_id)

    def set_course(self, payload: dict) -> None:
        with self._lock:
            self.courses[payload["id"]] = course_from_payload(payload)

    def remove_course(self, course_id: str) -> None:
        with self._lock:
            self.courses.pop(course_id, None)

    # --- queries ------------------------------------------------------------------------------
    def consenting_by_district(self) -> dict[str, frozenset[str]]:
        """Trainees who consent to employer search, by district: what an employer's search may see (its
        radius works on district centres anyway). Cached until the next trainee write."""
        with self._lock:
            if self._consenting is None:
                found: dict[str, set[str]] = defaultdict(set)
                for tid, meta in self.trainee_meta.items():
                    if meta.consent:
                        found[self.trainees[tid].district].add(tid)
                self._consenting = {d: frozenset(ids) for d, ids in found.items()}
            return self._consenting

    @property
    def today(self) -> dt.date:
        """The data's own clock: the newest posting date (so a static demo world does not age), never
        ahead of the real date (one record dated 9999-12-31 cannot move it)."""
        newest = self._posting_arrays()["newest"]
        return min(dt.date.today(), newest) if newest is not None else dt.date.today()

    def _posting_arrays(self) -> dict:
        """Columns of every posting, for the vectorised filters and features (`matcher.domain.scoring`). Built
        once; a write patches a copy of the columns and swaps the dict (copy-on-write: O(rows) numpy
        copies, not a Python rebuild — that cost ~150 ms per write at 100k postings, paid by the next
        search), so a reader holding one dict sees one consistent state."""
        with self._lock:
            if self._arrays is None:
                self._arrays = self._columns(list(self.postings.values()))
            return self._arrays

    def posting_columns(self) -> dict:
        """The current columns (see `_posting_arrays`); `row` maps a live id to its row. Read-only."""
        return self._posting_arrays()

    def _columns(self, views: list[PostingView]) -> dict:
        values = self._column_values(views)
        cols: dict[str, Any] = {key: np.array(values[key], dtype=dtype) for key, dtype in COLUMN_TYPES.items()}
        view_col = np.empty(len(views), dtype=object)
        view_col[:] = views
        cols |= {
            "ids": np.array([v.id for v in views], dtype=object),
            "view": view_col,
            "live": np.ones(len(views), dtype=bool),
            "newest": max((v.posted_at for v in views if v.posted_at is not None), default=None),
            "row": {v.id: n for n, v in enumerate(views)},
            "open_ids": None,
        }  # open_ids: made on first use
        return cols

    def _column_values(self, views: list[PostingView]) -> dict[str, list]:
        return {
            "lon": [v.lon for v in views],
            "lat": [v.lat for v in views],
            "open": [v.is_open for v in views],
            "pay": [_pay(v) for v in views],
            "district": [v.district for v in views],
            "shift": [v.shift or "" for v in views],
            "salary_min": [np.nan if v.salary_min is None else v.salary_min for v in views],
            "salary_max": [np.nan if v.salary_max is None else v.salary_max for v in views],
            "min_experience": [v.min_experience_years for v in views],
            "posted": [np.nan if v.posted_at is None else v.posted_at.toordinal() for v in views],
            "bank": [bank_code(v.district) for v in views],
            "requirements": [self._signature(v) for v in views],
        }

    def _signature(self, v: PostingView) -> int:
        """An id for what `certificate_fit` reads of a posting (requirements, occupations): postings that
        share one need a single fit per person (`matcher.domain.scoring`)."""
        key = (v.certs, v.occupations, v.inferred)
        found = self._signatures.get(key)
        if found is None:
            found = self._signatures[key] = len(self._signatures)
        return found

    def _patch_arrays(self, views: list[PostingView], removed: list[str]) -> None:
        """Apply upserted `views` and `removed` ids to a copy of the columns (lock held)."""
        a = self._arrays
        if a is None:
            return
        rows = a["row"]
        fresh = [v for v in views if v.id not in rows]
        old = [v for v in views if v.id in rows]
        gone = [rows[i] for i in removed if i in rows]
        dead = int((~a["live"]).sum()) + len(gone)
        if dead > 0.1 * max(1, len(rows)):  # many dead rows: rebuild on the next read instead
            self._arrays = None
            return
        b = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in a.items()}
        at = np.fromiter((rows[v.id] for v in old), dtype=np.int64, count=len(old))
        for key, values in self._column_values(old).items():
            b[key][at] = values
        for n, v in zip(at.tolist(), old, strict=True):
            b["view"][n] = v
        if gone:
            b["live"][gone] = False
            b["open"][gone] = False
        if fresh:
            more = self._columns(fresh)
            for key in (*COLUMN_TYPES, "ids", "view", "live"):
                b[key] = np.concatenate([b[key], more[key]])
        if fresh or gone:  # a removed id keeps its (dead) row, but `row` no longer finds it
            b["row"] = rows = rows.copy()  # a C-level copy: ~4 ms at 100k rows, a comprehension takes 13
            for i in removed:
                rows.pop(i, None)
            rows.update((v.id, len(b["ids"]) - len(fresh) + n) for n, v in enumerate(fresh))
        dates = [v.posted_at for v in views if v.posted_at is not None]
        b["newest"] = max([d for d in (a["newest"], *dates) if d is not None], default=None)
        b["open_ids"] = None
        self._arrays = b

    def _open_ids(self, a: dict) -> frozenset[str]:
        with self._lock:
            if a["open_ids"] is None:
                a["open_ids"] = frozenset(a["ids"][a["open"]].tolist())
            return a["open_ids"]

    def filter_postings(
        self,
        *,
        open_only: bool = True,
        center: tuple[float, float] | None = None,
        radius_km: float | None = None,
        pay_floor: int | None = None,
        shift: str | None = None,
        districts: Iterable[str] | None = None,
    ) -> Set[str]:
        """Ids of postings passing every given filter (read-only: the common case is a shared cache)."""
        a = self._posting_arrays()
        if open_only and radius_km is None and pay_floor is None and not shift and districts is None:
            return self._open_ids(a)  # the common case, cached until the next write
        return set(a["ids"][self._mask(a, open_only, center, radius_km, pay_floor, shift, districts)].tolist())

    def filter_rows(
        self,
        *,
        open_only: bool = True,
        center: tuple[float, float] | None = None,
        radius_km: float | None = None,
        pay_floor: int | None = None,
        shift: str | None = None,
        districts: Iterable[str] | None = None,
    ) -> tuple[dict, np.ndarray]:
        """The same filter as row numbers of the columns it was computed on: (columns, rows)."""
        a = self._posting_arrays()
        return a, np.flatnonzero(self._mask(a, open_only, center, radius_km, pay_floor, shift, districts))

    @staticmethod
    def _mask(
        a: dict,
        open_only: bool,
        center: tuple[float, float] | None,
        radius_km: float | None,
        pay_floor: int | None,
        shift: str | None,
        districts: Iterable[str] | None,
    ) -> np.ndarray:
        mask = a["live"].copy()
        if open_only:
            mask &= a["open"]
        if radius_km is not None and center is not None:
            mask &= haversine_vec(center[0], center[1], a["lon"], a["lat"]) <= radius_km
        if pay_floor is not None:
            mask &= a["pay"] >= pay_floor
        if shift:
            mask &= np.array([shift in s for s in a["shift"]], dtype=bool)
        if districts is not None:
            mask &= np.isin(a["district"], list(districts))
        return mask


# the numeric and string columns of `_posting_arrays` (besides ids, views and bookkeeping)
COLUMN_TYPES = {
    "lon": np.float64,
    "lat": np.float64,
    "open": bool,
    "pay": np.float64,
    "district": object,
    "shift": object,
    "salary_min": np.float64,
    "salary_max": np.float64,
    "min_experience": np.float64,
    "posted": np.float64,
    "bank": np.int8,
    "requirements": np.int64,
}


def _pay(v: PostingView) -> float:
    return v.salary_max if v.salary_max is not None else (v.salary_min or -1)


__all__ = ["World", "CourseView", "TraineeMeta", "person_from_profile", "posting_from_payload", "haversine_km"]
