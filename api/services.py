"""What the routes do underneath: read, list and write records, rank for a trainee, search candidates for an
employer (masked and audited), contact requests, imports.

Routes parse the request, check the caller's role and shape the answer; these functions touch the store,
the engine and the audit log, so each rule (what an employer may see, what is audited, how a write reaches
the indexes) lives in one place. They raise `matcher.domain.errors` kinds, never HTTP statuses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, func, select

from api.context import AppContext, check_posting_owner
from matcher.catalogues.districts import load_districts
from matcher.catalogues.occupations import load_occupations
from matcher.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from matcher.domain.features import PersonView, PostingView
from matcher.domain.lint import lint_posting
from matcher.domain.privacy import employer_candidate
from matcher.domain.schema import Posting, StoredRecord, Trainee
from matcher.domain.texts import TEXT_OF
from matcher.ingest.importer import ImportReport, jsonl_rows, validate_rows
from matcher.service.flows import JobQuery, candidate_fit, candidates_for, jobs_for
from matcher.service.indexing import INDEXED_KINDS
from matcher.storage.keys import Principal
from matcher.storage.store import AuditRow, CourseRow, PostingRow, TraineeRow, chunked

IMPORT_BATCH = 50  # rows per write-lock hold (each reader may wait one): eval/bench_import_contention.py
NOUNS = {"postings": "岗位", "trainees": "学员", "courses": "课程"}


# --- lookups ------------------------------------------------------------------------------------------


def not_found(kind: str, record_id: str) -> NotFound:
    return NotFound(f"{NOUNS[kind]} {record_id} 不存在")


def get_record(ctx: AppContext, kind: str, record_id: str) -> StoredRecord:
    """A stored record named in the URL, or NotFound."""
    record = ctx.store.get(kind, record_id)
    if record is None:
        raise not_found(kind, record_id)
    return record


def district_name(text: str, field: str) -> str:
    """A district as people write it (名称、简称、代码) → its canonical name; InvalidInput naming `field`."""
    try:
        return load_districts().resolve(text).name
    except LookupError as exc:
        raise InvalidInput(field, str(exc)) from exc


def occupation_code(text: str, field: str) -> str:
    try:
        return load_occupations().resolve(text).code
    except LookupError as exc:
        raise InvalidInput(field, str(exc)) from exc


# --- listings -----------------------------------------------------------------------------------------


def _page(
    ctx: AppContext,
    query: Select[Any],
    conds: list[Any],
    table: type,
    offset: int,
    top_k: int,
    shown: Callable[[Any], dict] | None = None,
) -> dict:
    """One page of `query` (already ordered) under `conds`, with the total count; `shown` turns a row into
    what the answer lists (inside the session)."""
    with ctx.store.session() as s:
        total = s.scalar(select(func.count()).select_from(table).where(*conds)) or 0
        rows = s.execute(query.where(*conds).offset(offset).limit(top_k)).scalars()
        items = [shown(r) for r in rows] if shown is not None else list(rows)
    return {"total": total, "offset": offset, "top_k": top_k, "results": items}


def list_postings(
    ctx: AppContext, *, employer: str | None, district: str | None, status: str, offset: int, top_k: int
) -> dict:
    conds: list[Any] = []
    if employer:
        conds.append(PostingRow.employer == employer)
    if district:
        conds.append(PostingRow.district == district_name(district, "query.district"))
    if status != "all":
        conds.append(PostingRow.status == status)
    query = select(PostingRow.payload).order_by(PostingRow.posted_at.desc(), PostingRow.id)
    return _page(ctx, query, conds, PostingRow, offset, top_k)


def list_courses(
    ctx: AppContext,
    *,
    district: str | None,
    occupation: str | None,
    provider: str | None,
    offset: int,
    top_k: int,
) -> dict:
    conds: list[Any] = []
    if district:
        conds.append(CourseRow.district == district_name(district, "query.district"))
    if occupation:
        conds.append(CourseRow.occupation == occupation_code(occupation, "query.occupation"))
    if provider:
        conds.append(CourseRow.payload["provider"].as_string() == provider)
    query = select(CourseRow.payload).order_by(CourseRow.start_date, CourseRow.id)
    return _page(ctx, query, conds, CourseRow, offset, top_k)


def trainer_view(profile: dict) -> dict:
    """What a training provider needs to advise: no personal fields, the district not coordinates, and no
    priority group (残疾人, 返岗女性 … is the office's to see; trainers get it only in aggregates)."""
    return {k: v for k, v in profile.items() if k not in ("lon", "lat", "priority_group")}


def list_trainees(
    ctx: AppContext, principal: Principal, *, district: str | None, consenting: bool | None, offset: int, top_k: int
) -> dict:
    """Trainee profiles (never personal fields); a trainer sees its own courses' trainees only. Audited."""
    conds: list[Any] = []
    if district:
        conds.append(TraineeRow.district == district_name(district, "query.district"))
    if consenting is not None:
        conds.append(TraineeRow.consent_employer_search == consenting)
    if principal.role == "trainer":  # its own courses' trainees only; everyone else is in the aggregates
        conds.append(TraineeRow.id.in_(ctx.store.enrolled_with(principal.subject)))
    out = _page(ctx, select(TraineeRow.payload).order_by(TraineeRow.id), conds, TraineeRow, offset, top_k)
    if principal.role == "trainer":
        out["results"] = [trainer_view(r) for r in out["results"]]
    ids = ",".join(r["id"] for r in out["results"])
    ctx.audit(principal, "profile_list", None, f"returned={len(out['results'])} ids={ids}")
    return out


def read_trainee(ctx: AppContext, principal: Principal, trainee_id: str) -> dict:
    """The record as this caller may see it (a trainer: the profile only); views by others are audited."""
    trainee = get_record(ctx, "trainees", trainee_id)
    assert isinstance(trainee, Trainee)
    if principal.role != "trainee":
        ctx.audit(principal, "profile_view", trainee_id)
    if principal.role == "trainer":
        return trainer_view(trainee.profile())
    return trainee.model_dump(mode="json")


def audit_log(
    ctx: AppContext, *, actor: str | None, action: str | None, subject: str | None, offset: int, top_k: int
) -> dict:
    conds = [
        col == value
        for col, value in ((AuditRow.actor, actor), (AuditRow.action, action), (AuditRow.subject, subject))
        if value
    ]
    return _page(ctx, select(AuditRow).order_by(AuditRow.seq.desc()), conds, AuditRow, offset, top_k, _audit_entry)


def _audit_entry(r: AuditRow) -> dict:
    return {
        "seq": r.seq,
        "at": r.at.isoformat(),
        "actor": r.actor,
        "action": r.action,
        "subject": r.subject,
        "detail": r.detail,
    }


# --- writes: store → world → indexes --------------------------------------------------------------------


def _payload(record: StoredRecord) -> dict:
    return record.profile() if isinstance(record, Trainee) else record.model_dump(mode="json")


def prewarm(ctx: AppContext, kind: str, records: list[StoredRecord]) -> None:
    """Encode (into the embedding cache) what the engine will need, outside its write lock."""
    if kind not in INDEXED_KINDS or not records:
        return
    engine = ctx.require_engine()
    payloads = [_payload(r) for r in records]
    engine.encoder.encode([TEXT_OF[kind](p) for p in payloads], kind="passage")
    if kind == "postings":  # the world normalises titles to occupations
        engine.encoder.encode([p["title"].strip() or "-" for p in payloads], kind="query")


def write_record(
    ctx: AppContext,
    kind: str,
    record: StoredRecord,
    *,
    create: bool,
    check_existing: Callable[[StoredRecord], None] | None = None,
) -> tuple[bool, bool]:
    """(created, changed). `create`: Conflict when the id exists; `check_existing(old)` may refuse to replace."""
    engine = ctx.require_engine()
    prewarm(ctx, kind, [record])
    with ctx.create_lock:
        old = ctx.store.get(kind, record.id)
        if old is not None and create:
            raise Conflict(f"{record.id} 已存在；更新请用 PUT / already exists, use PUT to update")
        if old is not None and check_existing is not None:
            check_existing(old)
        result = engine.upsert(kind, [record])
        ctx.changed(kind, [record.id])
    return old is None, bool(result.inserted or result.updated)


CONSENT_BY_TRAINEE = "同意被用人单位搜索只能由学员本人作出；代为登记当面同意时请加 consent_given_in_person=true"


def save_trainee(
    ctx: AppContext, principal: Principal, trainee: Trainee, *, create: bool, consent_in_person: bool
) -> tuple[bool, bool]:
    """(created, changed). Consent to be searched is the trainee's own (PIPL Art. 14): anyone else may
    record it only as given in person; every consent change and every write by staff is audited."""
    old = None if create else ctx.store.get("trainees", trainee.id)
    before = isinstance(old, Trainee) and old.consent_employer_search
    after = trainee.consent_employer_search
    if principal.role != "trainee" and after and not before and not consent_in_person:
        raise InvalidInput("body.consent_employer_search", CONSENT_BY_TRAINEE)
    created, changed = write_record(ctx, "trainees", trainee, create=create)
    how = " (given in person, recorded by office)" if principal.role != "trainee" else ""
    if create:
        ctx.audit(principal, "trainee_create", trainee.id, f"consent_employer_search: True{how}" if after else None)
        return created, changed
    if before != after:  # who, when (the audit's own time), old → new
        ctx.audit(principal, "consent_change", trainee.id, f"consent_employer_search: {before} → {after}{how}")
    if principal.role != "trainee":
        ctx.audit(principal, "trainee_update", trainee.id)
    return created, changed


def close_posting(ctx: AppContext, principal: Principal, posting_id: str) -> dict:
    """Close a posting (its owner, or the office for compliance); closing twice changes nothing."""
    engine = ctx.require_engine()
    with ctx.create_lock:
        posting = get_record(ctx, "postings", posting_id)
        assert isinstance(posting, Posting)
        check_posting_owner(principal, posting.employer)
        changed = posting.status != "closed"
        if changed:
            posting = posting.model_copy(update={"status": "closed"})
            engine.upsert("postings", [posting])
            ctx.changed("postings", [posting_id])
    if principal.role != "employer":
        ctx.audit(principal, "posting_close", posting_id)
    return {"created": False, "changed": changed, "record": posting.model_dump(mode="json")}


def delete_record(
    ctx: AppContext,
    principal: Principal,
    kind: str,
    record_id: str,
    check_owner: Callable[[StoredRecord], None] | None = None,
) -> None:
    """Delete from store, world and indexes. A trainee takes their contact requests and keys along
    (the id may later name someone else), and the deletion is audited."""
    engine = ctx.require_engine()
    with ctx.create_lock:
        record = get_record(ctx, kind, record_id)
        if check_owner is not None:
            check_owner(record)
        engine.delete(kind, record_id)
        ctx.changed(kind, [record_id], "delete")
        if kind == "trainees":
            ctx.contacts.delete_for_trainee(record_id)
            ctx.keys.revoke_subject("trainee", record_id)
    if kind == "trainees":
        ctx.audit(principal, "trainee_delete", record_id)


def import_jsonl(ctx: AppContext, principal: Principal, kind: str, body: bytes, file: str) -> dict:
    """Every good row written (in batches, searchable at once), every bad one reported with line and field;
    postings with discriminatory text are imported but listed for the office to review. Audited."""
    engine = ctx.require_engine()
    report = ImportReport(kind=kind, file=file)
    flagged: list[dict] = []
    for batch in chunked(validate_rows(kind, jsonl_rows(body.split(b"\n"), file), file, report), IMPORT_BATCH):
        prewarm(ctx, kind, batch)
        report.add(engine.upsert(kind, batch))
        if kind in INDEXED_KINDS:
            ctx.changed(kind, [r.id for r in batch])
        if kind == "postings":
            for p in batch:
                assert isinstance(p, Posting)
                findings = [f.as_dict() for f in lint_posting(p)]
                if findings and len(flagged) < 100:
                    flagged.append({"id": p.id, "findings": findings})
    out = report.as_dict()
    out["errors"] = out["errors"][:1000]
    out["warnings"] = out["warnings"][:1000]
    if kind == "postings":
        out["lint_flagged"] = flagged
    counts = {k: out[k] for k in ("read", "inserted", "updated", "unchanged", "rejected")}
    ctx.audit(principal, "import", kind, json.dumps(counts))
    return out


# --- API keys -------------------------------------------------------------------------------------------


def create_key(ctx: AppContext, principal: Principal, role: str, subject: str, label: str | None) -> dict:
    """A new key (its secret shown this once); audited."""
    try:
        info, secret = ctx.keys.create(role, subject, label)
    except ValueError as exc:
        raise InvalidInput("body.subject", str(exc)) from exc
    ctx.audit(principal, "key_create", info["key_id"], f"role={role} subject={subject}")
    return {**info, "secret": secret}


def revoke_key(ctx: AppContext, principal: Principal, key_id: str) -> None:
    if not ctx.keys.revoke(key_id):
        raise NotFound(f"密钥 {key_id} 不存在或已吊销")
    ctx.audit(principal, "key_revoke", key_id)


# --- jobs for a person ----------------------------------------------------------------------------------

RANKING_NOTE = {
    "how": "得分 = Σ 权重 × 特征（证书、通勤、语义、技能、薪资、经验、新鲜度），持证上岗要求为硬性条件；"
    "性别、年龄、户籍、民族、婚育、健康等受保护属性从不参与排序。"
    "Score = Σ weight × feature; mandatory certificates are a hard filter; protected attributes are never used.",
    "non_personalised": "加 personalised=false 可获得不使用个人画像的排序（按发布时间、薪资）。PIPL Art. 24.",
}


def ranking_note(ctx: AppContext) -> dict:
    """How results are ranked, with the weights in force (transparency, PIPL Art. 24)."""
    return RANKING_NOTE | {"weights": ctx.settings.weights.model_dump()}


def page_results(results: list[dict], offset: int) -> list[dict]:
    page = results[offset:]
    for i, r in enumerate(page):
        r["rank"] = offset + i + 1
    return page


def stored_person(ctx: AppContext, trainee_id: str) -> PersonView:
    """The stored trainee named in the URL, as ranking sees them, or NotFound."""
    person = ctx.require_engine().world.trainees.get(trainee_id)
    if person is None:
        raise not_found("trainees", trainee_id)
    return person


def run_jobs(
    ctx: AppContext, person: PersonView, query: JobQuery, *, offset: int, top_k: int, trainee_id: str | None
) -> dict:
    """One page of jobs for a person (`query.k` must cover offset + top_k), with how they were ranked."""
    with ctx.reading() as engine:
        out = jobs_for(engine, person, query)
    out["results"] = page_results(out["results"], offset)
    return {"trainee_id": trainee_id, **out, "offset": offset, "top_k": top_k, "ranking": ranking_note(ctx)}


def audit_view(ctx: AppContext, principal: Principal, action: str, trainee_id: str) -> None:
    """A trainer, office or admin reading a trainee's jobs or gap sees their profile: audited like a view."""
    if principal.role != "trainee":
        ctx.audit(principal, action, trainee_id)


# --- employer side: candidates (consenting only, masked, audited) ----------------------------------------


def owned_posting(ctx: AppContext, principal: Principal, posting_id: str) -> PostingView:
    """The posting named in the URL, if this caller may act on it (an employer: its own)."""
    view = ctx.require_engine().world.postings.get(posting_id)
    if view is None:
        raise not_found("postings", posting_id)
    check_posting_owner(principal, view.employer)
    return view


def consenting_person(ctx: AppContext, trainee_id: str) -> PersonView:
    """A candidate an employer may see: exists and consented (the same 404 either way: no oracle)."""
    engine = ctx.require_engine()
    meta = engine.world.trainee_meta.get(trainee_id)
    person = engine.world.trainees.get(trainee_id)
    if meta is None or person is None or not meta.consent:
        raise NotFound(f"候选人 {trainee_id} 不存在或未同意被用人单位搜索 / no such consenting candidate")
    return person


def contacts_for(ctx: AppContext, principal: Principal, trainee_ids: list[str]) -> dict[str, dict]:
    """The contact this caller may see per trainee: full only once released to this employer."""
    employer = principal.subject if principal.role == "employer" else None
    return ctx.contacts.contacts_for(employer, trainee_ids)


def search_candidates(
    ctx: AppContext,
    principal: Principal,
    posting: PostingView,
    *,
    offset: int,
    top_k: int,
    radius_km: float | None,
    has_location: bool = True,
    audit: tuple[str, str | None, str],
) -> dict:
    """One page of candidates for a posting as this caller may see them; `audit` = (action, subject, note)
    of the audit entry, which also lists the ids returned."""
    with ctx.reading() as engine:
        out = candidates_for(engine, posting, k=offset + top_k, radius_km=radius_km, has_location=has_location)
    page = page_results(out["results"], offset)
    contacts = contacts_for(ctx, principal, [r["trainee"]["id"] for r in page])
    results = [employer_candidate(r, contacts[r["trainee"]["id"]]) for r in page]
    action, subject, note = audit
    ids = ",".join(r["trainee"]["id"] for r in results)
    ctx.audit(principal, action, subject, f"{note}returned={len(results)} trainees={ids}")
    return {
        "posting": out["posting"],
        "consenting_pool": out["consenting_pool"],
        "considered": out["considered"],
        "offset": offset,
        "top_k": top_k,
        "results": results,
    }


def view_candidate(ctx: AppContext, principal: Principal, posting_id: str, trainee_id: str) -> dict:
    """One consenting candidate's fit for a posting, as this caller may see it. Audited."""
    posting = owned_posting(ctx, principal, posting_id)
    with ctx.reading() as engine:
        result = candidate_fit(engine, posting, consenting_person(ctx, trainee_id))
    contact = contacts_for(ctx, principal, [trainee_id])[trainee_id]
    ctx.audit(principal, "candidate_view", trainee_id, f"posting={posting_id} contact_released={contact['released']}")
    return {"posting_id": posting_id, **employer_candidate(result, contact)}


# --- contact requests -------------------------------------------------------------------------------------


def request_contact(
    ctx: AppContext, principal: Principal, posting_id: str, trainee_id: str, message: str | None
) -> tuple[dict, bool]:
    """(request, created): an employer asks a consenting candidate of its own open posting. Audited."""
    posting = owned_posting(ctx, principal, posting_id)
    if not posting.is_open:
        raise Conflict(f"岗位 {posting_id} 已关闭 / posting is closed")
    consenting_person(ctx, trainee_id)
    req, created = ctx.contacts.create(posting_id, trainee_id, principal.subject, message)
    ctx.audit(principal, "contact_request", trainee_id, f"posting={posting_id} request={req['id']} created={created}")
    return req, created


def employer_requests(ctx: AppContext, principal: Principal, status: str | None, offset: int, top_k: int) -> dict:
    """An employer's requests, each with the contact it may see; seeing released contacts is audited."""
    items = ctx.contacts.for_employer(principal.subject, offset, top_k, status)
    contacts = contacts_for(ctx, principal, sorted({r["trainee_id"] for r in items}))
    for r in items:
        r["contact"] = contacts[r["trainee_id"]]
    released = sorted({r["trainee_id"] for r in items if r["contact"].get("released")})
    if released:
        ctx.audit(principal, "contact_view", None, f"trainees={','.join(released)}")
    return {"offset": offset, "top_k": top_k, "results": items}


def trainee_requests(ctx: AppContext, trainee_id: str, offset: int, top_k: int) -> dict:
    """The requests a trainee received, each with the posting it is about (None once deleted)."""
    get_record(ctx, "trainees", trainee_id)
    items = ctx.contacts.for_trainee(trainee_id, offset, top_k)
    engine = ctx.engine
    for r in items:
        view = engine.world.postings.get(r["posting_id"]) if engine is not None else None
        r["posting"] = (
            {"id": r["posting_id"], "title": view.title, "employer": view.employer, "district": view.district}
            if view is not None
            else None
        )
    return {"trainee_id": trainee_id, "offset": offset, "top_k": top_k, "results": items}


def decide_contact(ctx: AppContext, principal: Principal, trainee_id: str, request_id: str, status: str) -> dict:
    """The trainee's own decision (PIPL: separate consent): accepted releases the contact to that employer."""
    if principal.subject != trainee_id:
        raise Forbidden("只有学员本人可以决定 / only the trainee may decide")
    req = ctx.contacts.get(request_id)
    if req is None or req["trainee_id"] != trainee_id:
        raise NotFound(f"联系请求 {request_id} 不存在")
    decided = ctx.contacts.decide(request_id, status)
    assert decided is not None
    ctx.audit(
        principal,
        f"contact_{'accept' if status == 'accepted' else 'decline'}",
        trainee_id,
        f"request={request_id} employer={decided['employer']} posting={decided['posting_id']}",
    )
    return decided
