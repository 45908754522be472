"""`matcher` command line: build a world, import data, build indexes, serve, query.

Every command honours MATCHER_HOME (several worlds can coexist) and most take --json for scripting.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from matcher.config import get_settings

app = typer.Typer(help="重庆职业技能培训 · 岗位匹配服务（岗位需求 + 技能培训 + 技能评价 + 就业服务）", no_args_is_help=True)
index_app = typer.Typer(help="向量与关键词索引", no_args_is_help=True)
app.add_typer(index_app, name="index")
console = Console(stderr=True)

KIND_CHOICES = ["postings", "trainees", "courses", "training_records", "placements"]


def _store():  # type: ignore[no-untyped-def]
    from matcher.store import Store

    return Store.from_settings()


def _emit(data: dict, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="详细日志")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command("demo-data")
def demo_data(
    seed: int = typer.Option(None, help="随机种子（默认取 MATCHER_DEMO_SEED）"),
    scale: float = typer.Option(1.0, help="规模系数：1.0 ≈ 5,000 岗位 / 3,000 学员 / 300 课程"),
    load: bool = typer.Option(True, help="生成后导入数据库"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """生成合成的重庆示范数据（SYNTHETIC），写入 MATCHER_HOME/demo 并导入。"""
    from matcher.demo import generate_demo_world

    settings = get_settings()
    out = settings.home / "demo"
    seed = settings.demo_seed if seed is None else seed
    counts = generate_demo_world(out, seed=seed, scale=scale)
    console.print(f"已生成合成示范数据（种子 {seed}）：{out}  {counts}")
    reports = _ingest_dir(out) if load else []
    _emit({"dir": str(out), "seed": seed, "counts": counts, "imports": reports}, as_json)


def _ingest_dir(directory: Path) -> list[dict]:
    from matcher.ingest import import_file

    store = _store()
    reports = []
    for kind in KIND_CHOICES:
        path = directory / f"{kind}.jsonl"
        if path.exists():
            report = import_file(store, kind, path)
            _print_report(report)
            reports.append(report.as_dict())
    return reports


def _print_report(report) -> None:  # type: ignore[no-untyped-def]
    console.print(f"[bold]{report.kind}[/] ← {report.file}: 读取 {report.read}，新增 {report.inserted}，"
                  f"更新 {report.updated}，未变 {report.unchanged}，跳过 {report.skipped}，拒绝 {report.rejected}")
    for err in report.errors[:20]:
        console.print(f"  [red]✗[/] {err}")
    if len(report.errors) > 20:
        console.print(f"  … 另有 {len(report.errors) - 20} 条错误（用 --json 查看全部）")


@app.command()
def ingest(
    kind: str = typer.Argument(..., help="数据类型：" + " | ".join(KIND_CHOICES)),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=".jsonl 或 .csv 文件（可 .gz）"),
    source: Optional[str] = typer.Option(None, help="外部数据适配器：jobpostings2024（真实岗位数据）"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """导入 JSON Lines / CSV 文件（按 id 更新插入，可重复导入；坏行逐条报告，不影响好行）。"""
    from matcher.ingest import import_file, import_rows

    if kind not in KIND_CHOICES:
        raise typer.BadParameter(f"未知的数据类型 {kind!r}；可选：{', '.join(KIND_CHOICES)}", param_hint="KIND")
    store = _store()
    with _progress() as bar:
        task = bar.add_task(f"导入 {kind}", total=None)
        advance = lambda n: bar.advance(task, n)  # noqa: E731
        if source == "jobpostings2024":
            if kind != "postings":
                raise typer.BadParameter("jobpostings2024 只提供 postings", param_hint="--source")
            from matcher.sources.jobpostings2024 import read_jobpostings

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
    encoder: Optional[str] = typer.Option(None, help="编码器：usem | e5 | fusion | st:<路径>（默认 MATCHER_ENCODER）"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """从数据库全量构建向量索引（FAISS）和关键词索引（BM25），原子替换旧索引。"""
    from matcher.indexing import build_indexes

    settings = get_settings()
    with _progress() as bar:
        task = bar.add_task("构建索引", total=None)

        def on_progress(desc: str, done: int, total: int) -> None:
            bar.update(task, description=desc, completed=done, total=total)

        manifest = build_indexes(_store(), settings.index_dir, encoder or settings.encoder,
                                 cache_dir=settings.cache_dir, progress=on_progress)
    for kind, info in manifest.items():
        console.print(f"[bold]{kind}[/]: {info['count']} 条，编码器 {info['encoder_id']}，{info['seconds']:.1f} 秒")
    _emit(manifest, as_json)


@app.command()
def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """数据与索引概况。"""
    from matcher.indexing import index_status

    settings = get_settings()
    data = {"home": str(settings.home), "database": settings.db_url, "encoder": settings.encoder,
            "counts": _store().counts(), "indexes": index_status(settings.index_dir)}
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


@app.command()
def search(
    query: str = typer.Argument(..., help="自由文本，如“叉车司机 两江新区”"),
    kind: str = typer.Option("postings", help="postings | courses"),
    k: int = typer.Option(10, min=1, max=100),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """混合检索（向量 + BM25）：找岗位或课程。"""
    from matcher.indexing import load_search

    hits = load_search(get_settings()).search(kind, query, k=k)
    if as_json:
        _emit({"query": query, "kind": kind, "results": hits}, True)
        return
    for i, hit in enumerate(hits, 1):
        typer.echo(f"{i:2d}. {hit['id']}  {hit['title']}  [{hit.get('district', '')}]  score={hit['score']:.3f}")


@app.command()
def serve(
    host: Optional[str] = typer.Option(None, help="默认 MATCHER_HOST (127.0.0.1)"),
    port: Optional[int] = typer.Option(None, help="默认 MATCHER_PORT (8000)"),
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


if __name__ == "__main__":
    app()
