"""Typed settings read from environment variables (and an optional `.env`), with embedded defaults."""

from __future__ import annotations

import ipaddress
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-insecure-change-me"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./var/s7.db"
    # Database connections per web process = worker threads per process (see README "Production").
    db_pool_size: int = Field(default=16, ge=1, le=200)
    secret_key: str = DEFAULT_SECRET_KEY
    # The local, single-machine mode of scripts/run.sh: the default SECRET_KEY is tolerated.
    embedded: bool = False
    token_ttl_days: int = 30
    admin_session_max_age: int = 8 * 3600  # idle timeout
    admin_session_absolute_max_age: int = 12 * 3600
    https_only_cookies: bool = False
    # Largest request body outside the media upload routes (JSON, forms, back-office); more is a 413.
    max_body_bytes: int = 1024 * 1024
    # Reverse proxies whose X-Forwarded-For / Forwarded headers are believed (addresses or networks).
    trusted_proxies: str = ""

    media_backend: str = "local"  # local | s3
    media_root: Path = Path("./var/media")
    private_root: Path = Path("./var/private")
    media_max_bytes: int = 2 * 1024**3
    # A payment screenshot (POST /api/payments/proof): JPEG/PNG/WebP up to this size, stored privately.
    payment_proof_max_bytes: int = 5 * 1024**2
    media_accel_redirect_prefix: str = ""
    media_cors_origins: str = "*"
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_serve_mode: str = "redirect"  # redirect | proxy
    s3_presign_seconds: int = 300

    smtp_url: str = ""
    # With SMTP_URL empty: true = emails are written to the log and marked SENT_TO_LOG; false = they wait.
    email_to_log: bool = False
    mail_from: str = "S7 Robotics <no-reply@s7robotics.kz>"
    email_max_attempts: int = 8

    default_timezone: str = "Asia/Almaty"
    # NoDecode: the env value reaches the validator raw, so the documented `100,500` form works too.
    xp_thresholds: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [100])
    public_base_url: str = "http://localhost:8000"
    # Payment instructions shown by every client (GET /api/plans, a course's purchase info).
    kaspi_phone: str = ""
    kaspi_recipient: str = "S7 Robotics"
    kaspi_comment_note: str = "В комментарии к платежу укажите ваш email"
    log_level: str = "INFO"
    # Bearer token for GET /metrics (Prometheus); empty = no metrics endpoint.
    metrics_token: str = ""
    worker_interval_seconds: int = 30

    @field_validator("xp_thresholds", mode="before")
    @classmethod
    def _parse_thresholds(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            return json.loads(value) if value.startswith("[") else [int(v) for v in value.split(",") if v.strip()]
        return value

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (e.g. Asia/Almaty)") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("media_backend")
    @classmethod
    def _check_backend(cls, value: str) -> str:
        if value not in ("local", "s3"):
            raise ValueError("must be local or s3")
        return value

    @field_validator("s3_serve_mode")
    @classmethod
    def _check_serve_mode(cls, value: str) -> str:
        if value not in ("redirect", "proxy"):
            raise ValueError("must be redirect or proxy")
        return value

    @field_validator("token_ttl_days", "admin_session_max_age", "max_body_bytes", "media_max_bytes",
                     "payment_proof_max_bytes", "email_max_attempts", "worker_interval_seconds", "s3_presign_seconds")
    @classmethod
    def _check_positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be a positive number")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        parse_networks(value)
        return value

    @property
    def trusted_proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return parse_networks(self.trusted_proxies)

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.media_cors_origins.split(",") if o.strip()]


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """`"127.0.0.1, 10.0.0.0/8"` → networks; raises ValueError naming a bad entry."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise ValueError(f"TRUSTED_PROXIES: «{item}» is not an IP address or network") from exc
    return networks


@lru_cache
def get_settings() -> Settings:
    return Settings()
