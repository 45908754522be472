"""Training office / trainer views (aggregates, audit) and admin operations (rebuild, keys)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import services
from api.deps import Admin, Ctx, KeyId, OfficeStaff, RoleQuery, TrainerOrOffice
from api.responses import (
    AuditPageOut,
    CourseDemandPageOut,
    DemandOut,
    KeyCreatedOut,
    KeyPageOut,
    KpisOut,
    RebuildStateOut,
    errors,
)
from api.schemas import KeyIn, Offset, Radius, TopK
from matcher.service.analytics import course_demand, demand_supply, kpis

router = APIRouter()
OFFICE: list[str | Enum] = ["培训与人社 / trainer & office"]
ADMIN: list[str | Enum] = ["管理 / admin"]


@router.get(
    "/api/office/demand",
    tags=OFFICE,
    response_model=DemandOut,
    summary="未满足需求与紧缺职业 / unmet demand and shortage occupations",
    description="按职业×区县：在招岗位数、附近合格学员数、缺口；全市紧缺职业（岗位/持证学员比）。"
    "Unmet demand by occupation × district and citywide shortage ratios. Roles: trainer, office, admin.",
)
def office_demand(
    principal: TrainerOrOffice, ctx: Ctx, radius_km: Radius = None, top_k: TopK = 20, offset: Offset = 0
) -> dict:
    radius = radius_km if radius_km is not None else ctx.settings.default_radius_km
    with ctx.reading() as engine:
        out = demand_supply(engine.world, radius, top=offset + top_k)
    return {
        **out,
        "unmet": out["unmet"][offset:],
        "shortage": out["shortage"][offset:],
        "offset": offset,
        "top_k": top_k,
    }


@router.get(
    "/api/office/kpis",
    tags=OFFICE,
    response_model=KpisOut,
    summary="培训就业指标 / pipeline KPIs",
    description="培训与产业匹配度、培训总体就业率、重点群体培训占比，附市定目标。Computed from the data, with targets. "
    "Roles: trainer, office, admin.",
)
def office_kpis(principal: TrainerOrOffice, ctx: Ctx) -> dict:
    records = list(ctx.store.payloads("training_records"))
    placements = list(ctx.store.payloads("placements"))
    with ctx.reading() as engine:
        return kpis(engine.world, records, placements)


@router.get(
    "/api/office/course-demand",
    tags=OFFICE,
    response_model=CourseDemandPageOut,
    summary="该开哪些课 / where to open courses",
    description="每个职业：在招岗位、持证学员、课程名额。Per occupation: open jobs, certified trainees, course seats. "
    "Roles: trainer, office, admin.",
)
def office_course_demand(principal: TrainerOrOffice, ctx: Ctx, top_k: TopK = 20, offset: Offset = 0) -> dict:
    with ctx.reading() as engine:
        rows = course_demand(engine.world)
    return {"total": len(rows), "offset": offset, "top_k": top_k, "results": rows[offset : offset + top_k]}


@router.get(
    "/api/office/audit",
    tags=OFFICE,
    response_model=AuditPageOut,
    summary="审计日志：谁查看了谁 / audit log",
    description="用人单位的每次候选人检索、档案查看、联系请求与联系方式公开，以及管理操作。新→旧。"
    "Every employer candidate search and profile view, contact events and admin actions; newest first. "
    "Roles: office, admin.",
)
def office_audit(
    principal: OfficeStaff,
    ctx: Ctx,
    actor: Annotated[str | None, Query(max_length=200, description="如 employer:重庆示例物业服务有限公司")] = None,
    action: Annotated[
        str | None, Query(max_length=50, description="如 candidate_search / candidate_view / contact_accept")
    ] = None,
    subject: Annotated[str | None, Query(max_length=64, description="学员或岗位 id")] = None,
    top_k: TopK = 50,
    offset: Offset = 0,
) -> dict:
    return services.audit_log(ctx, actor=actor, action=action, subject=subject, offset=offset, top_k=top_k)


# --- admin ----------------------------------------------------------------------------------------


@router.post(
    "/api/admin/rebuild",
    tags=ADMIN,
    status_code=202,
    response_model=RebuildStateOut,
    response_model_exclude_unset=True,
    summary="重建索引（后台，原子切换）/ rebuild indexes",
    description="在后台全量重建 FAISS + BM25 索引并原子切换；期间查询与写入照常。"
    "Full rebuild in the background, atomic swap; queries and writes continue. Role: admin.",
    responses=errors({409: "已在重建 / already running"}),
)
def admin_rebuild(principal: Admin, ctx: Ctx) -> dict:
    state = ctx.start_rebuild(principal.actor)
    ctx.audit(principal, "index_rebuild", None)
    return state


@router.get(
    "/api/admin/rebuild",
    tags=ADMIN,
    response_model=RebuildStateOut,
    response_model_exclude_unset=True,
    summary="索引重建状态 / rebuild status",
    description="idle | running | done | failed. Role: admin.",
)
def admin_rebuild_status(principal: Admin, ctx: Ctx) -> dict:
    return dict(ctx.rebuild_state)


@router.post(
    "/api/admin/keys",
    tags=ADMIN,
    status_code=201,
    response_model=KeyCreatedOut,
    summary="签发 API 密钥 / create an API key",
    description="密钥只在此响应中出现一次；数据库只存 SHA-256。The secret is shown once; only its SHA-256 is stored. "
    "Role: admin.",
)
def admin_create_key(body: KeyIn, principal: Admin, ctx: Ctx) -> dict:
    return services.create_key(ctx, principal, body.role, body.subject, body.label)


@router.get(
    "/api/admin/keys",
    tags=ADMIN,
    response_model=KeyPageOut,
    summary="API 密钥列表（不含密钥本身）/ list API keys",
    description="Role: admin.",
)
def admin_list_keys(principal: Admin, ctx: Ctx, role: RoleQuery = None, top_k: TopK = 100, offset: Offset = 0) -> dict:
    return {"offset": offset, "top_k": top_k, "results": ctx.keys.list(offset, top_k, role)}


@router.delete(
    "/api/admin/keys/{key_id}",
    tags=ADMIN,
    status_code=204,
    response_class=Response,
    summary="吊销 API 密钥 / revoke an API key",
    description="Role: admin.",
    responses=errors({404: "密钥不存在或已吊销"}),
)
def admin_revoke_key(key_id: KeyId, principal: Admin, ctx: Ctx) -> Response:
    services.revoke_key(ctx, principal, key_id)
    return Response(status_code=204)
