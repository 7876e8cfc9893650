"""``shared.contracts`` stands alone: it imports no service code, and ships as its own wheel.

The wheel (``contracts/pyproject.toml``, distribution ``billing-contracts``) holds the
contract modules and ``shared.money`` and nothing else, and imports from the unpacked
wheel with only its declared dependencies beside it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from shared.contracts import CATALOG

ROOT = Path(__file__).resolve().parents[4]
UV = ROOT / ".tools" / "bin" / "uv"
FORBIDDEN = ("services", "ops", "portal", "asyncpg", "aiokafka", "faststream", "stripe", "httpx")
# What the contract needs beyond the standard library: pydantic and what it brings, iso4217.
ALLOWED_THIRD_PARTY = {
    "pydantic",
    "pydantic_core",
    "annotated_types",
    "typing_extensions",
    "typing_inspection",
    "iso4217",
}
_REPORT_IMPORTS = """
import json, sys
{setup}
import shared.contracts, shared.money
from shared.contracts import CATALOG, CreditGranted, Envelope, decode_message
from uuid import uuid4
payload = CreditGranted(grant_id="g-1", amount=2500, currency="USD", description="",
                        granted_by="ops")
raw = Envelope.wrap(payload, customer_id="cus-1", correlation_id=uuid4()).to_json_bytes()
envelope, decoded = decode_message(raw)
assert decoded == payload and envelope.topic == "billing.credits.v1", decoded
modules = sorted(sys.modules)
try:
    import shared.eventstore
    has_eventstore = True
except ModuleNotFoundError:
    has_eventstore = False
print(json.dumps({{
    "modules": modules,
    "stdlib": sorted(sys.stdlib_module_names),
    "contracts_file": shared.contracts.__file__,
    "events": len(CATALOG),
    "has_eventstore": has_eventstore,
}}))
"""


def _run(arguments: list[str], cwd: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, *arguments], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, object] = json.loads(result.stdout)
    return report


def _third_party(report: dict[str, object]) -> set[str]:
    modules = report["modules"]
    stdlib = report["stdlib"]
    assert isinstance(modules, list)
    assert isinstance(stdlib, list)
    tops = {name.split(".")[0] for name in modules}
    return {top for top in tops if top not in stdlib and not top.startswith("_")} - {"shared"}


def test_importing_the_contracts_loads_no_service_code_and_no_infrastructure_client() -> None:
    report = _run(["-c", _REPORT_IMPORTS.format(setup="")], cwd=ROOT)
    modules = report["modules"]
    assert isinstance(modules, list)
    loaded = [name for name in modules if name.split(".")[0] in FORBIDDEN]
    assert not loaded, f"importing shared.contracts loaded {loaded}"
    first_party = {name for name in modules if name.split(".")[0] == "shared"}
    assert first_party == {"shared", "shared.money"} | {
        f"shared.contracts.{path.stem}".removesuffix(".__init__")
        for path in (ROOT / "shared" / "contracts").glob("*.py")
    }
    assert _third_party(report) <= ALLOWED_THIRD_PARTY


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not UV.exists():
        pytest.skip("uv is installed by `make install` under .tools/")
    out = tmp_path_factory.mktemp("wheel")
    # a copy of the tree the build reads, so no build output lands in the checkout
    source = out / "src"
    shutil.copytree(ROOT / "contracts", source / "contracts")
    shutil.copytree(
        ROOT / "shared", source / "shared", ignore=shutil.ignore_patterns("__pycache__")
    )
    subprocess.run(
        [str(UV), "build", "--wheel", "--quiet", str(source / "contracts"), "-o", str(out)],
        check=True,
        timeout=120,
    )
    (built,) = out.glob("billing_contracts-*.whl")
    return built


def test_the_wheel_holds_the_contract_and_money_modules_only(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    shipped = {name for name in names if ".dist-info/" not in name}
    contracts = {
        f"shared/contracts/{path.name}" for path in (ROOT / "shared" / "contracts").glob("*.py")
    }
    assert shipped == {"shared/__init__.py", "shared/py.typed", "shared/money.py"} | contracts
    requirements = {
        line.split(":", 1)[1].strip().split(">")[0].split("<")[0]
        for line in metadata.decode().splitlines()
        if line.startswith("Requires-Dist:")
    }
    assert requirements == {"pydantic", "annotated-types", "iso4217"}


def test_the_unpacked_wheel_imports_with_its_dependencies_alone(
    wheel: Path, tmp_path: Path
) -> None:
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    # -I -S: no repository on the path, no site hooks (the editable install of the
    # platform stays out); only the unpacked wheel and the installed third-party packages
    site_packages = sysconfig.get_paths()["purelib"]
    setup = f"sys.path[:] = [{str(unpacked)!r}, *sys.path, {site_packages!r}]"
    report = _run(["-I", "-S", "-c", _REPORT_IMPORTS.format(setup=setup)], cwd=tmp_path)
    assert str(report["contracts_file"]).startswith(str(unpacked))
    assert report["has_eventstore"] is False
    assert report["events"] == len(CATALOG)
    assert _third_party(report) <= ALLOWED_THIRD_PARTY
