"""The user flows over HTTP: jobs for a trainee, skill gap → courses, candidates for a posting, contact requests.

Privacy (PIPL, 网络招聘服务管理规定): candidate results are built from a whitelist of profile facts (no
身份证号, exact address, coordinates or protected attributes — matcher.domain.privacy.employer_candidate, and the
response models again); the contact is masked until the trainee accepts a contact request from that
employer; every candidate search and profile view by an employer is written to the audit log
(api.services does all three).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response
from pydantic import ValidationError

from api import services
from api.context import check_trainee_access
from api.deps import (
    ContactRequestId,
    ContactStatusQuery,
    Ctx,
    Employer,
    EmployerOrOffice,
    PostingId,
    TraineeId,
    TraineeOrOffice,
    TraineeOrStaff,
    TraineeSelf,
)
from api.responses import (
    CandidatesOut,
    CandidateViewOut,
    ContactRequestOut,
    EmployerContactRequestsOut,
    GapOut,
    JobsOut,
    TraineeContactRequestsOut,
    errors,
)
from api.schemas import AdhocGap, AdhocProfile, CandidateText, ContactRequestIn, JobOptions, Offset, Radius, TopK
from matcher.domain.errors import InvalidInput
from matcher.domain.features import PersonView
from matcher.domain.geo import in_chongqing
from matcher.domain.schema import DistrictName
from matcher.ingest.importer import format_loc
from matcher.service.flows import JobQuery, adhoc_person, gap, posting_from_text
from matcher.storage.keys import Principal

router = APIRouter()
TRAINEE: list[str | Enum] = ["学员 / trainee"]
EMPLOYER: list[str | Enum] = ["用人单位 / employer"]
PUBLIC: list[str | Enum] = ["公开接口 / public"]
TrainerOffice = ("trainer", "office", "admin")


def job_query_options(
    top_k: TopK = 20,
    offset: Offset = 0,
    radius_km: Radius = None,
    pay_floor: Annotated[
        int | None, Query(ge=0, le=1_000_000, description="最低月薪（元）/ minimum monthly pay")
    ] = None,
    shift: Annotated[str | None, Query(min_length=1, max_length=20, description="班次关键词，如“白班”")] = None,
    district: Annotated[
        list[str] | None, Query(max_length=41, description="只看这些区县（可重复）/ only these districts")
    ] = None,
    personalised: Annotated[
        bool, Query(description="false：非个性化排序 / non-personalised ranking (PIPL Art. 24)")
    ] = True,
    max_commute_minutes: Annotated[
        float | None, Query(gt=0, le=600, description="单程通勤上限（分钟）/ maximum commute")
    ] = None,
    include_far: Annotated[
        bool, Query(description="也列出超出通勤上限的岗位（标注 ✗）/ list far jobs too, marked")
    ] = False,
) -> JobOptions:
    """The GET form's query parameters, read like the POST form's JSON body."""
    names: list[DistrictName] | None = None
    if district:
        names = [services.district_name(d, f"query.district[{i}]") for i, d in enumerate(district)]
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
        raise InvalidInput(f"query.{format_loc(err['loc'])}", err["msg"]) from exc


def _jobs(ctx: Ctx, person: PersonView, opts: JobOptions, trainee_id: str | None) -> dict:
    query = JobQuery(
        k=opts.offset + opts.top_k,
        radius_km=opts.radius_km,
        pay_floor=opts.pay_floor,
        shift=opts.shift,
        districts=[str(d) for d in opts.districts] if opts.districts else None,
        personalised=opts.personalised,
        max_commute_minutes=opts.max_commute_minutes,
        include_far=opts.include_far,
    )
    return services.run_jobs(ctx, person, query, offset=opts.offset, top_k=opts.top_k, trainee_id=trainee_id)


def _stored_jobs(ctx: Ctx, principal: Principal, trainee_id: str, opts: JobOptions) -> dict:
    check_trainee_access(ctx, principal, trainee_id, TrainerOffice)
    services.audit_view(ctx, principal, "profile_jobs", trainee_id)
    return _jobs(ctx, services.stored_person(ctx, trainee_id), opts, trainee_id)


JOBS: dict[str, Any] = {
    "tags": TRAINEE,
    "response_model": JobsOut,
    "response_model_exclude_unset": True,
    "description": "为已登记学员推荐在招岗位：持证上岗为硬性条件，每条结果附理由（匹配的证书与技能、缺什么、距离、薪资）"
    "与各特征贡献；`personalised=false` 返回不使用画像的排序。Jobs for a stored trainee, each with reasons and "
    "per-feature contributions; `personalised=false` gives the non-personalised ranking. "
    "Roles: the trainee themself, trainer (trainees of its own courses), office, admin.",
    "responses": errors({404: "学员不存在"}),
}


@router.get("/api/trainees/{trainee_id}/jobs", summary="为学员推荐岗位 / jobs for a stored trainee", **JOBS)
def trainee_jobs(
    trainee_id: TraineeId,
    opts: Annotated[JobOptions, Depends(job_query_options)],
    principal: TraineeOrStaff,
    ctx: Ctx,
) -> dict:
    return _stored_jobs(ctx, principal, trainee_id, opts)


@router.post(
    "/api/trainees/{trainee_id}/jobs", summary="为学员推荐岗位（JSON 选项）/ jobs for a stored trainee", **JOBS
)
def trainee_jobs_post(
    trainee_id: TraineeId,
    opts: Annotated[
        JobOptions,
        Body(
            default_factory=JobOptions,
            openapi_examples={
                "nearby": {"summary": "30 公里内、白班", "value": {"top_k": 10, "radius_km": 30, "shift": "白班"}},
                "non_personalised": {"summary": "非个性化排序", "value": {"personalised": False}},
            },
        ),
    ],
    principal: TraineeOrStaff,
    ctx: Ctx,
) -> dict:
    return _stored_jobs(ctx, principal, trainee_id, opts)


def _adhoc(body: AdhocProfile) -> PersonView:
    """The typed-in profile as ranking sees it; problems name the body's fields."""
    if (body.lon is None) != (body.lat is None):
        raise InvalidInput("body.lon" if body.lon is None else "body.lat", "lon 与 lat 必须同时提供")
    if body.lon is not None and body.lat is not None and not in_chongqing(body.lon, body.lat):
        raise InvalidInput("body.lon", f"坐标 ({body.lon}, {body.lat}) 不在重庆市范围内")
    try:
        return adhoc_person(
            [c.model_dump(exclude_none=True) for c in body.certificates],
            str(body.district),
            skills=list(body.skills),
            experience_years=body.experience_years,
            desired_salary=body.desired_salary,
            lon=body.lon,
            lat=body.lat,
        )
    except InvalidInput as exc:
        raise exc.under("body") from exc


