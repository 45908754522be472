"""All configuration in one place: environment variables with the MATCHER_ prefix."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore")

    home: Path = Field(
        default=REPO_ROOT / "var" / "default",
        description="Data home: database, indexes and embedding cache live here. Several worlds can coexist.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Default: SQLite file matcher.db under `home`. PostgreSQL works too.",
    )
    encoder: str = Field(default="usem", description="Text encoder spec: usem | e5 | fusion | st:<path>.")
    host: str = "127.0.0.1"
    port: int = 8000
    demo_seed: int = 20251119

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'matcher.db'}"

    @property
    def index_dir(self) -> Path:
        return self.home / "indexes"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests build their own `Settings(...)` instead of mutating this one."""
    return Settings()
