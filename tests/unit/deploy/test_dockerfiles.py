"""Each service's Dockerfile builds from what the repository holds and runs as it should.

Checked statically: the sources it copies exist and pass ``.dockerignore``, it has a
build stage and a runtime stage, installs the locked dependencies only, runs as a user
other than root, and starts its own service on the port its healthcheck asks.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.unit.deploy.stack import (
    ROOT,
    SERVICES,
    Service,
    compose,
    dockerfile_instructions,
    dockerignore_keeps,
    exec_form,
)


def _copy_sources(arguments: str) -> list[str]:
    words = [word for word in arguments.split() if not word.startswith("--")]
    return words[:-1]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_copy_source_exists_and_is_in_the_build_context(service: Service) -> None:
    copies = [i for i in dockerfile_instructions(service.dockerfile) if i.keyword == "COPY"]
    local = [copy for copy in copies if "--from=" not in copy.arguments]
    sources = [source for copy in local for source in _copy_sources(copy.arguments)]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert dockerignore_keeps(source), f".dockerignore leaves out {source}"
    others = {other.name for other in SERVICES} - {service.name}
    assert not [s for s in sources if Path(s).parts[:2] in {("services", o) for o in others}]
    assert f"services/{service.name}" in sources


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_it_builds_in_stages_from_the_lock_and_runs_unprivileged(service: Service) -> None:
    instructions = dockerfile_instructions(service.dockerfile)
    assert sum(i.keyword == "FROM" for i in instructions) > 1
    syncs = [i.arguments for i in instructions if i.keyword == "RUN" and "uv sync" in i.arguments]
    assert syncs
    assert all("--frozen" in sync and "--no-dev" in sync for sync in syncs)
    users = [i.arguments for i in instructions if i.keyword == "USER"]
    assert users, "no USER: the container would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    last_stage = max(index for index, i in enumerate(instructions) if i.keyword == "FROM")
    assert any(i.keyword == "USER" for i in instructions[last_stage:])


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_it_starts_its_service_on_the_port_its_healthcheck_asks(service: Service) -> None:
    instructions = dockerfile_instructions(service.dockerfile)
    (command,) = [i.arguments for i in instructions if i.keyword == "CMD"]
    assert exec_form(command) == ["python", "-m", f"services.{service.name}"]
    assert (ROOT / "services" / service.name / "__main__.py").is_file()

    environment = " ".join(i.arguments for i in instructions if i.keyword == "ENV")
    port_variable = f"{service.name.upper()}_PORT"
    port = int(environment.split(f"{port_variable}=")[1].split()[0])
    compose_port = compose()["services"][service.name]["environment"][port_variable]
    assert port == int(compose_port)
    assert [i.arguments for i in instructions if i.keyword == "EXPOSE"] == [str(port)]
    (healthcheck,) = [i.arguments for i in instructions if i.keyword == "HEALTHCHECK"]
    url = urlsplit(next(a for a in exec_form(healthcheck) if "://" in a).split("'")[1])
    assert (url.port, url.path) == (port, "/readyz")


def test_the_build_context_leaves_out_local_state_and_secrets() -> None:
    for path in (".venv/bin/python", ".env", ".data/logs", ".cache/x", ".tools/bin/uv", ".git"):
        assert not dockerignore_keeps(path), path
    for path in ("tests/unit/deploy", "bench/results/x.json", "shared/__pycache__/x.pyc"):
        assert not dockerignore_keeps(path), path
    for path in ("pyproject.toml", "uv.lock", "shared/money.py", "services/credits/app.py"):
        assert dockerignore_keeps(path), path
