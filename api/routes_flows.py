"""The user flows over HTTP: jobs for a trainee, skill gap → courses, candidates for a posting, contact requests.

Privacy (PIPL, 网络招聘服务管理规定): candidate results are built from a whitelist of profile facts (no
身份证号, exact address, coordinates or protected attributes); the contact is masked until the trainee
accepts a contact request from that employer; every candidate search and profile view by an employer
is written to the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Response
from pydantic import ValidationError

from api.auth import Principal
from api.context import AppContext, check_posting_owner, check_trainee_access, get_ctx, optional_principal, require
from api.errors import InputError
from api.schemas import AdhocGap, AdhocProfile, CandidateText, ContactRequestIn, JobOptions, Offset, Radius, TopK
from matcher.catalogues.districts import load_districts
from matcher.flows import (
    FlowInputError,
    JobQuery,
    adhoc_person,
    candidate_fit,
    candidates_for,
    gap,
    jobs_for,
    posting_from_text,
)
from matcher.geo import in_chongqing
from matcher.ingest import format_loc

router = APIRouter()
TRAINEE = ["学员 / trainee"]
EMPLOYER = ["用人单位 / employer"]
PUBLIC = ["公开接口 / public"]
TrainerOffice = ("trainer", "office", "admin")

RANKING_NOTE = {
    "how": "得分 = Σ 权重 × 特征（证书、通勤、语义、技能、薪资、经验、新鲜度），持证上岗要求为硬性条件；"
    "性别、年龄、户籍、民族、婚育、健康等受保护属性从不参与排序。"
    "Score = Σ weight × feature; mandatory certificates are a hard filter; protected attributes are never used.",
    "non_personalised": "加 personalised=false 可获得不使用个人画像的排序（按发布时间、薪资）。PIPL Art. 24.",
}


def _ranking(ctx: AppContext) -> dict:
    note = getattr(ctx, "_ranking_note", None)
    if note is None:  # settings do not change while the app runs
        note = ctx._ranking_note = RANKING_NOTE | {"weights": ctx.settings.weights.model_dump()}  # type: ignore[attr-defined]
    return note


def _page_results(results: list[dict], offset: int) -> list[dict]:
    page = results[offset:]
    for i, r in enumerate(page):
        r["rank"] = offset + i + 1
    return page


def _trainee_id(trainee_id: str = Path(..., min_length=1, max_length=64, description="学员 id")) -> str:
    return trainee_id


def _posting_id(posting_id: str = Path(..., min_length=1, max_length=64, description="岗位 id")) -> str:
    return posting_id


def _run_jobs(ctx: AppContext, person, opts: JobOptions, trainee_id: str | None) -> dict:  # type: ignore[no-untyped-def]
    query = JobQuery(
        k=opts.offset + opts.top_k,
        radius_km=opts.radius_km,
        pay_floor=opts.pay_floor,
        shift=opts.shift,
        districts=list(opts.districts) if opts.districts else None,
        personalised=opts.personalised,
        max_commute_minutes=opts.max_commute_minutes,
        include_far=opts.include_far,
    )
    with ctx.reading() as engine:
        out = jobs_for(engine, person, query)
    out["results"] = _page_results(out["results"], opts.offset)
    return {"trainee_id": trainee_id, **out, "offset": opts.offset, "top_k": opts.top_k, "ranking": _ranking(ctx)}


def _stored_person(ctx: AppContext, trainee_id: str):  # type: ignore[no-untyped-def]
    engine = ctx.require_engine()
    person = engine.world.trainees.get(trainee_id)
    if person is None:
        raise HTTPException(404, detail=f"学员 {trainee_id} 不存在")
    return person


def job_query_options(
    top_k: TopK = 20,
    offset: Offset = 0,
    radius_km: Radius = None,
    pay_floor: int | None = Query(None, ge=0, le=1_000_000, description="最低月薪（元）/ minimum monthly pay"),
    shift: str | None = Query(None, min_length=1, max_length=20, description="班次关键词，如“白班”"),
    district: list[str] | None = Query(None, max_length=41, description="只看这些区县（可重复）/ only these districts"),
    personalised: bool = Query(True, description="false：非个性化排序 / non-personalised ranking (PIPL Art. 24)"),
    max_commute_minutes: float | None = Query(None, gt=0, le=600, description="单程通勤上限（分钟）/ maximum commute"),
    include_far: bool = Query(False, description="也列出超出通勤上限的岗位（标注 ✗）/ list far jobs too, marked"),
) -> JobOptions:
    names = None
    if district:
        names = []
        for i, d in enumerate(district):
            try:
                names.append(load_districts().resolve(d).name)
            except LookupError as exc:
                raise InputError(f"query.district[{i}]", str(exc)) from exc
    try:
        return JobOptions(
            top_k=top_k,
            offset=offset,
            radius_km=radius_km,
            pay_floor=pay_floor,
            shift=shift,
            districts=names,
            personalised=personalised,
            max_commute_minutes=max_commute_minutes,
            include_far=include_far,
        )
    except ValidationError as exc:  # e.g. shift=" " (blank once stripped): a 422 naming the parameter, not a 500
        err = exc.errors()[0]
        raise InputError(f"query.{format_loc(err['loc'])}", err["msg"]) from exc


JOBS_DESC = (
    "为已登记学员推荐在招岗位：持证上岗为硬性条件，每条结果附理由（匹配的证书与技能、缺什么、距离、薪资）与各特征贡献；"
    "`personalised=false` 返回不使用画像的排序。Jobs for a stored trainee, each with reasons and per-feature "
    "contributions; `personalised=false` gives the non-personalised ranking. "
    "Roles: the trainee themself, trainer (trainees of its own courses), office, admin."
)


def _audit_view(ctx: AppContext, principal: Principal, action: str, trainee_id: str) -> None:
    """A trainer, office or admin reading a trainee's jobs or gap sees their profile: audited like a view."""
    if principal.role != "trainee":
        ctx.audit(principal, action, trainee_id)