@router.post(
    "/api/match/jobs",
    tags=PUBLIC,
    response_model=JobsOut,
    response_model_exclude_unset=True,
    summary="临时画像找岗位（无需登录）/ jobs for an ad-hoc profile",
    description="求职者不必注册：给出证书、区县等即可获得带理由的岗位推荐；画像不保存。"
    "No account needed; the profile is not stored.",
)
def match_jobs(body: AdhocProfile, ctx: Ctx) -> dict:
    return _jobs(ctx, _adhoc(body), body, None)


@router.post(
    "/api/match/gap",
    tags=PUBLIC,
    response_model=GapOut,
    response_model_exclude_unset=True,
    summary="临时画像的技能差距与课程（无需登录）/ skill gap for an ad-hoc profile",
    description="不必注册：给出证书、区县与可选目标（职业或岗位），得到缺少的证书（按可解锁岗位数排序）、"
    "补缺课程与补完后的岗位增量；画像不保存。No account needed; nothing is stored.",
)
def match_gap(body: AdhocGap, ctx: Ctx) -> dict:
    person = _adhoc(body)
    with ctx.reading() as engine:
        try:
            return gap(
                engine,
                person,
                target_occupation=body.target_occupation,
                target_posting=body.target_posting,
                radius_km=body.radius_km,
            )
        except InvalidInput as exc:  # an unknown target occupation or posting id in the body
            raise exc.under("body") from exc


