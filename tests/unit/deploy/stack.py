"""Reading the operators' stack as Docker would: compose file, variables, Dockerfiles."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from pydantic import AliasChoices, AliasPath

from services.credits.app import create_app as create_credits_app
from services.credits.settings import CreditsSettings
from services.invoicing.app import create_app as create_invoicing_app
from services.invoicing.settings import InvoicingSettings
from services.payments.app import create_app as create_payments_app
from services.payments.settings import PaymentsSettings
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "docker-compose.yml"


@dataclass(frozen=True)
class Service:
    """One of our services as the stack runs it: its settings model and its app factory."""

    name: str
    settings: type[ServiceSettings]
    create_app: Callable[[Any], FastAPI]

    @property
    def dockerfile(self) -> Path:
        return ROOT / "deploy" / f"{self.name}.Dockerfile"


SERVICES = (
    Service("credits", CreditsSettings, create_credits_app),
    Service("payments", PaymentsSettings, create_payments_app),
    Service("invoicing", InvoicingSettings, create_invoicing_app),
)

# What an operator's .env holds: a value for each variable the compose file requires.
OPERATOR_ENV = {
    "OPERATOR_TOKEN": "op-3c9f1e7a52d84b06",
    "CUSTOMER_TOKEN_SECRET": "b7e1c0d9a4f2e8b3c6d5a1f0e9d8c7b6",
    "STRIPE_API_KEY": "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "STRIPE_WEBHOOK_SECRET": "whsec_8d2f0c6a1b9e4d7f",
    "POSTGRES_PASSWORD": "pg-admin-5f1c8e2d",
    "CREDITS_DB_PASSWORD": "credits-9a7b3c1d",
    "PAYMENTS_DB_PASSWORD": "payments-2e4f6a8c",
    "INVOICING_DB_PASSWORD": "invoicing-1b3d5f7a",
}

_VARIABLE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)


def compose() -> dict[str, Any]:
    """The compose file as YAML (anchors and merge keys resolved, variables not)."""
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def required_variables() -> set[str]:
    """Every variable the compose file needs without a default (``${NAME:?message}``)."""
    return {
        match["name"]
        for match in _VARIABLE.finditer(COMPOSE_FILE.read_text())
        if match["name"] and (match["op"] or "").endswith("?")
    }


def interpolate(value: object, env: dict[str, str] | None = None) -> str:
    """Resolve ``${NAME}``, ``${NAME:-default}``, ``${NAME:?error}`` and ``$$`` as compose does."""
    env = OPERATOR_ENV if env is None else env

    def resolve(match: re.Match[str]) -> str:
        if match[0] == "$$":
            return "$"
        name, op, arg = match["name"], match["op"] or "", match["arg"] or ""
        if env.get(name):
            return env[name]
        if op.endswith("-"):
            return arg
        if op.endswith("?"):
            raise KeyError(f"the stack needs {name}: {arg}")
        return ""

    return _VARIABLE.sub(resolve, str(value))


def environment(service: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, str]:
    """A compose service's environment as its container sees it."""
    return {name: interpolate(value, env) for name, value in service["environment"].items()}


def container_port(mapping: str) -> int:
    """The container side of a ``[host_ip:]host_port:container_port`` mapping."""
    return int(mapping.rsplit(":", 1)[1].split("/")[0])


def env_names(model: type[ServiceSettings]) -> set[str]:
    """The environment variables a settings model reads, upper-cased unless it is case-sensitive."""
    prefix = model.model_config.get("env_prefix", "")
    names: set[str] = set()
    for field_name, field in model.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, str):
            names.add(alias)
        elif isinstance(alias, AliasPath):
            names.add(str(alias.path[0]))
        elif isinstance(alias, AliasChoices):
            for choice in alias.choices:
                names.add(choice if isinstance(choice, str) else str(choice.path[0]))
        else:
            names.add(f"{prefix}{field_name}")
    if model.model_config.get("case_sensitive", False):
        return names
    return {name.upper() for name in names}


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    keyword: str
    arguments: str


def dockerfile_instructions(path: Path) -> list[Instruction]:
    """Read a Dockerfile into its instructions (comments dropped, ``\\`` lines joined)."""
    joined = re.sub(r"\\\n", " ", path.read_text())
    instructions = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            instructions.append(Instruction(keyword.upper(), arguments.strip()))
    return instructions


def exec_form(arguments: str) -> list[str]:
    """The argument list of an exec-form (JSON array) ``CMD`` or ``HEALTHCHECK ... CMD``."""
    parsed = json.loads(arguments[arguments.index("[") :])
    assert isinstance(parsed, list)
    return [str(item) for item in parsed]


def dockerignore_keeps(path: str) -> bool:
    """Tell whether the root ``.dockerignore`` lets ``path`` into the build context.

    Like Docker: the last pattern matching the path or one of its parent folders wins;
    ``!`` re-includes; ``**/`` matches at any depth.
    """
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    kept = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        glob = pattern.lstrip("!").strip("/")
        candidates = [glob, glob.removeprefix("**/")] if glob.startswith("**/") else [glob]
        for prefix in prefixes:
            tails = ["/".join(prefix.split("/")[start:]) for start in range(prefix.count("/") + 1)]
            subjects = tails if glob.startswith("**/") else [prefix]
            if any(fnmatch.fnmatchcase(s, c) for s in subjects for c in candidates):
                kept = negated
                break
    return kept
