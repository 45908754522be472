"""Create / update (PUT upsert) / close / delete postings, trainees and courses; bulk JSON Lines import.

Every write goes store → in-memory world → indexes (`Engine.upsert`, via api.services), so the next search
sees it, and a restart loses nothing that was acknowledged (the store commits before the response). Texts
are encoded before the engine's write lock is taken, so readers are not held up by the encoder.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api import services
from api.context import check_course_owner, check_posting_owner, check_trainee_access
from api.deps import (
    Admin,
    ConsentInPerson,
    CourseId,
    Ctx,
    DistrictQuery,
    EmployerOrAdmin,
    EmployerOrOffice,
    OfficeStaff,
    PostingId,
    TraineeId,
    TraineeOrOffice,
    TraineeOrStaff,
    TrainerOrOffice,
)
from api.responses import (
    ImportReportOut,
    TraineePageOut,
    TraineeRecordOut,
    WrittenCourseOut,
    WrittenPostingOut,
    WrittenTraineeOut,
    errors,
)
from api.schemas import COURSE_EXAMPLE, POSTING_EXAMPLE, TRAINEE_EXAMPLE, Offset, TopK
from matcher.domain.errors import InvalidInput
from matcher.domain.lint import lint_fields
from matcher.domain.schema import KINDS, Course, Posting, StoredRecord, Trainee
from matcher.storage.keys import Principal

router = APIRouter()
POSTINGS: list[str | Enum] = ["岗位管理 / postings"]
TRAINEES: list[str | Enum] = ["学员档案 / trainees"]
COURSES: list[str | Enum] = ["课程管理 / courses"]
ADMIN: list[str | Enum] = ["管理 / admin"]


def _lint_or_reject(posting: Posting) -> None:
    """网络招聘服务管理规定: a posting with discriminatory content is not published."""
    items = [
        {"field": f"body.{field}", "message": f"含歧视性内容“{f.phrase}”：{f.message}", "type": f"lint.{f.rule}"}
        for field, f in lint_fields(posting)
    ]
    if items:
        raise InvalidInput.many(items)


def _check_path_id(record: StoredRecord, record_id: str) -> None:
    if record.id != record_id:
        raise InvalidInput("body.id", f"请求体中的 id（{record.id}）与路径中的 id（{record_id}）不一致")


def _written(record: StoredRecord, created: bool, changed: bool, response: Response) -> dict:
    response.status_code = 201 if created else 200
    return {"created": created, "changed": changed, "record": record.model_dump(mode="json")}


def _writes(model: type, created: str) -> dict[str, Any]:
    """Route options shared by the create/replace operations of one kind of record."""
    return {
        "response_model": model,
        "responses": {
            201: {"model": model, "description": created},
            200: {"model": model, "description": "已更新 / updated"},
            **errors(
                {
                    403: "无权操作此记录 / not yours",
                    409: "已存在 / exists",
                    422: "字段错误或含歧视性内容 / invalid field or discriminatory content",
                }
            ),
        },
    }


DELETED: dict[str, Any] = {"status_code": 204, "response_class": Response}  # no body


def _posting_owner(principal: Principal) -> Callable[[StoredRecord], None]:
    """The check that `principal` may replace or delete a stored posting (an employer: its own)."""

    def check(posting: StoredRecord) -> None:
        assert isinstance(posting, Posting)
        check_posting_owner(principal, posting.employer)

    return check


def _course_owner(principal: Principal) -> Callable[[StoredRecord], None]:
    def check(course: StoredRecord) -> None:
        assert isinstance(course, Course)
        check_course_owner(principal, course.provider)

    return check


# --- postings -------------------------------------------------------------------------------------


@router.post(
    "/api/postings",
    tags=POSTINGS,
    status_code=201,
    summary="发布岗位 / create a posting",
    description="用人单位只能以本单位名义发布（employer 须与密钥主体一致）；含歧视性内容的岗位被拒绝（422，指明字段与措辞）；"
    "发布后立即可被检索。Employers post under their own name; discriminatory content is rejected; "
    "visible to search at once. Roles: employer, admin.",
    **_writes(WrittenPostingOut, "已发布 / created"),
)
def create_posting(
    response: Response,
    body: Annotated[
        Posting, Body(openapi_examples={"posting": {"summary": "消防设施操作员岗位", "value": POSTING_EXAMPLE}})
    ],
    principal: EmployerOrAdmin,
    ctx: Ctx,
) -> dict:
    check_posting_owner(principal, body.employer)
    _lint_or_reject(body)
    created, changed = services.write_record(ctx, "postings", body, create=True)
    return _written(body, created, changed, response)


@router.put(
    "/api/postings/{posting_id}",
    tags=POSTINGS,
    summary="新建或更新岗位 / create or replace a posting",
    description="按 id 覆盖写入（upsert）。Upsert by id. Roles: the posting's employer, admin.",
    **_writes(WrittenPostingOut, "已创建 / created"),
)
def put_posting(
    response: Response,
    posting_id: PostingId,
    body: Annotated[
        Posting,
        Body(openapi_examples={"posting": {"summary": "更新薪资", "value": POSTING_EXAMPLE | {"id": "API-P001"}}}),
    ],
    principal: EmployerOrAdmin,
    ctx: Ctx,
) -> dict:
    _check_path_id(body, posting_id)
    check_posting_owner(principal, body.employer)
    _lint_or_reject(body)
    created, changed = services.write_record(
        ctx, "postings", body, create=False, check_existing=_posting_owner(principal)
    )
    return _written(body, created, changed, response)


@router.post(
    "/api/postings/{posting_id}/close",
    tags=POSTINGS,
    response_model=WrittenPostingOut,
    summary="关闭岗位（招满/下架）/ close a posting",
    description="关闭后不再出现在推荐中。Closed postings leave job results at once. "
    "Roles: the posting's employer, office (compliance), admin.",
    responses=errors({404: "岗位不存在"}),
)
def close_posting(posting_id: PostingId, principal: EmployerOrOffice, ctx: Ctx) -> dict:
    return services.close_posting(ctx, principal, posting_id)


@router.delete(
    "/api/postings/{posting_id}",
    tags=POSTINGS,
    summary="删除岗位 / delete a posting",
    description="Roles: the posting's employer, admin.",
    responses=errors({404: "岗位不存在"}),
    **DELETED,
)
def delete_posting(posting_id: PostingId, principal: EmployerOrAdmin, ctx: Ctx) -> Response:
    services.delete_record(ctx, principal, "postings", posting_id, _posting_owner(principal))
    return Response(status_code=204)


# --- trainees -------------------------------------------------------------------------------------


@router.get(
    "/api/trainees",
    tags=TRAINEES,
    response_model=TraineePageOut,
    response_model_exclude_unset=True,
    summary="学员列表（仅画像，不含个人信息）/ list trainee profiles",
    description="Roles: trainer, office, admin. 不含姓名、电话、身份证号与受保护属性；培训机构只看到参加本机构课程的学员，"
    "且看不到坐标与重点群体类别；写入审计日志。No personal fields; trainers see only trainees enrolled "
    "in their own courses, without coordinates or priority group; audited.",
)
def list_trainees(
    principal: TrainerOrOffice,
    ctx: Ctx,
    district: DistrictQuery = None,
    consenting: Annotated[bool | None, Query(description="只看同意/不同意被搜索的学员")] = None,
    top_k: TopK = 20,
    offset: Offset = 0,
) -> dict:
    return services.list_trainees(ctx, principal, district=district, consenting=consenting, offset=offset, top_k=top_k)


@router.post(
    "/api/trainees",
    tags=TRAINEES,
    status_code=201,
    summary="登记学员 / register a trainee",
    description="Roles: office, admin.",
    **_writes(WrittenTraineeOut, "已登记 / created"),
)
def create_trainee(
    response: Response,
    body: Annotated[
        Trainee, Body(openapi_examples={"trainee": {"summary": "持电工四级证的学员", "value": TRAINEE_EXAMPLE}})
    ],
    principal: OfficeStaff,
    ctx: Ctx,
    consent_given_in_person: ConsentInPerson = False,
) -> dict:
    created, changed = services.save_trainee(
        ctx, principal, body, create=True, consent_in_person=consent_given_in_person
    )
    return _written(body, created, changed, response)


@router.get(
    "/api/trainees/{trainee_id}",
    tags=TRAINEES,
    response_model=TraineeRecordOut,
    response_model_exclude_unset=True,
    summary="学员档案 / a trainee's record",
    description="学员本人、人社办公室、管理员看到完整档案（含个人信息）；培训机构只能查看参加本机构课程的学员，且只看到画像"
    "（证书、技能、区县）。他人查看写入审计日志。Self/office/admin: full record; trainer: profile only, "
    "and only of trainees enrolled in its own courses; views by others audited.",
    responses=errors({404: "学员不存在"}),
)
def get_trainee(trainee_id: TraineeId, principal: TraineeOrStaff, ctx: Ctx) -> dict:
    check_trainee_access(ctx, principal, trainee_id, ("trainer", "office", "admin"))
    return services.read_trainee(ctx, principal, trainee_id)


@router.put(
    "/api/trainees/{trainee_id}",
    tags=TRAINEES,
    summary="新建或更新学员档案（含是否同意被搜索）/ create or replace a trainee record",
    description="学员本人可更新自己的档案，包括 consent_employer_search（同意/撤回被用人单位搜索）。"
    "The trainee may update their own record, including consent. Roles: trainee (own), office, admin.",
    **_writes(WrittenTraineeOut, "已创建 / created"),
)
def put_trainee(
    response: Response,
    trainee_id: TraineeId,
    body: Annotated[
        Trainee, Body(openapi_examples={"trainee": {"summary": "更新证书与同意状态", "value": TRAINEE_EXAMPLE}})
    ],
    principal: TraineeOrOffice,
    ctx: Ctx,
    consent_given_in_person: ConsentInPerson = False,
) -> dict:
    check_trainee_access(ctx, principal, trainee_id, ("office", "admin"))
    _check_path_id(body, trainee_id)
    created, changed = services.save_trainee(
        ctx, principal, body, create=False, consent_in_person=consent_given_in_person
    )
    return _written(body, created, changed, response)


@router.delete(
    "/api/trainees/{trainee_id}",
    tags=TRAINEES,
    summary="删除学员档案（个人信息删除权）/ delete a trainee record",
    description="同时删除其联系请求。Also deletes their contact requests. Roles: trainee (own), office, admin.",
    responses=errors({404: "学员不存在"}),
    **DELETED,
)
def delete_trainee(trainee_id: TraineeId, principal: TraineeOrOffice, ctx: Ctx) -> Response:
    check_trainee_access(ctx, principal, trainee_id, ("office", "admin"))
    services.delete_record(ctx, principal, "trainees", trainee_id)
    return Response(status_code=204)


# --- courses --------------------------------------------------------------------------------------


@router.post(
    "/api/courses",
    tags=COURSES,
    status_code=201,
    summary="新建课程 / create a course",
    description="培训机构只能以本机构名义（provider 与密钥主体一致）。Trainers create courses of their own provider. "
    "Roles: trainer, office, admin.",
    **_writes(WrittenCourseOut, "已创建 / created"),
)
def create_course(
    response: Response,
    body: Annotated[Course, Body(openapi_examples={"course": {"summary": "电工中级取证班", "value": COURSE_EXAMPLE}})],
    principal: TrainerOrOffice,
    ctx: Ctx,
) -> dict:
    check_course_owner(principal, body.provider)
    created, changed = services.write_record(ctx, "courses", body, create=True)
    return _written(body, created, changed, response)


@router.put(
    "/api/courses/{course_id}",
    tags=COURSES,
    summary="新建或更新课程 / create or replace a course",
    description="Roles: trainer (own provider), office, admin.",
    **_writes(WrittenCourseOut, "已创建 / created"),
)
def put_course(
    response: Response,
    course_id: CourseId,
    body: Annotated[Course, Body(openapi_examples={"course": {"summary": "电工中级取证班", "value": COURSE_EXAMPLE}})],
    principal: TrainerOrOffice,
    ctx: Ctx,
) -> dict:
    _check_path_id(body, course_id)
    check_course_owner(principal, body.provider)
    created, changed = services.write_record(
        ctx, "courses", body, create=False, check_existing=_course_owner(principal)
    )
    return _written(body, created, changed, response)


@router.delete(
    "/api/courses/{course_id}",
    tags=COURSES,
    summary="删除课程 / delete a course",
    description="Roles: trainer (own provider), office, admin.",
    responses=errors({404: "课程不存在"}),
    **DELETED,
)
def delete_course(course_id: CourseId, principal: TrainerOrOffice, ctx: Ctx) -> Response:
    services.delete_record(ctx, principal, "courses", course_id, _course_owner(principal))
    return Response(status_code=204)


# --- bulk import ----------------------------------------------------------------------------------

IMPORT_EXAMPLE = (
    '{"id": "IMP-P1", "title": "叉车工", "employer": "重庆示例物流有限公司", "district": "江津区", '
    '"requirements": {"certificates": [{"occupation": "叉车司机", "mandatory": true}]}}\n'
    '{"id": "IMP-P2", "title": "电工", "employer": "E", "district": "火星区"}\n'
)


@router.post(
    "/api/import/{kind}",
    tags=ADMIN,
    response_model=ImportReportOut,
    response_model_exclude_unset=True,
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
    principal: Admin,
    ctx: Ctx,
    file: Annotated[
        str, Query(min_length=1, max_length=100, description="报告中使用的文件名 / name used in the report")
    ] = "request.jsonl",
) -> dict:
    raw = await request.body()
    if not raw.strip():
        raise InvalidInput("body", "请求体为空：应为 JSON Lines，每行一个对象 / empty body")
    return await run_in_threadpool(services.import_jsonl, ctx, principal, kind, raw, file)


assert set(KINDS) == {"postings", "trainees", "courses", "training_records", "placements"}