@router.get(
    "/api/trainees/{trainee_id}/gap",
    tags=TRAINEE,
    response_model=GapOut,
    response_model_exclude_unset=True,
    summary="技能差距与补缺课程 / skill gap → courses",
    description="缺哪些证书/技能（按能解锁的附近岗位数排序）、哪门本地补贴课程最快补上、补完多几个岗位。"
    "Missing certificates and skills ranked by jobs unlocked, with courses and what-if counts. "
    "Roles: the trainee themself, trainer (trainees of its own courses), office, admin.",
    responses=errors({404: "学员不存在"}),
)
def trainee_gap(
    trainee_id: TraineeId,
    principal: TraineeOrStaff,
    ctx: Ctx,
    target_occupation: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="目标职业（名称/别名/代码）", examples=["电工"]),
    ] = None,
    target_posting: Annotated[str | None, Query(min_length=1, max_length=64, description="目标岗位 id")] = None,
    radius_km: Radius = None,
) -> dict:
    check_trainee_access(ctx, principal, trainee_id, TrainerOffice)
    services.audit_view(ctx, principal, "profile_gap", trainee_id)
    person = services.stored_person(ctx, trainee_id)
    with ctx.reading() as engine:
        try:
            out = gap(
                engine, person, target_occupation=target_occupation, target_posting=target_posting, radius_km=radius_km
            )
        except InvalidInput as exc:  # an unknown target occupation or posting id in the query
            raise exc.under("query") from exc
    return {"trainee_id": trainee_id, **out}


# --- employer side ----------------------------------------------------------------------------------


@router.get(
    "/api/postings/{posting_id}/candidates",
    tags=EMPLOYER,
    response_model=CandidatesOut,
    summary="为岗位找候选人 / candidates for a posting",
    description="仅限同意被搜索的学员；联系方式脱敏（张**、138****5678），学员接受联系请求后才对该单位显示；"
    "每次检索写入审计日志。Consenting trainees only; masked contacts; audited. "
    "Roles: the posting's employer, office, admin.",
    responses=errors({404: "岗位不存在"}),
)
def posting_candidates(
    posting_id: PostingId,
    principal: EmployerOrOffice,
    ctx: Ctx,
    top_k: TopK = 20,
    offset: Offset = 0,
    radius_km: Radius = None,
) -> dict:
    view = services.owned_posting(ctx, principal, posting_id)
    return services.search_candidates(
        ctx,
        principal,
        view,
        offset=offset,
        top_k=top_k,
        radius_km=radius_km,
        audit=("candidate_search", posting_id, ""),
    )


@router.post(
    "/api/match/candidates",
    tags=EMPLOYER,
    response_model=CandidatesOut,
    summary="按岗位描述找候选人 / candidates for free job text",
    description="不必先发布岗位：输入岗位描述与工作区县。仅限同意被搜索的学员，脱敏，审计。"
    "Free job text + district; consenting trainees only; masked; audited. Roles: employer, office, admin.",
)
def match_candidates(body: CandidateText, principal: EmployerOrOffice, ctx: Ctx) -> dict:
    try:
        view = posting_from_text(ctx.require_engine(), body.text, str(body.district) if body.district else None)
    except InvalidInput as exc:
        raise exc.under("body") from exc
    return services.search_candidates(
        ctx,
        principal,
        view,
        offset=body.offset,
        top_k=body.top_k,
        radius_km=body.radius_km,
        has_location=body.district is not None,
        audit=("candidate_search_text", None, f"text={body.text[:60]!r} "),
    )


