"""`matcher` command line: build a world, import data, build indexes, serve, query.

Every command honours MATCHER_HOME (several worlds can coexist) and most take --json for scripting.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from matcher.config import FALLBACK_ENCODER, TRAINED_ENCODER_DIR, get_settings, trained_encoder_spec

app = typer.Typer(
    help="重庆职业技能培训 · 岗位匹配服务（岗位需求 + 技能培训 + 技能评价 + 就业服务）", no_args_is_help=True
)
index_app = typer.Typer(help="向量与关键词索引", no_args_is_help=True)
app.add_typer(index_app, name="index")
match_app = typer.Typer(help="匹配：为学员找岗位、技能差距与课程、为岗位找候选人", no_args_is_help=True)
app.add_typer(match_app, name="match")
console = Console(stderr=True)

KIND_CHOICES = ["postings", "trainees", "courses", "training_records", "placements"]


def _store():
    from matcher.storage.store import Store

    return Store.from_settings()


def _emit(data: dict, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="详细日志")) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


@app.command("demo-data")
def demo_data(
    seed: int | None = typer.Option(None, help="随机种子（默认取 MATCHER_DEMO_SEED）"),
    scale: float = typer.Option(1.0, help="规模系数：1.0 ≈ 5,000 岗位 / 3,000 学员 / 300 课程"),
    load: bool = typer.Option(True, help="生成后导入数据库"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """生成合成的重庆示范数据（SYNTHETIC），写入 MATCHER_HOME/demo 并导入。"""
    from matcher.demo.generator import generate_demo_world

    settings = get_settings()
    out = settings.home / "demo"
    seed = settings.demo_seed if seed is None else seed
    counts = generate_demo_world(out, seed=seed, scale=scale)
    console.print(f"已生成合成示范数据（种子 {seed}）：{out}  {counts}")
    reports = _ingest_dir(out) if load else []
    _emit({"dir": str(out), "seed": seed, "counts": counts, "imports": reports}, as_json)


def _ingest_dir(directory: Path) -> list[dict]:
    from matcher.ingest.importer import import_file

    store = _store()
    reports = []
    for kind in KIND_CHOICES:
        path = directory / f"{kind}.jsonl"
        if path.exists():
            report = import_file(store, kind, path)
            _print_report(report)
            reports.append(report.as_dict())
    return reports


def _print_report(report) -> None:
    console.print(
        f"[bold]{report.kind}[/] ← {report.file}: 读取 {report.read}，新增 {report.inserted}，"
        f"更新 {report.updated}，未变 {report.unchanged}，跳过 {report.skipped}，拒绝 {report.rejected}"
    )
    for err in report.errors[:20]:
        console.print(f"  [red]✗[/] {err}")
    if len(report.errors) > 20:
        console.print(f"  … 另有 {len(report.errors) - 20} 条错误（用 --json 查看全部）")
    for warn in report.warnings[:20]:
        console.print(f"  [yellow]提示[/] {warn}（已导入）")
    if len(report.warnings) > 20:
        console.print(f"  … 另有 {len(report.warnings) - 20} 条提示（用 --json 查看全部）")


@app.command()
def ingest(
    kind: str = typer.Argument(..., help="数据类型：" + " | ".join(KIND_CHOICES)),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=".jsonl 或 .csv 文件（可 .gz）"),
    source: str | None = typer.Option(None, help="外部数据适配器：jobpostings2024（真实岗位数据）"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """导入 JSON Lines / CSV 文件（按 id 更新插入，可重复导入；坏行逐条报告，不影响好行）。"""
    from matcher.ingest.importer import import_file, import_rows

    if kind not in KIND_CHOICES:
        raise typer.BadParameter(f"未知的数据类型 {kind!r}；可选：{', '.join(KIND_CHOICES)}", param_hint="KIND")
    store = _store()
    with _progress() as bar:
        task = bar.add_task(f"导入 {kind}", total=None)
        advance = lambda n: bar.advance(task, n)  # noqa: E731
        if source == "jobpostings2024":
            if kind != "postings":
                raise typer.BadParameter("jobpostings2024 只提供 postings", param_hint="--source")
            from matcher.ingest.sources.jobpostings2024 import read_jobpostings

            report = import_rows(store, kind, read_jobpostings(file), file.name, progress=advance)
        elif source is None:
            report = import_file(store, kind, file, progress=advance)
        else:
            raise typer.BadParameter(f"未知的数据源 {source!r}（可选：jobpostings2024）", param_hint="--source")
    _print_report(report)
    _emit(report.as_dict(), as_json)
    if report.rejected and not report.inserted and not report.updated and not report.unchanged:
        raise typer.Exit(code=1)


@index_app.command("build")
def index_build(
    encoder: str | None = typer.Option(
        None, help="编码器：usem | e5 | fusion | st:<路径> | onnx:<路径>（默认 MATCHER_ENCODER）"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """从数据库全量构建向量索引（FAISS）和关键词索引（BM25），原子替换旧索引。"""
    from matcher.service.indexing import build_indexes

    settings = get_settings()
    with _progress() as bar:
        task = bar.add_task("构建索引", total=None)

        def on_progress(desc: str, done: int, total: int) -> None:
            bar.update(task, description=desc, completed=done, total=total)

        manifest = build_indexes(
            _store(),
            settings.index_dir,
            encoder or settings.encoder,
            cache_dir=settings.cache_dir,
            progress=on_progress,
        )
    for kind, info in manifest.items():
        console.print(f"[bold]{kind}[/]: {info['count']} 条，编码器 {info['encoder_id']}，{info['seconds']:.1f} 秒")
    manifest["normaliser_threshold"] = _calibrate(encoder or settings.encoder)
    _emit(manifest, as_json)


def _calibrate(spec: str) -> dict:
    """The title → occupation confidence threshold for this encoder, on the training dev split."""
    from models import get_encoder
    from models.calibrate import calibrate, save

    settings = get_settings()
    try:
        result = calibrate(get_encoder(spec, cache_dir=settings.cache_dir))
    except (SystemExit, ImportError, OSError) as exc:  # installed without eval/: keep the fallback
        console.print(f"[yellow]未校准职业推断阈值[/]（{exc}），使用默认 0.6")
        return {"skipped": str(exc)}
    save(settings.home, result)
    if result["precision"] is None:
        console.print(
            f"职业推断阈值：{result['threshold']:.2f}（开发集上没有阈值能让岗位名称推断的职业达到 "
            f"{result['target_precision']:.0%} 准确率：只采用与职业名称完全一致的推断）"
        )
    else:
        console.print(
            f"职业推断阈值：{result['threshold']:.2f}（开发集准确率 {result['precision']:.0%}，"
            f"覆盖 {result['coverage']:.0%}）"
        )
    return result


@app.command()
def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """数据与索引概况。"""
    from matcher.service.indexing import index_status

    settings = get_settings()
    data = {
        "home": str(settings.home),
        "database": settings.db_url,
        "encoder": settings.encoder,
        "counts": _store().counts(),
        "indexes": index_status(settings.index_dir),
    }
    if as_json:
        _emit(data, True)
        return
    table = Table(title=f"MATCHER_HOME = {settings.home}")
    table.add_column("数据")
    table.add_column("条数", justify="right")
    for kind, n in data["counts"].items():
        table.add_row(kind, str(n))
    Console().print(table)
    Console().print(data["indexes"])


def _engine():
    from matcher.domain.errors import NotReady
    from matcher.service.engine import Engine

    try:
        return Engine(get_settings(), _store())
    except NotReady as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(code=2) from exc


def _fail(exc: Exception) -> NoReturn:
    console.print(f"[red]输入有误：{exc}[/]")
    raise typer.Exit(code=2)


@app.command()
def search(
    query: str = typer.Argument(..., help="自由文本，如“叉车司机 两江新区”"),
    kind: str = typer.Option("postings", help="postings | courses"),
    k: int = typer.Option(10, "--top-k", "-k", min=1, max=100, help="返回条数"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """混合检索（向量 + BM25）：找岗位或课程。"""
    hits = _engine().search(kind, query, k=k)
    if as_json:
        _emit({"query": query, "kind": kind, "results": hits}, True)
        return
    for i, hit in enumerate(hits, 1):
        typer.echo(f"{i:2d}. {hit['id']}  {hit['title']}  [{hit.get('district', '')}]  score={hit['score']:.3f}")


def _person(
    engine,
    trainee: str | None,
    cert: list[str],
    district: str | None,
    skill: list[str],
    experience: float,
    desired_salary: int | None,
):
    from matcher.domain.errors import InvalidInput
    from matcher.service.flows import adhoc_person, stored_person

    try:
        if trainee:
            return stored_person(engine, trainee)
        if not district:
            raise InvalidInput("district", "不指定 --trainee 时必须给出 --district")
        return adhoc_person(cert, district, skills=skill, experience_years=experience, desired_salary=desired_salary)
    except InvalidInput as exc:
        _fail(exc)


def _print_results(results: list[dict], key: str) -> None:
    for i, r in enumerate(results, 1):
        head = r[key]
        title = head.get("title") or "、".join(head.get("certificates", []))
        score = f"{r['score']:.3f}" if r.get("score") is not None else "-"
        typer.echo(f"{i:2d}. [{score}] {head['id']}  {title}  {head.get('employer', '')}  {head['district']}")
        for reason in r.get("reasons", []):
            typer.echo(f"      ✓ {reason}")
        for miss in r.get("missing", []):
            typer.echo(f"      ✗ {miss}")


@match_app.command("jobs")
def match_jobs(
    trainee: str | None = typer.Option(None, help="学员 id"),
    cert: list[str] = typer.Option([], help="证书“职业:等级”，可多次给出，如 消防设施操作员:四级"),
    district: str | None = typer.Option(None, help="居住区县（临时画像时必填）"),
    skill: list[str] = typer.Option([], help="技能，可多次给出"),
    experience: float = typer.Option(0, help="工作年限"),
    desired_salary: int | None = typer.Option(None, help="期望月薪（元）"),
    radius: float | None = typer.Option(None, help="半径（公里）"),
    pay_floor: int | None = typer.Option(None, help="最低月薪（元）"),
    shift: str | None = typer.Option(None, help="班次关键词，如 白班"),
    k: int = typer.Option(10, "--top-k", "-k", min=1, max=200, help="返回条数"),
    non_personalised: bool = typer.Option(False, "--non-personalised", help="非个性化排序（不使用画像）"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """为学员推荐岗位（持证上岗为硬性条件），每条结果附理由与各特征贡献。"""
    from matcher.service.flows import JobQuery, jobs_for

    engine = _engine()
    person = _person(engine, trainee, cert, district, skill, experience, desired_salary)
    out = jobs_for(
        engine,
        person,
        JobQuery(k=k, radius_km=radius, pay_floor=pay_floor, shift=shift, personalised=not non_personalised),
    )
    if as_json:
        _emit(out, True)
    else:
        _print_results(out["results"], "posting")


@match_app.command("gap")
def match_gap(
    trainee: str | None = typer.Option(None, help="学员 id"),
    cert: list[str] = typer.Option([], help="证书“职业:等级”"),
    district: str | None = typer.Option(None),
    skill: list[str] = typer.Option([]),
    target_occupation: str | None = typer.Option(None, "--occupation", help="目标职业（名称/别名/代码）"),
    target_posting: str | None = typer.Option(None, "--posting", help="目标岗位 id"),
    radius: float | None = typer.Option(None, help="“附近”的半径（公里），默认 MATCHER_DEFAULT_RADIUS_KM"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """技能差距 → 课程：缺什么（按能解锁的岗位数排序）、哪门课能补、补完多几个岗位。"""
    from matcher.domain.errors import InvalidInput
    from matcher.service.flows import gap

    engine = _engine()
    person = _person(engine, trainee, cert, district, skill, 0, None)
    try:
        out = gap(engine, person, target_occupation=target_occupation, target_posting=target_posting, radius_km=radius)
    except InvalidInput as exc:
        _fail(exc)
    if as_json:
        _emit(out, True)
        return
    typer.echo(f"目标：{out['target']}；目标岗位 {out['target_jobs']} 个，现在可匹配 {out['qualified_now']} 个")
    for item in out["missing"]:
        typer.echo(f"- 缺少 {item['label']}：可解锁 {item['unlocks_jobs']} 个岗位")
        for c in item["courses"]:
            sub = "补贴" if c["subsidised"] else "自费"
            typer.echo(
                f"    · {c['title']}（{c['provider']}，{c['district']}，{c['start_date']} 开课，{sub}）→ {c['what_if']}"
            )
    if out["missing_skills"]:
        typer.echo("常见技能要求：" + "、".join(f"{s['skill']}({s['in_jobs']})" for s in out["missing_skills"]))


@match_app.command("candidates")
def match_candidates(
    posting: str | None = typer.Option(None, help="岗位 id"),
    text: str | None = typer.Option(None, help="或：自由文本岗位描述"),
    district: str | None = typer.Option(None, help="自由文本时的工作区县"),
    radius: float | None = typer.Option(None, help="候选人居住地半径（公里）"),
    k: int = typer.Option(10, "--top-k", "-k", min=1, max=200, help="返回条数"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """为岗位找候选人：仅限同意被搜索的学员，联系方式脱敏，附理由。"""
    from matcher.domain.errors import InvalidInput
    from matcher.service.flows import candidates_for, posting_from_text
    from matcher.storage.contacts import attach_masked_contacts

    engine = _engine()
    try:
        if posting:
            view = engine.world.postings.get(posting)
            if view is None:
                raise InvalidInput("posting", f"岗位 {posting} 不存在")
            has_location = True
        elif text:
            view = posting_from_text(engine, text, district)
            has_location = district is not None
        else:
            raise InvalidInput("posting", "请给出 --posting 或 --text")
    except InvalidInput as exc:
        _fail(exc)
    out = candidates_for(engine, view, k=k, radius_km=radius, has_location=has_location)
    attach_masked_contacts(engine.store, out["results"])
    engine.store.audit("cli", "candidate_search", view.id, f"results={len(out['results'])}")
    if as_json:
        _emit(out, True)
    else:
        _print_results(out["results"], "trainee")


@app.command()
def demand(
    radius: float | None = typer.Option(None, help="供给半径（公里）"),
    top: int = typer.Option(20, min=1, max=500),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """人社/培训视角：按职业×区县的未满足需求、紧缺职业。"""
    from matcher.service.analytics import demand_supply

    engine = _engine()
    out = demand_supply(engine.world, radius or get_settings().default_radius_km, top=top)
    if as_json:
        _emit(out, True)
        return
    table = Table(title="未满足需求（职业 × 区县）")
    for col in ("职业", "区县", "在招岗位", "附近合格学员", "缺口"):
        table.add_column(col)
    for r in out["unmet"][:top]:
        table.add_row(r["name"], r["district"], str(r["open_jobs"]), str(r["qualified_nearby"]), str(r["unmet"]))
    Console().print(table)


@app.command()
def kpi(as_json: bool = typer.Option(False, "--json")) -> None:
    """培训与产业匹配度、培训总体就业率、重点群体培训占比（由数据计算）。"""
    from matcher.service.analytics import kpis

    engine = _engine()
    out = kpis(engine.world, list(engine.store.payloads("training_records")), list(engine.store.payloads("placements")))
    if as_json:
        _emit(out, True)
        return
    for key in ("training_industry_match", "employment_rate", "priority_group_share"):
        v = out[key]
        value = f"{v['value']:.1%}" if v["value"] is not None else "无数据"
        mark = "✓" if v["meets_target"] else "✗"
        typer.echo(f"{v['label']}：{value}（目标 ≥ {v['target']:.0%}）{mark}")


@app.command()
def extract(
    text: str = typer.Argument(..., help="岗位描述（任职要求、福利…）"),
    title: str = typer.Option("", "--title", help="岗位名称"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """从岗位文本读取要求：证书（持证上岗/优先/可替代）、经验、学历、班次、福利，附原文片段。"""
    from matcher.domain.extract import extract as read_requirements
    from matcher.domain.texts import cert_text

    out = read_requirements(text, title).as_dict()
    if as_json:
        _emit(out, True)
        return
    req = out["requirements"]
    for c in req["certificates"]:
        kind = "持证上岗" if c["mandatory"] else "优先"
        alt = f"（可替代组 {c['group']}）" if c.get("group") else ""
        typer.echo(f"证书：{cert_text(c)} · {kind}{alt}")
    typer.echo(
        f"经验：{req['min_experience_years'] if req['min_experience_years'] is not None else '未说明'}"
        f"  学历：{req['education'] or '未说明'}  班次：{out['shift'] or '未说明'}"
        f"  福利：{'、'.join(out['benefits']) or '未说明'}"
    )


@app.command()
def normalise(
    text: str = typer.Argument(..., help="职位名称、证书名或工种，如 叉车司机"),
    k: int = typer.Option(5, min=1, max=50),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """职业标准化：自由文本 → 职业分类大典细类代码（带分数）。"""
    from matcher.service.normalise import OccupationNormaliser
    from models import get_encoder

    settings = get_settings()
    matches = OccupationNormaliser(get_encoder(settings.encoder, cache_dir=settings.cache_dir)).normalise(text, k=k)
    if as_json:
        _emit({"query": text, "matches": [m.as_dict() for m in matches]}, True)
        return
    for m in matches:
        typer.echo(f"{m.code}  {m.name}  {m.score:.3f}  ({m.via})")


@app.command()
def lint(
    posting: str | None = typer.Option(None, help="岗位 id；不给则检查全部在招岗位"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """岗位合规检查：性别、年龄上限、户籍、婚育、民族、乙肝等歧视性要求。"""
    from matcher.domain.lint import lint_posting

    store = _store()
    records = [store.get("postings", posting)] if posting else list(store.iter("postings"))
    if posting and records[0] is None:
        _fail(ValueError(f"posting: 岗位 {posting} 不存在"))
    flagged = [
        {"id": p.id, "title": p.title, "employer": p.employer, "findings": [f.as_dict() for f in lint_posting(p)]}
        for p in records
        if p is not None
    ]
    flagged = [f for f in flagged if f["findings"]]
    if as_json:
        _emit({"checked": len(records), "flagged": flagged}, True)
        return
    typer.echo(f"检查 {len(records)} 个岗位，发现 {len(flagged)} 个含歧视性要求：")
    for f in flagged:
        typer.echo(
            f"- {f['id']} {f['title']}（{f['employer']}）："
            + "；".join(f"“{x['phrase']}” {x['message']}" for x in f["findings"])
        )


keys_app = typer.Typer(help="API 密钥：角色 + 主体（密钥只显示一次，数据库只存 SHA-256）", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _key_store():
    from matcher.storage.keys import KeyStore

    return KeyStore(_store())


@keys_app.command("create")
def keys_create(
    role: str = typer.Option(..., help="trainee | employer | trainer | office | admin"),
    subject: str = typer.Option(..., help="学员 id / 用人单位名称 / 培训机构名称 / 办公室 / 管理员"),
    label: str | None = typer.Option(None, help="备注"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """签发 API 密钥（只打印一次）。"""
    try:
        info, secret = _key_store().create(role, subject, label)
    except ValueError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps({**info, "secret": secret}, ensure_ascii=False))
        return
    typer.echo(f"{info['role']} · {info['subject']} · key_id {info['key_id']}", err=True)
    typer.echo("密钥只显示这一次，请妥善保存 / shown once, store it safely:", err=True)
    typer.echo(secret)


@keys_app.command("list")
def keys_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """列出密钥（不含密钥本身）。"""
    rows = _key_store().list(0, 10_000)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = f"revoked {r['revoked_at']}" if r["revoked_at"] else "active"
        typer.echo(f"{r['key_id']}  {r['role']:8s}  {r['subject']}  {r['label'] or ''}  ({state})")


@keys_app.command("revoke")
def keys_revoke(key_id: str = typer.Argument(...)) -> None:
    """吊销密钥。"""
    if not _key_store().revoke(key_id):
        typer.echo(f"密钥 {key_id} 不存在或已吊销", err=True)
        raise typer.Exit(1)


@keys_app.command("demo")
def keys_demo(as_json: bool = typer.Option(False, "--json")) -> None:
    """为当前数据的每个角色各签发一个密钥（示范用）。"""
    from matcher.storage.keys import demo_subjects

    keys = _key_store()
    out = []
    for role, subject in demo_subjects(keys.store):
        info, secret = keys.create(role, subject, "demo")
        out.append({**info, "secret": secret})
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for r in out:
        typer.echo(f"{r['role']:8s}  {r['subject']}\n          {r['secret']}")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="默认 MATCHER_HOST (127.0.0.1)"),
    port: int | None = typer.Option(None, help="默认 MATCHER_PORT (8000)"),
) -> None:
    """启动 HTTP 服务（FastAPI）。"""
    import uvicorn

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    console.print(f"服务地址：http://{host}:{port}/  （接口文档：http://{host}:{port}/docs）")
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level="info")


@app.command()
def setup(
    scale: float = typer.Option(1.0, help="示范数据规模系数"),
    force: bool = typer.Option(False, help="即使已有数据也重新生成"),
) -> None:
    """一步完成：生成并导入示范数据（若数据库为空），构建索引。"""
    store = _store()
    if force or store.count("postings") == 0:
        demo_data(seed=None, scale=scale, load=True, as_json=False)
    else:
        console.print(f"数据库已有 {store.count('postings')} 条岗位，跳过示范数据生成（--force 可重建）")
    index_build(encoder=None, as_json=False)
    settings = get_settings()
    if settings.encoder == FALLBACK_ENCODER and trained_encoder_spec(settings.home) is None:
        console.print(
            f"提示：未找到领域微调编码器（{settings.home / TRAINED_ENCODER_DIR}），当前使用 {settings.encoder}。"
            "运行 `make model`（约 25 分钟，需安装 torch CPU 版）训练后再次 `make run` 即改用它。"
        )
    else:
        console.print(f"文本编码器：{settings.encoder}")


if __name__ == "__main__":
    app()
