"""The operators' compose file and Dockerfile hold together (checked statically: no Docker here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from services.credits.settings import CreditsSettings
from services.invoicing.settings import InvoicingSettings
from services.payments.settings import PaymentsSettings

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = {
    "credits": CreditsSettings,
    "payments": PaymentsSettings,
    "invoicing": InvoicingSettings,
}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_every_service_variable_is_a_setting_and_ports_match() -> None:
    services = compose()["services"]
    for name, model in SETTINGS.items():
        service = services[name]
        known = {field.upper() for field in model.model_fields}
        assert set(service["environment"]) <= known, name
        port = service["environment"][f"{name.upper()}_PORT"]
        assert service["ports"] == [f"127.0.0.1:{port}:{port}"]
        assert f"127.0.0.1:{port}/readyz" in " ".join(service["healthcheck"]["test"])
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert service["build"]["args"]["SERVICE"] == name


def test_infrastructure_has_healthchecks_and_named_volumes() -> None:
    spec = compose()
    for name in ("kafka", "postgres"):
        assert spec["services"][name]["healthcheck"]["test"]
    assert set(spec["volumes"]) == {"kafka-data", "postgres-data"}
    init = spec["services"]["postgres"]["volumes"][1].split(":")[0]
    sql = (ROOT / init).read_text()
    assert all(f"CREATE DATABASE {name};" in sql for name in SETTINGS)


def test_every_dockerfile_copy_source_exists() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copies = re.findall(r"^COPY (?!--from)(.+?) \S+$", dockerfile, flags=re.MULTILINE)
    sources = [src for line in copies for src in line.split()]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
