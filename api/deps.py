"""Dependency aliases for route signatures: `ctx: Ctx`, `principal: OfficeStaff`, `trainee_id: TraineeId`.

`Annotated` aliases (as in FastAPI's full-stack template) keep the dependency, its bounds and its docs in
one place, and keep function calls out of parameter defaults. The role aliases read as who may call:
each is `require(...)` of api.context (401 without a valid key, 403 for another role).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from api.context import AppContext, get_ctx, require
from matcher.service.engine import Engine
from matcher.storage.keys import ROLES, Principal

Ctx = Annotated[AppContext, Depends(get_ctx)]


def _engine(ctx: Ctx) -> Engine:
    return ctx.require_engine()


EngineDep = Annotated[Engine, Depends(_engine)]  # 503 until the indexes are loaded

# --- who may call (see the role table in api/README.md) ---------------------------------------------
AnyRole = Annotated[Principal, Depends(require(*ROLES))]
TraineeOrStaff = Annotated[Principal, Depends(require("trainee", "trainer", "office", "admin"))]
TraineeOrOffice = Annotated[Principal, Depends(require("trainee", "office", "admin"))]
TraineeSelf = Annotated[Principal, Depends(require("trainee"))]
Employer = Annotated[Principal, Depends(require("employer"))]
EmployerOrAdmin = Annotated[Principal, Depends(require("employer", "admin"))]
EmployerOrOffice = Annotated[Principal, Depends(require("employer", "office", "admin"))]
TrainerOrOffice = Annotated[Principal, Depends(require("trainer", "office", "admin"))]
OfficeStaff = Annotated[Principal, Depends(require("office", "admin"))]
Admin = Annotated[Principal, Depends(require("admin"))]

# --- ids in the path --------------------------------------------------------------------------------
TraineeId = Annotated[str, Path(min_length=1, max_length=64, description="学员 id", examples=["HW-T01"])]
PostingId = Annotated[str, Path(min_length=1, max_length=64, description="岗位 id", examples=["HW-P01"])]
CourseId = Annotated[str, Path(min_length=1, max_length=64, description="课程 id", examples=["HW-C01"])]
ContactRequestId = Annotated[str, Path(min_length=1, max_length=32, description="联系请求 id")]
KeyId = Annotated[str, Path(min_length=1, max_length=16, description="密钥 id（密钥中 cqm_ 之后的 8 位）")]

# --- common query parameters ------------------------------------------------------------------------
DistrictQuery = Annotated[str | None, Query(max_length=50, description="区县名称、简称或代码", examples=["沙坪坝区"])]
RoleQuery = Annotated[str | None, Query(pattern="^(trainee|employer|trainer|office|admin)$")]
ContactStatusQuery = Annotated[str | None, Query(pattern="^(pending|accepted|declined)$")]
ConsentInPerson = Annotated[
    bool,
    Query(
        description="人社办公室代为登记学员当面作出的同意时必须为 true"
        "（同意属于学员本人，PIPL 第14条）/ office records consent the trainee gave in person"
    ),
]

__all__ = [
    "Ctx",
    "EngineDep",
    "AnyRole",
    "TraineeOrStaff",
    "TraineeOrOffice",
    "TraineeSelf",
    "Employer",
    "EmployerOrAdmin",
    "EmployerOrOffice",
    "TrainerOrOffice",
    "OfficeStaff",
    "Admin",
    "TraineeId",
    "PostingId",
    "CourseId",
    "ContactRequestId",
    "KeyId",
    "DistrictQuery",
    "RoleQuery",
    "ContactStatusQuery",
    "ConsentInPerson",
]