@router.get(
    "/api/trainees/{trainee_id}/jobs",
    tags=TRAINEE,
    summary="为学员推荐岗位 / jobs for a stored trainee",
    description=JOBS_DESC,
    responses={404: {"description": "学员不存在"}},
)
def trainee_jobs(
    trainee_id: str = Depends(_trainee_id),
    opts: JobOptions = Depends(job_query_options),
    principal: Principal = Depends(require("trainee", *TrainerOffice)),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    check_trainee_access(ctx, principal, trainee_id, TrainerOffice)
    _audit_view(ctx, principal, "profile_jobs", trainee_id)
    return _run_jobs(ctx, _stored_person(ctx, trainee_id), opts, trainee_id)


@router.post(
    "/api/trainees/{trainee_id}/jobs",
    tags=TRAINEE,
    summary="为学员推荐岗位（JSON 选项）/ jobs for a stored trainee",
    description=JOBS_DESC,
    responses={404: {"description": "学员不存在"}},
)
def trainee_jobs_post(
    trainee_id: str = Depends(_trainee_id),
    opts: JobOptions = Body(
        default_factory=JobOptions,
        openapi_examples={
            "nearby": {"summary": "30 公里内、白班", "value": {"top_k": 10, "radius_km": 30, "shift": "白班"}},
            "non_personalised": {"summary": "非个性化排序", "value": {"personalised": False}},
        },
    ),
    principal: Principal = Depends(require("trainee", *TrainerOffice)),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    check_trainee_access(ctx, principal, trainee_id, TrainerOffice)
    _audit_view(ctx, principal, "profile_jobs", trainee_id)
    return _run_jobs(ctx, _stored_person(ctx, trainee_id), opts, trainee_id)


@router.post(
    "/api/match/jobs",
    tags=PUBLIC,
    summary="临时画像找岗位（无需登录）/ jobs for an ad-hoc profile",
    description="求职者不必注册：给出证书、区县等即可获得带理由的岗位推荐；画像不保存。"
    "No account needed; the profile is not stored.",
)
def match_jobs(body: AdhocProfile, ctx: AppContext = Depends(get_ctx)) -> dict:
    return _run_jobs(ctx, _adhoc(body), body, None)


def _adhoc(body: AdhocProfile):  # type: ignore[no-untyped-def]
    if (body.lon is None) != (body.lat is None):
        raise InputError("body.lon" if body.lon is None else "body.lat", "lon 与 lat 必须同时提供")
    if body.lon is not None and not in_chongqing(body.lon, body.lat):
        raise InputError("body.lon", f"坐标 ({body.lon}, {body.lat}) 不在重庆市范围内")
    certs = [c.model_dump(exclude_none=True) for c in body.certificates]
    try:
        return adhoc_person(
            certs,
            body.district,
            skills=list(body.skills),
            experience_years=body.experience_years,
            desired_salary=body.desired_salary,
            lon=body.lon,
            lat=body.lat,
        )
    except FlowInputError as exc:  # fields of the request body, named as the body names them
        raise InputError(f"body.{exc.field}", exc.message) from exc


@router.post(
    "/api/match/gap",
    tags=PUBLIC,
    summary="临时画像的技能差距与课程（无需登录）/ skill gap for an ad-hoc profile",
    description="不必注册：给出证书、区县与可选目标（职业或岗位），得到缺少的证书（按可解锁岗位数排序）、"
    "补缺课程与补完后的岗位增量；画像不保存。No account needed; nothing is stored.",
)
def match_gap(body: AdhocGap, ctx: AppContext = Depends(get_ctx)) -> dict:
    person = _adhoc(body)
    with ctx.reading() as engine:
        return gap(
            engine,
            person,
            target_occupation=body.target_occupation,
            target_posting=body.target_posting,
            radius_km=body.radius_km,
        )


@router.get(
    "/api/trainees/{trainee_id}/gap",
    tags=TRAINEE,
    summary="技能差距与补缺课程 / skill gap → courses",
    description="缺哪些证书/技能（按能解锁的附近岗位数排序）、哪门本地补贴课程最快补上、补完多几个岗位。"
    "Missing certificates and skills ranked by jobs unlocked, with courses and what-if counts. "
    "Roles: the trainee themself, trainer (trainees of its own courses), office, admin.",
    responses={404: {"description": "学员不存在"}},
)
def trainee_gap(
    trainee_id: str = Depends(_trainee_id),
    target_occupation: str | None = Query(
        None, min_length=1, max_length=100, description="目标职业（名称/别名/代码）", examples=["电工"]
    ),
    target_posting: str | None = Query(None, min_length=1, max_length=64, description="目标岗位 id"),
    radius_km: Radius = None,
    principal: Principal = Depends(require("trainee", *TrainerOffice)),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    check_trainee_access(ctx, principal, trainee_id, TrainerOffice)
    _audit_view(ctx, principal, "profile_gap", trainee_id)
    person = _stored_person(ctx, trainee_id)
    with ctx.reading() as engine:
        out = gap(
            engine, person, target_occupation=target_occupation, target_posting=target_posting, radius_km=radius_km
        )
    return {"trainee_id": trainee_id, **out}


# --- employer side ----------------------------------------------------------------------------------


def _candidate(ctx: AppContext, result: dict, contact: dict) -> dict:
    """Whitelist of what an employer sees of a candidate."""
    t = result["trainee"]
    trainee = {
        "id": t["id"],
        "district": t["district"],
        "certificates": list(t.get("certificates", [])),
        "skills": list(t.get("skills", [])),
        "experience_years": t.get("experience_years"),
        "contact": contact,
    }
    keep = (
        "score",
        "features",
        "contributions",
        "distance_km",
        "commute_minutes",
        "river_crossings",
        "mandatory_ok",
        "reasons",
        "missing",
        "rank",
    )
    return {"trainee": trainee, **{k: result[k] for k in keep if k in result}}


def _contacts(ctx: AppContext, principal: Principal, ids: list[str]) -> dict[str, dict]:
    employer = principal.subject if principal.role == "employer" else None
    return {tid: ctx.contacts.contact_for(employer, tid) for tid in ids}


def _candidates_response(ctx: AppContext, principal: Principal, out: dict, offset: int, top_k: int) -> dict:
    page = _page_results(out["results"], offset)
    contacts = _contacts(ctx, principal, [r["trainee"]["id"] for r in page])
    return {
        "posting": out["posting"],
        "consenting_pool": out["consenting_pool"],
        "considered": out["considered"],
        "offset": offset,
        "top_k": top_k,
        "results": [_candidate(ctx, r, contacts[r["trainee"]["id"]]) for r in page],
    }


def _owned_posting(ctx: AppContext, principal: Principal, posting_id: str):  # type: ignore[no-untyped-def]
    engine = ctx.require_engine()
    view = engine.world.postings.get(posting_id)
    if view is None:
        raise HTTPException(404, detail=f"岗位 {posting_id} 不存在")
    check_posting_owner(principal, view.employer)
    return view


@router.get(
    "/api/postings/{posting_id}/candidates",
    tags=EMPLOYER,
    summary="为岗位找候选人 / candidates for a posting",
    description="仅限同意被搜索的学员；联系方式脱敏（张**、138****5678），学员接受联系请求后才对该单位显示；"
    "每次检索写入审计日志。Consenting trainees only; masked contacts; audited. "
    "Roles: the posting's employer, office, admin.",
    responses={404: {"description": "岗位不存在"}},
)
def posting_candidates(
    posting_id: str = Depends(_posting_id),
    top_k: TopK = 20,
    offset: Offset = 0,
    radius_km: Radius = None,
    principal: Principal = Depends(require("employer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    view = _owned_posting(ctx, principal, posting_id)
    with ctx.reading() as engine:
        out = candidates_for(engine, view, k=offset + top_k, radius_km=radius_km)
    resp = _candidates_response(ctx, principal, out, offset, top_k)
    ctx.audit(
        principal,
        "candidate_search",
        posting_id,
        f"returned={len(resp['results'])} trainees={','.join(r['trainee']['id'] for r in resp['results'])}",
    )
    return resp


@router.post(
    "/api/match/candidates",
    tags=EMPLOYER,
    summary="按岗位描述找候选人 / candidates for free job text",
    description="不必先发布岗位：输入岗位描述与工作区县。仅限同意被搜索的学员，脱敏，审计。"
    "Free job text + district; consenting trainees only; masked; audited. Roles: employer, office, admin.",
)
def match_candidates(
    body: CandidateText,
    principal: Principal = Depends(require("employer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    engine = ctx.require_engine()
    view = posting_from_text(engine, body.text, body.district)
    with ctx.reading() as engine:
        out = candidates_for(
            engine, view, k=body.offset + body.top_k, radius_km=body.radius_km, has_location=body.district is not None
        )
    resp = _candidates_response(ctx, principal, out, body.offset, body.top_k)
    ctx.audit(
        principal,
        "candidate_search_text",
        None,
        f"text={body.text[:60]!r} returned={len(resp['results'])} "
        f"trainees={','.join(r['trainee']['id'] for r in resp['results'])}",
    )
    return resp


def _consenting(ctx: AppContext, trainee_id: str):  # type: ignore[no-untyped-def]
    engine = ctx.require_engine()
    meta = engine.world.trainee_meta.get(trainee_id)
    person = engine.world.trainees.get(trainee_id)
    if meta is None or person is None or not meta.consent:
        raise HTTPException(
            404, detail=f"候选人 {trainee_id} 不存在或未同意被用人单位搜索 / no such consenting candidate"
        )
    return person


@router.get(
    "/api/postings/{posting_id}/candidates/{trainee_id}",
    tags=EMPLOYER,
    summary="查看候选人（对本岗位）/ view one candidate for a posting",
    description="候选人画像与匹配理由；联系方式在学员接受前脱敏；写入审计日志。"
    "Profile facts and fit for this posting; masked contact until accepted; audited.",
    responses={404: {"description": "岗位或候选人不存在"}},
)
def view_candidate(
    posting_id: str = Depends(_posting_id),
    trainee_id: str = Depends(_trainee_id),
    principal: Principal = Depends(require("employer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    view = _owned_posting(ctx, principal, posting_id)
    with ctx.reading() as engine:
        result = candidate_fit(engine, view, _consenting(ctx, trainee_id))
    contact = _contacts(ctx, principal, [trainee_id])[trainee_id]
    ctx.audit(principal, "candidate_view", trainee_id, f"posting={posting_id} contact_released={contact['released']}")
    return {"posting_id": posting_id, **_candidate(ctx, result, contact)}


@router.post(
    "/api/postings/{posting_id}/candidates/{trainee_id}/contact-request",
    tags=EMPLOYER,
    status_code=201,
    summary="请求联系候选人 / ask a candidate for contact",
    description="学员接受后，本单位可看到其完整姓名与电话。The trainee decides; after acceptance this employer "
    "sees the full name and phone. Role: the posting's employer.",
    responses={
        200: {"description": "已有相同请求 / request already exists"},
        404: {"description": "岗位或候选人不存在"},
        409: {"description": "岗位已关闭"},
    },
)
def contact_request(
    response: Response,
    posting_id: str = Depends(_posting_id),
    trainee_id: str = Depends(_trainee_id),
    body: ContactRequestIn | None = Body(None),
    principal: Principal = Depends(require("employer")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    view = _owned_posting(ctx, principal, posting_id)
    if not view.is_open:
        raise HTTPException(409, detail=f"岗位 {posting_id} 已关闭 / posting is closed")
    _consenting(ctx, trainee_id)
    req, created = ctx.contacts.create(posting_id, trainee_id, principal.subject, body.message if body else None)
    if not created:
        response.status_code = 200
    ctx.audit(principal, "contact_request", trainee_id, f"posting={posting_id} request={req['id']} created={created}")
    return req


@router.get(
    "/api/employer/contact-requests",
    tags=EMPLOYER,
    summary="本单位的联系请求 / my contact requests",
    description="已接受的请求附完整联系方式（写入审计日志），其余脱敏。Accepted ones carry the full contact (audited).",
)
def employer_contact_requests(
    status: str | None = Query(None, pattern="^(pending|accepted|declined)$"),
    top_k: TopK = 20,
    offset: Offset = 0,
    principal: Principal = Depends(require("employer")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    items = ctx.contacts.for_employer(principal.subject, offset, top_k, status)
    contacts = _contacts(ctx, principal, sorted({r["trainee_id"] for r in items}))
    for r in items:
        r["contact"] = contacts[r["trainee_id"]]  # full only once the trainee accepted a request from this employer
    released = sorted({r["trainee_id"] for r in items if r["contact"].get("released")})
    if released:
        ctx.audit(principal, "contact_view", None, f"trainees={','.join(released)}")
    return {"offset": offset, "top_k": top_k, "results": items}


# --- trainee side of contact requests -------------------------------------------------------------


@router.get(
    "/api/trainees/{trainee_id}/contact-requests",
    tags=TRAINEE,
    summary="收到的联系请求 / contact requests received",
    description="Roles: the trainee themself, office, admin.",
)
def trainee_contact_requests(
    trainee_id: str = Depends(_trainee_id),
    top_k: TopK = 20,
    offset: Offset = 0,
    principal: Principal = Depends(require("trainee", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    check_trainee_access(ctx, principal, trainee_id, ("office", "admin"))
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


def _decide(ctx: AppContext, principal: Principal, trainee_id: str, request_id: str, status: str) -> dict:
    if principal.subject != trainee_id:
        raise HTTPException(403, detail="只有学员本人可以决定 / only the trainee may decide")
    req = ctx.contacts.get(request_id)
    if req is None or req["trainee_id"] != trainee_id:
        raise HTTPException(404, detail=f"联系请求 {request_id} 不存在")
    req = ctx.contacts.decide(request_id, status)
    ctx.audit(
        principal,
        f"contact_{'accept' if status == 'accepted' else 'decline'}",
        trainee_id,
        f"request={request_id} employer={req['employer']} posting={req['posting_id']}",
    )  # type: ignore[index]
    return req  # type: ignore[return-value]


@router.post(
    "/api/trainees/{trainee_id}/contact-requests/{request_id}/accept",
    tags=TRAINEE,
    summary="接受联系请求（向该单位公开电话）/ accept: release my contact to this employer",
    description="只有学员本人可以接受（PIPL 单独同意）。Only the trainee themself.",
    responses={404: {"description": "请求不存在"}},
)
def accept_contact(
    trainee_id: str = Depends(_trainee_id),
    request_id: str = Path(..., min_length=1, max_length=32),
    principal: Principal = Depends(require("trainee")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    return _decide(ctx, principal, trainee_id, request_id, "accepted")


@router.post(
    "/api/trainees/{trainee_id}/contact-requests/{request_id}/decline",
    tags=TRAINEE,
    summary="拒绝或撤回联系请求 / decline (or revoke an acceptance)",
    description="撤回后该单位重新只能看到脱敏联系方式。After revoking, the employer sees the masked contact again.",
    responses={404: {"description": "请求不存在"}},
)
def decline_contact(
    trainee_id: str = Depends(_trainee_id),
    request_id: str = Path(..., min_length=1, max_length=32),
    principal: Principal = Depends(require("trainee")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    return _decide(ctx, principal, trainee_id, request_id, "declined")


__all__ = ["router", "optional_principal"]
