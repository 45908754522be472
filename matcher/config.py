"""All configuration in one place: environment variables with the MATCHER_ prefix."""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]
# Where `python -m models.finetune` (make model) writes the domain-adapted encoder, relative to the data home.
# Its onnx/encoder.json names the graph to serve (int8 or fp32, chosen on the dev split at training time).
TRAINED_ENCODER_DIR = Path("models") / "e5-small-zh-csco"
FALLBACK_ENCODER = "usem"

log = logging.getLogger(__name__)


class RankingWeights(BaseModel):
    """Weights of the transparent ranking function: score = Σ weight × feature, each feature in [0, 1].

    Why these values: certificates are the strongest evidence of fit in this field (a thin résumé is a
    certificate, a level and a district), commute comes next (DOMAIN.md: near beats far when fit is
    equal), then meaning of the texts; pay, skills, freshness and experience refine. They were set by
    reasoning about the domain, not fitted to any evaluation set. Override with e.g.
    MATCHER_WEIGHTS__DISTANCE=0.3.
    """

    certificate: float = Field(0.30, ge=0, description="证书匹配：同职业且等级达标 1，等级不足 0.5，相关职业 0.3")
    distance: float = Field(0.20, ge=0, description="通勤：约 30 分钟处为 0.5")
    semantic: float = Field(0.20, ge=0, description="画像与岗位文本的语义相似度（向量余弦）")
    skills: float = Field(0.10, ge=0, description="技能/证书词在岗位文本中出现的比例")
    pay: float = Field(0.10, ge=0, description="薪资达到期望为 1，差距越大越低")
    experience: float = Field(0.05, ge=0, description="工作年限 / 要求年限")
    freshness: float = Field(0.05, ge=0, description="发布新鲜度，半衰期 30 天")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", env_nested_delimiter="__", extra="ignore")

    home: Path = Field(
        default=REPO_ROOT / "var" / "default",
        description="Data home: database, indexes and embedding cache live here. Several worlds can coexist.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Default: SQLite file matcher.db under `home`. PostgreSQL works too.",
    )
    encoder: str = Field(
        default="auto",
        description="Text encoder spec: auto | usem | e5 | fusion | st:<path> | onnx:<path>. `auto` = the trained "
        "domain model under `home` (make model) when present and onnxruntime is installed, else usem.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    demo_seed: int = 20251119
    weights: RankingWeights = RankingWeights()
    default_radius_km: float = Field(default=30.0, description="“附近”的默认半径（公里），用于技能差距与供需分析")
    max_commute_minutes: float = Field(
        default=90.0, gt=0, description="单程通勤上限（分钟）：超过的岗位默认不推荐（可按查询放宽或标注“需异地/住宿”）"
    )
    body_timeout_seconds: float = Field(
        default=30.0, gt=0, description="请求体分块之间的最长等待（秒）：慢速发送的请求返回 408，不占用服务"
    )
    today: dt.date | None = Field(
        default=None,
        description="证书有效期按这一天判断（YYYY-MM-DD）；默认今天。Fixes the clock for tests and replays.",
    )
    log_level: str = Field(
        default="INFO", description="Level of the service's loggers (api, matcher, indexes, models)."
    )
    json_logs: bool = Field(
        default=True, description="JSON lines on stderr for the service's loggers; false leaves logging to you."
    )
    api_encoder_threads: int = Field(
        default=1,
        ge=0,
        description="Threads the encoder and BLAS may use per API process (1 measured best on 2 cores; 0 = leave as is).",
    )
    web_dir: Path = Field(
        default=REPO_ROOT / "web",
        description="网页目录（含 static/ 与 node_modules/）：默认源码树中的 web/；其他部署方式用 MATCHER_WEB_DIR 指向它的副本。",
    )

    @model_validator(mode="after")
    def _resolve_auto_encoder(self) -> Settings:
        if self.encoder.strip() == "auto":
            self.encoder = trained_encoder_spec(self.home) or FALLBACK_ENCODER
        return self

    def clock(self) -> dt.date:
        """The day certificate validity is judged on (real date unless MATCHER_TODAY fixes it)."""
        return self.today or dt.date.today()

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'matcher.db'}"

    @property
    def index_dir(self) -> Path:
        return self.home / "indexes"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


def trained_encoder_spec(home: Path) -> str | None:
    """`onnx:<graph>` if the trained encoder exists under `home` and can run here, else None."""
    folder = Path(home) / TRAINED_ENCODER_DIR / "onnx"
    if not (folder / "encoder.json").is_file():
        return None
    if importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("tokenizers") is None:
        log.warning("trained encoder %s present but onnxruntime/tokenizers missing; using %s", folder, FALLBACK_ENCODER)
        return None
    return f"onnx:{folder}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests build their own `Settings(...)` instead of mutating this one."""
    return Settings()
