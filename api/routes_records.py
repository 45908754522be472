"""Create / update (PUT upsert) / close / delete postings, trainees and courses; bulk JSON Lines import.

Every write goes store → in-memory world → indexes (`Engine.upsert`), so the next search sees it, and a
restart loses nothing that was acknowledged (the store commits before the response). Texts are encoded
before the engine's write lock is taken, so readers are not held up by the encoder.
"""

from __future__ import annotations

import json
from typing import Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select

from api.auth import Principal
from api.context import (
    AppContext,
    check_course_owner,
    check_posting_owner,
    check_trainee_access,
    get_ctx,
    require,
)
from api.errors import InputError
from api.schemas import COURSE_EXAMPLE, POSTING_EXAMPLE, TRAINEE_EXAMPLE, Offset, TopK
from matcher.catalogues.districts import load_districts
from matcher.indexing import INDEXED_KINDS
from matcher.ingest import ImportReport, jsonl_rows, validate_rows
from matcher.lint import lint_text
from matcher.schema import KINDS, Course, Posting, Record, Trainee
from matcher.store import TraineeRow, chunked
from matcher.texts import TEXT_OF

router = APIRouter()
POSTINGS = ["岗位管理 / postings"]
TRAINEES = ["学员档案 / trainees"]
COURSES = ["课程管理 / courses"]
ADMIN = ["管理 / admin"]
IMPORT_BATCH = 50  # rows per write-lock hold (each reader may wait one): eval/bench_import_contention.py


def _posting_path(posting_id: str = Path(..., min_length=1, max_length=64, description="岗位 id")) -> str:
    return posting_id


def _trainee_path(trainee_id: str = Path(..., min_length=1, max_length=64, description="学员 id")) -> str:
    return trainee_id


def _course_path(course_id: str = Path(..., min_length=1, max_length=64, description="课程 id")) -> str:
    return course_id


# --- shared write path ------------------------------------------------------------------------------


def _payload(record: Record) -> dict:
    return record.profile() if isinstance(record, Trainee) else record.model_dump(mode="json")


def prewarm(ctx: AppContext, kind: str, records: list[Record]) -> None:
    """Encode (into the embedding cache) what the engine will need, outside its write lock."""
    if kind not in INDEXED_KINDS or not records:
        return
    engine = ctx.require_engine()
    payloads = [_payload(r) for r in records]
    engine.encoder.encode([TEXT_OF[kind](p) for p in payloads], kind="passage")
    if kind == "postings":  # the world normalises titles to occupations
        engine.encoder.encode([p["title"].strip() or "-" for p in payloads], kind="query")


def _write(ctx: AppContext, kind: str, record: Record, *, create: bool, check_existing=None) -> tuple[bool, bool]:  # type: ignore[no-untyped-def]
    """(created, changed). `check_existing(old)` may raise 403 when the caller may not replace `old`."""
    engine = ctx.require_engine()
    prewarm(ctx, kind, [record])
    with ctx.create_lock:
        old = ctx.store.get(kind, record.id)
        if old is not None and create:
            raise HTTPException(409, detail=f"{record.id} 已存在；更新请用 PUT / already exists, use PUT to update")
        if old is not None and check_existing is not None:
            check_existing(old)
        result = engine.upsert(kind, [record])
        ctx.changed(kind, [record.id])
    return old is None, bool(result.inserted or result.updated)


def _lint_or_reject(posting: Posting) -> None:
    """网络招聘服务管理规定: a posting with discriminatory content is not published."""
    req = posting.requirements
    fields = {
        "body.title": posting.title,
        "body.description": posting.description,
        "body.requirements.education": req.education or "",
        "body.requirements.skills": "、".join(req.skills),
    }
    items = [
        {"field": field, "message": f"含歧视性内容“{f.phrase}”：{f.message}", "type": f"lint.{f.rule}"}
        for field, text in fields.items()
        for f in lint_text(text)
    ]
    if items:
        raise InputError.many(items)


def _check_path_id(record: Record, record_id: str) -> None:
    if record.id != record_id:
        raise InputError("body.id", f"请求体中的 id（{record.id}）与路径中的 id（{record_id}）不一致")