@router.get(
    "/api/postings/{posting_id}/candidates/{trainee_id}",
    tags=EMPLOYER,
    response_model=CandidateViewOut,
    summary="查看候选人（对本岗位）/ view one candidate for a posting",
    description="候选人画像与匹配理由；联系方式在学员接受前脱敏；写入审计日志。"
    "Profile facts and fit for this posting; masked contact until accepted; audited.",
    responses=errors({404: "岗位或候选人不存在"}),
)
def view_candidate(posting_id: PostingId, trainee_id: TraineeId, principal: EmployerOrOffice, ctx: Ctx) -> dict:
    return services.view_candidate(ctx, principal, posting_id, trainee_id)


@router.post(
    "/api/postings/{posting_id}/candidates/{trainee_id}/contact-request",
    tags=EMPLOYER,
    status_code=201,
    response_model=ContactRequestOut,
    summary="请求联系候选人 / ask a candidate for contact",
    description="学员接受后，本单位可看到其完整姓名与电话。The trainee decides; after acceptance this employer "
    "sees the full name and phone. Role: the posting's employer.",
    responses={
        200: {"model": ContactRequestOut, "description": "已有相同请求 / request already exists"},
        **errors({404: "岗位或候选人不存在", 409: "岗位已关闭"}),
    },
)
def contact_request(
    response: Response,
    posting_id: PostingId,
    trainee_id: TraineeId,
    principal: Employer,
    ctx: Ctx,
    body: Annotated[ContactRequestIn | None, Body()] = None,
) -> dict:
    req, created = services.request_contact(ctx, principal, posting_id, trainee_id, body.message if body else None)
    if not created:
        response.status_code = 200
    return req


@router.get(
    "/api/employer/contact-requests",
    tags=EMPLOYER,
    response_model=EmployerContactRequestsOut,
    summary="本单位的联系请求 / my contact requests",
    description="已接受的请求附完整联系方式（写入审计日志），其余脱敏。Accepted ones carry the full contact (audited).",
)
def employer_contact_requests(
    principal: Employer, ctx: Ctx, status: ContactStatusQuery = None, top_k: TopK = 20, offset: Offset = 0
) -> dict:
    return services.employer_requests(ctx, principal, status, offset, top_k)


# --- trainee side of contact requests -------------------------------------------------------------


@router.get(
    "/api/trainees/{trainee_id}/contact-requests",
    tags=TRAINEE,
    response_model=TraineeContactRequestsOut,
    summary="收到的联系请求 / contact requests received",
    description="Roles: the trainee themself, office, admin.",
    responses=errors({404: "学员不存在"}),
)
def trainee_contact_requests(
    trainee_id: TraineeId, principal: TraineeOrOffice, ctx: Ctx, top_k: TopK = 20, offset: Offset = 0
) -> dict:
    check_trainee_access(ctx, principal, trainee_id, ("office", "admin"))
    return services.trainee_requests(ctx, trainee_id, offset, top_k)


DECIDE: dict[str, Any] = {
    "tags": TRAINEE,
    "response_model": ContactRequestOut,
    "responses": errors({404: "请求不存在"}),
}


@router.post(
    "/api/trainees/{trainee_id}/contact-requests/{request_id}/accept",
    summary="接受联系请求（向该单位公开电话）/ accept: release my contact to this employer",
    description="只有学员本人可以接受（PIPL 单独同意）。Only the trainee themself.",
    **DECIDE,
)
def accept_contact(trainee_id: TraineeId, request_id: ContactRequestId, principal: TraineeSelf, ctx: Ctx) -> dict:
    return services.decide_contact(ctx, principal, trainee_id, request_id, "accepted")


@router.post(
    "/api/trainees/{trainee_id}/contact-requests/{request_id}/decline",
    summary="拒绝或撤回联系请求 / decline (or revoke an acceptance)",
    description="撤回后该单位重新只能看到脱敏联系方式。After revoking, the employer sees the masked contact again.",
    **DECIDE,
)
def decline_contact(trainee_id: TraineeId, request_id: ContactRequestId, principal: TraineeSelf, ctx: Ctx) -> dict:
    return services.decide_contact(ctx, principal, trainee_id, request_id, "declined")


__all__ = ["router"]
