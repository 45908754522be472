"""Training office / trainer views (aggregates, audit) and admin operations (rebuild, keys)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response
from sqlalchemy import func, select

from api.auth import Principal
from api.context import AppContext, get_ctx, require
from api.errors import InputError
from api.schemas import KeyIn, Offset, Radius, TopK
from matcher.analytics import course_demand, demand_supply, kpis
from matcher.store import AuditRow

router = APIRouter()
OFFICE = ["培训与人社 / trainer & office"]
ADMIN = ["管理 / admin"]


@router.get(
    "/api/office/demand",
    tags=OFFICE,
    summary="未满足需求与紧缺职业 / unmet demand and shortage occupations",
    description="按职业×区县：在招岗位数、附近合格学员数、缺口；全市紧缺职业（岗位/持证学员比）。"
    "Unmet demand by occupation × district and citywide shortage ratios. Roles: trainer, office, admin.",
)
def office_demand(
    radius_km: Radius = None,
    top_k: TopK = 20,
    offset: Offset = 0,
    principal: Principal = Depends(require("trainer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
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
    summary="培训就业指标 / pipeline KPIs",
    description="培训与产业匹配度、培训总体就业率、重点群体培训占比，附市定目标。Computed from the data, with targets. "
    "Roles: trainer, office, admin.",
)
def office_kpis(
    principal: Principal = Depends(require("trainer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    records = list(ctx.store.payloads("training_records"))
    placements = list(ctx.store.payloads("placements"))
    with ctx.reading() as engine:
        return kpis(engine.world, records, placements)


@router.get(
    "/api/office/course-demand",
    tags=OFFICE,
    summary="该开哪些课 / where to open courses",
    description="每个职业：在招岗位、持证学员、课程名额。Per occupation: open jobs, certified trainees, course seats. "
    "Roles: trainer, office, admin.",
)
def office_course_demand(
    top_k: TopK = 20,
    offset: Offset = 0,
    principal: Principal = Depends(require("trainer", "office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    with ctx.reading() as engine:
        rows = course_demand(engine.world)
    return {"total": len(rows), "offset": offset, "top_k": top_k, "results": rows[offset : offset + top_k]}


@router.get(
    "/api/office/audit",
    tags=OFFICE,
    summary="审计日志：谁查看了谁 / audit log",
    description="用人单位的每次候选人检索、档案查看、联系请求与联系方式公开，以及管理操作。新→旧。"
    "Every employer candidate search and profile view, contact events and admin actions; newest first. "
    "Roles: office, admin.",
)
def office_audit(
    actor: str | None = Query(None, max_length=200, description="如 employer:重庆示例物业服务有限公司"),
    action: str | None = Query(
        None, max_length=50, description="如 candidate_search / candidate_view / contact_accept"
    ),
    subject: str | None = Query(None, max_length=64, description="学员或岗位 id"),
    top_k: TopK = 50,
    offset: Offset = 0,
    principal: Principal = Depends(require("office", "admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    conds = []
    if actor:
        conds.append(AuditRow.actor == actor)
    if action:
        conds.append(AuditRow.action == action)
    if subject:
        conds.append(AuditRow.subject == subject)
    with ctx.store.session() as s:
        total = s.scalar(select(func.count()).select_from(AuditRow).where(*conds)) or 0
        rows = s.execute(
            select(AuditRow).where(*conds).order_by(AuditRow.seq.desc()).offset(offset).limit(top_k)
        ).scalars()
        items = [
            {
                "seq": r.seq,
                "at": r.at.isoformat(),
                "actor": r.actor,
                "action": r.action,
                "subject": r.subject,
                "detail": r.detail,
            }
            for r in rows
        ]
    return {"total": total, "offset": offset, "top_k": top_k, "results": items}


# --- admin ----------------------------------------------------------------------------------------


@router.post(
    "/api/admin/rebuild",
    tags=ADMIN,
    status_code=202,
    summary="重建索引（后台，原子切换）/ rebuild indexes",
    description="在后台全量重建 FAISS + BM25 索引并原子切换；期间查询与写入照常。"
    "Full rebuild in the background, atomic swap; queries and writes continue. Role: admin.",
    responses={409: {"description": "已在重建 / already running"}},
)
def admin_rebuild(principal: Principal = Depends(require("admin")), ctx: AppContext = Depends(get_ctx)) -> dict:
    state = ctx.start_rebuild(principal.actor)
    ctx.audit(principal, "index_rebuild", None)
    return state


@router.get(
    "/api/admin/rebuild",
    tags=ADMIN,
    summary="索引重建状态 / rebuild status",
    description="idle | running | done | failed. Role: admin.",
)
def admin_rebuild_status(principal: Principal = Depends(require("admin")), ctx: AppContext = Depends(get_ctx)) -> dict:
    return dict(ctx.rebuild_state)


@router.post(
    "/api/admin/keys",
    tags=ADMIN,
    status_code=201,
    summary="签发 API 密钥 / create an API key",
    description="密钥只在此响应中出现一次；数据库只存 SHA-256。The secret is shown once; only its SHA-256 is stored. "
    "Role: admin.",
)
def admin_create_key(
    body: KeyIn, principal: Principal = Depends(require("admin")), ctx: AppContext = Depends(get_ctx)
) -> dict:
    try:
        info, secret = ctx.keys.create(body.role, body.subject, body.label)
    except ValueError as exc:
        raise InputError("body.subject", str(exc)) from exc
    ctx.audit(principal, "key_create", info["key_id"], f"role={body.role} subject={body.subject}")
    return {**info, "secret": secret}


@router.get(
    "/api/admin/keys", tags=ADMIN, summary="API 密钥列表（不含密钥本身）/ list API keys", description="Role: admin."
)
def admin_list_keys(
    role: str | None = Query(None, pattern="^(trainee|employer|trainer|office|admin)$"),
    top_k: TopK = 100,
    offset: Offset = 0,
    principal: Principal = Depends(require("admin")),
    ctx: AppContext = Depends(get_ctx),
) -> dict:
    return {"offset": offset, "top_k": top_k, "results": ctx.keys.list(offset, top_k, role)}


@router.delete(
    "/api/admin/keys/{key_id}",
    tags=ADMIN,
    status_code=204,
    summary="吊销 API 密钥 / revoke an API key",
    description="Role: admin.",
    responses={404: {"description": "密钥不存在或已吊销"}},
)
def admin_revoke_key(
    key_id: str = Path(..., min_length=1, max_length=16),
    principal: Principal = Depends(require("admin")),
    ctx: AppContext = Depends(get_ctx),
) -> Response:
    if not ctx.keys.revoke(key_id):
        raise HTTPException(404, detail=f"密钥 {key_id} 不存在或已吊销")
    ctx.audit(principal, "key_revoke", key_id)
    return Response(status_code=204)
