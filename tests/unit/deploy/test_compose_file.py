"""The operators' compose file holds together (checked statically: no Docker engine here).

Each service's environment is read by its own settings model exactly as the container
would read it, its ports and healthcheck point at a route of its app, dependencies
wait on conditions, volumes are declared, and the init job creates every topic.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from shared.contracts import TOPICS, dlq_topic
from tests.unit.deploy.stack import (
    COMPOSE_FILE,
    OPERATOR_ENV,
    ROOT,
    SERVICES,
    Service,
    compose,
    container_port,
    env_names,
    environment,
    interpolate,
    required_variables,
)

CONDITIONS = {"service_healthy", "service_completed_successfully", "service_started"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return compose()


def _healthcheck_url(service: dict[str, Any]) -> str:
    command = " ".join(str(part) for part in service["healthcheck"]["test"])
    urls = re.findall(r"https?://[^'\"\s)]+", command)
    assert len(urls) == 1, command
    return str(urls[0])


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_variable_is_a_setting_of_the_service(service: Service, spec: dict[str, Any]) -> None:
    variables = {name.upper() for name in spec["services"][service.name]["environment"]}
    unknown = variables - env_names(service.settings)
    assert not unknown, f"{service.name} has no setting for {sorted(unknown)}"


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_ports_and_healthcheck_point_at_the_services_readiness_route(
    service: Service, spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    definition = spec["services"][service.name]
    for name in env_names(service.settings):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment(definition).items():
        monkeypatch.setenv(name, value)
    settings = service.settings()  # read from the environment

    assert settings.port == int(environment(definition)[f"{service.name.upper()}_PORT"])
    assert [container_port(mapping) for mapping in definition["ports"]] == [settings.port]
    assert all(mapping.startswith("127.0.0.1:") for mapping in definition["ports"])
    url = urlsplit(_healthcheck_url(definition))
    assert url.port == settings.port
    assert url.path == "/readyz"
    paths = service.create_app(settings).openapi()["paths"]
    assert "get" in paths[url.path], f"{service.name} has no GET {url.path}"


def test_the_services_refuse_the_stack_without_its_secrets(
    spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = SERVICES[0]
    definition = spec["services"][service.name]
    without = {name: value for name, value in OPERATOR_ENV.items() if name != "OPERATOR_TOKEN"}
    with pytest.raises(KeyError, match="OPERATOR_TOKEN"):
        environment(definition, without)
    for name in env_names(service.settings):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment(definition).items():
        if name != "OPERATOR_TOKEN":
            monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match="OPERATOR_TOKEN"):
        service.settings()  # non-loopback HOST, development token


def test_every_required_variable_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Operators' stack") :].split("\n## ", 1)[0]
    header = COMPOSE_FILE.read_text().split("\nx-", 1)[0]
    assert required_variables() == set(OPERATOR_ENV)
    for name in required_variables():
        assert f"`{name}`" in section, f"README's operators' stack does not name {name}"
        assert name in header, f"the compose file's header does not name {name}"


def test_dependencies_wait_on_conditions(spec: dict[str, Any]) -> None:
    services = spec["services"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert isinstance(rule, dict), f"{name} -> {dependency} needs a condition"
            condition = rule["condition"]
            assert condition in CONDITIONS, (name, dependency)
            if condition == "service_healthy":
                assert services[dependency]["healthcheck"]["test"], dependency
            if condition == "service_completed_successfully":
                assert services[dependency]["restart"] == "no", dependency
    for service in SERVICES:
        assert services[service.name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "kafka": {"condition": "service_healthy"},
            "kafka-init": {"condition": "service_completed_successfully"},
        }


def test_long_running_containers_have_a_healthcheck_and_restart(spec: dict[str, Any]) -> None:
    for name, service in spec["services"].items():
        if name == "kafka-init":
            continue
        assert service["restart"] in {"unless-stopped", "always", "on-failure"}, name
        assert service["healthcheck"]["test"], name


def test_every_volume_is_declared_and_every_bind_mount_exists(spec: dict[str, Any]) -> None:
    declared = set(spec.get("volumes") or {})
    used = set()
    for name, service in spec["services"].items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared, f"{name} uses undeclared volume {source}"
                used.add(source)
    assert used == declared


def test_kafka_keeps_its_log_on_its_volume_and_listens_where_clients_look(
    spec: dict[str, Any],
) -> None:
    kafka = spec["services"]["kafka"]
    settings = {key: interpolate(value) for key, value in kafka["environment"].items()}
    mounts = dict(mount.split(":")[:2] for mount in kafka["volumes"])
    assert settings["KAFKA_LOG_DIRS"] in mounts.values()
    advertised = dict(
        entry.split("://") for entry in settings["KAFKA_ADVERTISED_LISTENERS"].split(",")
    )
    for service in SERVICES:
        bootstrap = environment(spec["services"][service.name])["KAFKA_BOOTSTRAP_SERVERS"]
        assert bootstrap == advertised["PLAINTEXT"]
    external = urlsplit(f"//{advertised['EXTERNAL']}")
    assert [mapping.split(":", 1)[1] for mapping in kafka["ports"]] == [
        f"{external.port}:{external.port}"
    ]


def test_the_init_job_creates_every_topic_and_its_dead_letter_twin(
    spec: dict[str, Any],
) -> None:
    services = spec["services"]
    init = services["kafka-init"]
    assert init["image"] == services["kafka"]["image"]
    assert init["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    topics = init["environment"]["TOPICS"].split()
    assert sorted(topics) == sorted({*TOPICS, *(dlq_topic(topic) for topic in TOPICS)})
    script = " ".join([*init["entrypoint"], *init["command"]])
    assert re.search(r"for (\w+) in \$\$TOPICS; do", script)
    for flag in ("--create", "--if-not-exists", '--partitions "$$PARTITIONS"'):
        assert flag in script, flag
    assert '--replication-factor "$$REPLICATION_FACTOR"' in script
    assert "--bootstrap-server kafka:9092" in script
    for service in SERVICES:
        env = services[service.name]["environment"]
        assert env["KAFKA_TOPIC_PARTITIONS"] == init["environment"]["PARTITIONS"]
        assert env["KAFKA_REPLICATION_FACTOR"] == init["environment"]["REPLICATION_FACTOR"]
    assert interpolate(init["environment"]["PARTITIONS"], {}) == "6"


def test_each_service_logs_in_as_its_own_role_to_its_own_database(spec: dict[str, Any]) -> None:
    postgres = spec["services"]["postgres"]
    init_mount = next(m for m in postgres["volumes"] if "docker-entrypoint-initdb.d" in m)
    sql = (ROOT / init_mount.split(":")[0]).read_text()
    for service in SERVICES:
        name = service.name
        raw_url = spec["services"][name]["environment"]["DATABASE_URL"]
        password_variable = f"{name.upper()}_DB_PASSWORD"
        assert f"${{{password_variable}:?" in raw_url
        assert password_variable in postgres["environment"]
        url = urlsplit(interpolate(raw_url))
        assert (url.username, url.password) == (name, OPERATOR_ENV[password_variable])
        assert (url.hostname, url.port, url.path) == ("postgres", 5432, f"/{name}")
        assert f"\\getenv {name}_password {password_variable}\n" in sql
        assert f"CREATE ROLE {name} LOGIN PASSWORD :'{name}_password';" in sql
        assert f"CREATE DATABASE {name} OWNER {name};" in sql
        assert f"REVOKE ALL ON DATABASE {name} FROM PUBLIC;" in sql


def test_services_build_from_their_own_dockerfile(spec: dict[str, Any]) -> None:
    for service in SERVICES:
        build = spec["services"][service.name]["build"]
        assert build["context"] == "."
        assert ROOT / build["dockerfile"] == service.dockerfile
        assert service.dockerfile.is_file()