def _written(record: dict, created: bool, changed: bool, response: Response, **extra) -> dict:  # type: ignore[no-untyped-def]
    response.status_code = 201 if created else 200
    return {"created": created, "changed": changed, "record": record, **extra}


WRITE_RESPONSES = {
    201: {"description": "已创建 / created"},
    200: {"description": "已更新 / updated"},
    403: {"description": "无权操作此记录 / not yours"},
    409: {"description": "已存在 / exists"},
    422: {"description": "字段错误或含歧视性内容 / invalid field or discriminatory content"},
}


# --- postings -------------------------------------------------------------------------------------


@router.post(
    "/api/postings",
    tags=POSTINGS,
    status_code=201,
    responses=WRITE_RESPONSES,
    summary="发布岗位 / create a posting",
    description="用人单位只能以本单位名义发布（employer 须与密钥主体一致）；含歧视性内容的岗位被拒绝（422，指明字段与措辞）；"
    "发布后立即可被检索。Employers post under their own name; discriminatory content is rejected; "
    "visible to search at once. Roles: employer, admin.",
)
def create_posting(
    response: Response,
    body: Posting = Body(openapi_examples={"posting": {"summary": "消防设施操作员岗位", "value": POSTING_EXAMPLE}}),
    principal: Principal = Depends(require("employer", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    check_posting_owner(principal, body.employer)
    _lint_or_reject(body)
    created, changed = _write(ctx, "postings", body, create=True)
    return _written(body.model_dump(mode="json"), created, changed, response)


@router.put(
    "/api/postings/{posting_id}",
    tags=POSTINGS,
    responses=WRITE_RESPONSES,
    summary="新建或更新岗位 / create or replace a posting",
    description="按 id 覆盖写入（upsert）。Upsert by id. Roles: the posting's employer, admin.",
)
def put_posting(
    response: Response,
    posting_id: str = Depends(_posting_path),
    body: Posting = Body(
        openapi_examples={"posting": {"summary": "更新薪资", "value": POSTING_EXAMPLE | {"id": "API-P001"}}}
    ),
    principal: Principal = Depends(require("employer", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    _check_path_id(body, posting_id)
    check_posting_owner(principal, body.employer)
    _lint_or_reject(body)
    created, changed = _write(
        ctx, "postings", body, create=False, check_existing=lambda old: check_posting_owner(principal, old.employer)
    )
    return _written(body.model_dump(mode="json"), created, changed, response)


@router.post(
    "/api/postings/{posting_id}/close",
    tags=POSTINGS,
    summary="关闭岗位（招满/下架）/ close a posting",
    description="关闭后不再出现在推荐中。Closed postings leave job results at once. "
    "Roles: the posting's employer, office (compliance), admin.",
    responses={404: {"description": "岗位不存在"}},
)
def close_posting(
    posting_id: str = Depends(_posting_path),
    principal: Principal = Depends(require("employer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    engine = ctx.require_engine()
    with ctx.create_lock:
        posting = ctx.store.get("postings", posting_id)
        if posting is None:
            raise HTTPException(404, detail=f"岗位 {posting_id} 不存在")
        check_posting_owner(principal, posting.employer)  # type: ignore[attr-defined]
        changed = posting.status != "closed"  # type: ignore[attr-defined]
        if changed:
            posting = posting.model_copy(update={"status": "closed"})
            engine.upsert("postings", [posting])
            ctx.changed("postings", [posting_id])
    if principal.role != "employer":
        ctx.audit(principal, "posting_close", posting_id)
    return {"created": False, "changed": changed, "record": posting.model_dump(mode="json")}


@router.delete(
    "/api/postings/{posting_id}",
    tags=POSTINGS,
    status_code=204,
    summary="删除岗位 / delete a posting",
    description="Roles: the posting's employer, admin.",
    responses={404: {"description": "岗位不存在"}},
)
def delete_posting(
    posting_id: str = Depends(_posting_path),
    principal: Principal = Depends(require("employer", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    engine = ctx.require_engine()
    with ctx.create_lock:
        posting = ctx.store.get("postings", posting_id)
        if posting is None:
            raise HTTPException(404, detail=f"岗位 {posting_id} 不存在")
        check_posting_owner(principal, posting.employer)  # type: ignore[attr-defined]
        engine.delete("postings", posting_id)
        ctx.changed("postings", [posting_id], "delete")
    return Response(status_code=204)


# --- trainees -------------------------------------------------------------------------------------


@router.get(
    "/api/trainees",
    tags=TRAINEES,
    summary="学员列表（仅画像，不含个人信息）/ list trainee profiles",
    description="Roles: trainer, office, admin. 不含姓名、电话、身份证号与受保护属性；培训机构只看到参加本机构课程的学员，"
    "且看不到坐标与重点群体类别；写入审计日志。No personal fields; trainers see only trainees enrolled "
    "in their own courses, without coordinates or priority group; audited.",
)
def list_trainees(
    district: str | None = Query(None, max_length=50),
    consenting: bool | None = Query(None, description="只看同意/不同意被搜索的学员"),
    top_k: TopK = 20,
    offset: Offset = 0,
    principal: Principal = Depends(require("trainer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    conds = []
    if district:
        try:
            conds.append(TraineeRow.district == load_districts().resolve(district).name)
        except LookupError as exc:
            raise InputError("query.district", str(exc)) from exc
    if consenting is not None:
        conds.append(TraineeRow.consent_employer_search == consenting)
    if principal.role == "trainer":  # its own courses' trainees only; everyone else is in the aggregates
        conds.append(TraineeRow.id.in_(ctx.store.enrolled_with(principal.subject)))
    with ctx.store.session() as s:
        total = s.scalar(select(func.count()).select_from(TraineeRow).where(*conds)) or 0
        rows = list(
            s.execute(
                select(TraineeRow.payload).where(*conds).order_by(TraineeRow.id).offset(offset).limit(top_k)
            ).scalars()
        )
    if principal.role == "trainer":
        rows = [_trainer_view(r) for r in rows]
    ctx.audit(principal, "profile_list", None, f"returned={len(rows)} ids={','.join(r['id'] for r in rows)}")
    return {"total": total, "offset": offset, "top_k": top_k, "results": rows}


@router.post(
    "/api/trainees",
    tags=TRAINEES,
    status_code=201,
    responses=WRITE_RESPONSES,
    summary="登记学员 / register a trainee",
    description="Roles: office, admin.",
)
def create_trainee(
    response: Response,
    body: Trainee = Body(openapi_examples={"trainee": {"summary": "持电工四级证的学员", "value": TRAINEE_EXAMPLE}}),
    principal: Principal = Depends(require("office", "admin")),
    ctx: AppContext = Depends(get_ctx),
    consent_given_in_person: bool = Query(
        False, description="登记时学员当面同意被搜索 / the trainee consented in person"
    ),
) -> dict:
    if body.consent_employer_search and not consent_given_in_person:
        raise InputError(
            "body.consent_employer_search",
            "同意被用人单位搜索只能由学员本人作出；代为登记当面同意时请加 consent_given_in_person=true",
        )
    created, changed = _write(ctx, "trainees", body, create=True)
    ctx.audit(
        principal,
        "trainee_create",
        body.id,
        "consent_employer_search: True (given in person, recorded by office)" if body.consent_employer_search else None,
    )
    return _written(body.model_dump(mode="json"), created, changed, response)


@router.get(
    "/api/trainees/{trainee_id}",
    tags=TRAINEES,
    summary="学员档案 / a trainee's record",
    description="学员本人、人社办公室、管理员看到完整档案（含个人信息）；培训机构只能查看参加本机构课程的学员，且只看到画像"
    "（证书、技能、区县）。他人查看写入审计日志。Self/office/admin: full record; trainer: profile only, "
    "and only of trainees enrolled in its own courses; views by others audited.",
    responses={404: {"description": "学员不存在"}},
)
def get_trainee(
    trainee_id: str = Depends(_trainee_path),
    principal: Principal = Depends(require("trainee", "trainer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    check_trainee_access(ctx, principal, trainee_id, ("trainer", "office", "admin"))
    trainee = ctx.store.get("trainees", trainee_id)
    if trainee is None:
        raise HTTPException(404, detail=f"学员 {trainee_id} 不存在")
    if principal.role != "trainee":
        ctx.audit(principal, "profile_view", trainee_id)
    if principal.role == "trainer":
        return _trainer_view(trainee.profile())  # type: ignore[attr-defined]
    return trainee.model_dump(mode="json")


def _trainer_view(profile: dict) -> dict:
    """What a training provider needs to advise: no personal fields, the district not coordinates, and no
    priority group (残疾人, 返岗女性 … is the office's to see; trainers get it only in aggregates)."""
    return {k: v for k, v in profile.items() if k not in ("lon", "lat", "priority_group")}


@router.put(
    "/api/trainees/{trainee_id}",
    tags=TRAINEES,
    responses=WRITE_RESPONSES,
    summary="新建或更新学员档案（含是否同意被搜索）/ create or replace a trainee record",
    description="学员本人可更新自己的档案，包括 consent_employer_search（同意/撤回被用人单位搜索）。"
    "The trainee may update their own record, including consent. Roles: trainee (own), office, admin.",
)
def put_trainee(
    response: Response,
    trainee_id: str = Depends(_trainee_path),
    body: Trainee = Body(openapi_examples={"trainee": {"summary": "更新证书与同意状态", "value": TRAINEE_EXAMPLE}}),
    principal: Principal = Depends(require("trainee", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
    consent_given_in_person: bool = Query(
        False,
        description="人社办公室代为登记学员当面作出的同意时必须为 true"
        "（同意属于学员本人，PIPL 第14条）/ office records consent the trainee gave in person",
    ),
) -> dict:
    check_trainee_access(ctx, principal, trainee_id, ("office", "admin"))
    _check_path_id(body, trainee_id)
    old = ctx.store.get("trainees", trainee_id)
    before = bool(old.consent_employer_search) if old is not None else False
    after = bool(body.consent_employer_search)
    if principal.role != "trainee" and after and not before and not consent_given_in_person:
        raise InputError(
            "body.consent_employer_search",
            "同意被用人单位搜索只能由学员本人作出；代为登记当面同意时请加 consent_given_in_person=true",
        )
    created, changed = _write(ctx, "trainees", body, create=False)
    if before != after:  # who, when (the audit's own time), old → new
        how = " (given in person, recorded by office)" if principal.role != "trainee" else ""
        ctx.audit(principal, "consent_change", trainee_id, f"consent_employer_search: {before} → {after}{how}")
    if principal.role != "trainee":
        ctx.audit(principal, "trainee_update", trainee_id)
    return _written(body.model_dump(mode="json"), created, changed, response)


@router.delete(
    "/api/trainees/{trainee_id}",
    tags=TRAINEES,
    status_code=204,
    summary="删除学员档案（个人信息删除权）/ delete a trainee record",
    description="同时删除其联系请求。Also deletes their contact requests. Roles: trainee (own), office, admin.",
    responses={404: {"description": "学员不存在"}},
)
def delete_trainee(
    trainee_id: str = Depends(_trainee_path),
    principal: Principal = Depends(require("trainee", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    check_trainee_access(ctx, principal, trainee_id, ("office", "admin"))
    engine = ctx.require_engine()
    with ctx.create_lock:
        if ctx.store.get("trainees", trainee_id) is None:
            raise HTTPException(404, detail=f"学员 {trainee_id} 不存在")
        engine.delete("trainees", trainee_id)
        ctx.changed("trainees", [trainee_id], "delete")
        ctx.contacts.delete_for_trainee(trainee_id)
        ctx.keys.revoke_subject("trainee", trainee_id)  # the id may later name someone else
    ctx.audit(principal, "trainee_delete", trainee_id)
    return Response(status_code=204)


# --- courses --------------------------------------------------------------------------------------


@router.post(
    "/api/courses",
    tags=COURSES,
    status_code=201,
    responses=WRITE_RESPONSES,
    summary="新建课程 / create a course",
    description="培训机构只能以本机构名义（provider 与密钥主体一致）。Trainers create courses of their own provider. "
    "Roles: trainer, office, admin.",
)
def create_course(
    response: Response,
    body: Course = Body(openapi_examples={"course": {"summary": "电工中级取证班", "value": COURSE_EXAMPLE}}),
    principal: Principal = Depends(require("trainer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    check_course_owner(principal, body.provider)
    created, changed = _write(ctx, "courses", body, create=True)
    return _written(body.model_dump(mode="json"), created, changed, response)


@router.put(
    "/api/courses/{course_id}",
    tags=COURSES,
    responses=WRITE_RESPONSES,
    summary="新建或更新课程 / create or replace a course",
    description="Roles: trainer (own provider), office, admin.",
)
def put_course(
    response: Response,
    course_id: str = Depends(_course_path),
    body: Course = Body(openapi_examples={"course": {"summary": "电工中级取证班", "value": COURSE_EXAMPLE}}),
    principal: Principal = Depends(require("trainer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    _check_path_id(body, course_id)
    check_course_owner(principal, body.provider)
    created, changed = _write(
        ctx, "courses", body, create=False, check_existing=lambda old: check_course_owner(principal, old.provider)
    )
    return _written(body.model_dump(mode="json"), created, changed, response)


@router.delete(
    "/api/courses/{course_id}",
    tags=COURSES,
    status_code=204,
    summary="删除课程 / delete a course",
    description="Roles: trainer (own provider), office, admin.",
    responses={404: {"description": "课程不存在"}},
)
def delete_course(
    course_id: str = Depends(_course_path),
    principal: Principal = Depends(require("trainer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    engine = ctx.require_engine()
    with ctx.create_lock:
        course = ctx.store.get("courses", course_id)
        if course is None:
            raise HTTPException(404, detail=f"课程 {course_id} 不存在")
        check_course_owner(principal, course.provider)  # type: ignore[attr-defined]
        engine.delete("courses", course_id)
        ctx.changed("courses", [course_id], "delete")
    return Response(status_code=204)


# --- bulk import ----------------------------------------------------------------------------------

IMPORT_EXAMPLE = (
    '{"id": "IMP-P1", "title": "叉车工", "employer": "重庆示例物流有限公司", "district": "江津区", '
    '"requirements": {"certificates": [{"occupation": "叉车司机", "mandatory": true}]}}\n'
    '{"id": "IMP-P2", "title": "电工", "employer": "E", "district": "火星区"}\n'
)


def _import(ctx: AppContext, kind: str, body: bytes, file: str) -> dict:
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
                findings = [f.as_dict() for f in lint_text("\n".join([p.title, p.description]))]
                if findings and len(flagged) < 100:
                    flagged.append({"id": p.id, "findings": findings})
    out = report.as_dict()
    out["errors"] = out["errors"][:1000]
    out["warnings"] = out["warnings"][:1000]
    if kind == "postings":
        out["lint_flagged"] = flagged  # imported (the office reviews them), but reported
    return out


@router.post(
    "/api/import/{kind}",
    tags=ADMIN,
    summary="批量导入（JSON Lines）/ bulk import",
    description="请求体为 JSON Lines（每行一个对象，同数据约定）。逐行校验：好的行写入并立即可检索，坏的行报告行号与字段；"
    "按 id 幂等更新。Body: JSON Lines. Every bad row is reported with line and field; good rows are "
    "imported and searchable at once; idempotent by id. Role: admin. Max 50 MB.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/x-ndjson": {"schema": {"type": "string"}, "example": IMPORT_EXAMPLE}},
        }
    },
    responses={200: {"description": "导入报告 / import report (inserted, updated, unchanged, rejected, errors)"}},
)
async def bulk_import(
    request: Request,
    kind: Literal["postings", "trainees", "courses", "training_records", "placements"],
    file: str = Query(
        "request.jsonl", min_length=1, max_length=100, description="报告中使用的文件名 / name used in the report"
    ),
    principal: Principal = Depends(require("admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    raw = await request.body()
    if not raw.strip():
        raise InputError("body", "请求体为空：应为 JSON Lines，每行一个对象 / empty body")
    out = await run_in_threadpool(_import, ctx, kind, raw, file)
    ctx.audit(
        principal,
        "import",
        kind,
        json.dumps({k: out[k] for k in ("read", "inserted", "updated", "unchanged", "rejected")}),
    )
    return out


assert set(KINDS) == {"postings", "trainees", "courses", "training_records", "placements"}
