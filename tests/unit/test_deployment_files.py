"""The deployment files, checked the way an operator reviewing them would (no Docker engine runs
here): the image builds the dashboard and runs unprivileged with a health check, the compose file
wires healthy services with every variable documented, the proxies pass WebSocket upgrades, and
every command line they hold is one `finnegans` accepts."""

from __future__ import annotations

import configparser
import fnmatch
import os
import re
import shlex
import stat
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet
from dockerfile_parse import DockerfileParser
from typer.testing import CliRunner

from finnegans.cli import app as cli_app
from finnegans.config import Environment, Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRET_WORDS = re.compile(r"SECRET|PASSWORD|TOKEN|ENCRYPTION_KEYS|PRIVATE_KEY|CREDENTIAL", re.I)
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 (what the files must say)
PINNED = re.compile(r"^[\w./-]+:\d+(\.\d+)+[\w.-]*(@sha256:[0-9a-f]{64})?$")


# --- helpers ------------------------------------------------------------------------------


def assert_cli_accepts(argv: list[str]) -> None:
    """`finnegans ARGV` names a real command with real options: parsed up to `--help`, which
    stops before running anything (an unknown command or option fails the parse, exit 2)."""
    result = CliRunner().invoke(cli_app, [*argv, "--help"])
    assert result.exit_code == 0, f"`finnegans {' '.join(argv)}`: {result.output}"
    assert "Usage: " in result.output and f" {argv[0]} " in result.output


def finnegans_argv(command_line: str) -> list[str]:
    """The arguments after the `finnegans` executable in a command line (`$PORT` → 8000)."""
    words = shlex.split(command_line.replace("$PORT", "8000"))
    for i, word in enumerate(words):
        if Path(word).name == "finnegans":
            return words[i + 1 :]
    raise AssertionError(f"no finnegans command in {command_line!r}")


def env_example() -> dict[str, str]:
    """Variables set in deploy/.env.example (uncommented `NAME=value` lines)."""
    values = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if match := re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line.strip()):
            values[match[1]] = match[2]
    return values


def env_example_documented() -> set[str]:
    """Every variable the file sets or shows commented out (`# NAME=value`)."""
    text = (DEPLOY / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.M))


# --- Dockerfile ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile() -> DockerfileParser:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"), cache_content=True)
    parser.content = (ROOT / "Dockerfile").read_text()
    return parser


def stages(parser: DockerfileParser) -> list[list[dict[str, Any]]]:
    """Instructions grouped by stage (each list starts with its FROM)."""
    grouped: list[list[dict[str, Any]]] = []
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            grouped.append([])
        if grouped and instruction["instruction"] != "COMMENT":
            grouped[-1].append(instruction)
    return grouped


def values(stage: list[dict[str, Any]], name: str) -> list[str]:
    return [i["value"] for i in stage if i["instruction"] == name]


def test_image_builds_the_dashboard_with_node_and_runs_without_it(
    dockerfile: DockerfileParser,
) -> None:
    assert dockerfile.is_multistage
    web, builder, runtime = stages(dockerfile)
    assert web[0]["value"].startswith("node:20") and web[0]["value"].endswith(" AS web")
    web_runs = " && ".join(values(web, "RUN"))
    assert "npm ci" in web_runs and "npm run build" in web_runs
    assert builder[0]["value"].startswith("python:3.11")
    assert any("--from=web" in v and "web_dist" in v for v in values(builder, "COPY"))
    assert any("pip wheel" in v for v in values(builder, "RUN"))
    assert runtime[0]["value"].startswith("python:3.11") and "slim" in runtime[0]["value"]
    assert any("--from=builder" in v for v in values(runtime, "COPY"))
    runtime_text = " ".join(i["value"] for i in runtime)
    assert "npm" not in runtime_text and "--from=web" not in runtime_text


def test_every_base_image_is_pinned_to_a_version(dockerfile: DockerfileParser) -> None:
    for stage in stages(dockerfile):
        image = stage[0]["value"].split()[0]
        assert PINNED.match(image), f"{image} is not pinned to an exact version"


def test_runtime_runs_as_a_non_root_user_with_health_check_port_and_volume(
    dockerfile: DockerfileParser,
) -> None:
    runtime = stages(dockerfile)[-1]
    users = values(runtime, "USER")
    assert users, "the final stage must switch to a non-root USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    names = [i["instruction"] for i in runtime]
    assert names.index("USER") > max(i for i, n in enumerate(names) if n == "RUN")
    assert "8000" in values(runtime, "EXPOSE")[0].split()
    assert "/data" in values(runtime, "VOLUME")[0]
    env = dockerfile.envs  # the final stage's
    assert env["DATA_DIR"] == "/data" and env["HOST"] == ALL_INTERFACES and env["PORT"] == "8000"
    assert env["ENVIRONMENT"] == "production"
    healthcheck = values(runtime, "HEALTHCHECK")
    assert len(healthcheck) == 1 and "/api/health" in healthcheck[0]
    assert "python" in healthcheck[0] and "curl" not in healthcheck[0]  # slim has no curl
    assert re.search(r"--interval=\d+s", healthcheck[0])
    assert values(runtime, "ENTRYPOINT") and values(runtime, "CMD") == ['["serve"]']


def test_health_check_command_succeeds_only_on_a_healthy_answer(
    dockerfile: DockerfileParser,
) -> None:
    """Run the HEALTHCHECK's Python against a stand-in server: 200 healthy, 503 or none not."""
    command = values(stages(dockerfile)[-1], "HEALTHCHECK")[0].split(" CMD ", 1)[1]
    code = command.split('python -c "', 1)[1].rsplit('"', 1)[0]
    answer = {"status": 200}
    paths: list[str] = []

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            paths.append(self.path)
            self.send_response(answer["status"])
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def probe(port: int) -> int:
        env = {**os.environ, "PORT": str(port)}
        return subprocess.run(  # noqa: S603 (our own Dockerfile's command)
            [sys.executable, "-c", code], env=env, capture_output=True, check=False
        ).returncode

    try:
        assert probe(server.server_port) == 0 and paths == ["/api/health"]
        answer["status"] = 503  # the database is unreachable
        assert probe(server.server_port) != 0
    finally:
        server.shutdown()
        server.server_close()
    assert probe(server.server_port) != 0  # nothing listening


def test_no_secret_is_baked_into_the_image(dockerfile: DockerfileParser) -> None:
    for instruction in dockerfile.structure:
        if instruction["instruction"] in {"ENV", "ARG", "LABEL"}:
            assert not SECRET_WORDS.search(instruction["value"]), instruction["content"]
        if instruction["instruction"] in {"COPY", "ADD"}:
            assert not re.search(r"\.env\b|secrets\.json|\.db\b", instruction["value"])


def test_files_the_dockerfile_copies_exist_and_are_not_docker_ignored(
    dockerfile: DockerfileParser,
) -> None:
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for must in (".venv", "web/node_modules", "data", ".env", ".git"):
        assert must in ignored, f".dockerignore should exclude {must}"
    for instruction in dockerfile.structure:
        if instruction["instruction"] != "COPY" or "--from=" in instruction["value"]:
            continue
        *sources, _target = shlex.split(instruction["value"])
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
            for pattern in ignored:
                assert not fnmatch.fnmatch(source.rstrip("/"), pattern), (source, pattern)


def _run_entrypoint(tmp_path: Path, *args: str, **env: str) -> list[str]:
    """The entrypoint with a stand-in `finnegans` that records how it was called."""
    calls = tmp_path / "calls"
    stub = tmp_path / "bin" / "finnegans"
    stub.parent.mkdir(exist_ok=True)
    stub.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    calls.unlink(missing_ok=True)
    environment = {"PATH": f"{stub.parent}:/usr/bin:/bin", "HOST": ALL_INTERFACES, "PORT": "8000"}
    subprocess.run(  # noqa: S603
        ["/bin/sh", str(DEPLOY / "docker-entrypoint.sh"), *args],
        env={**environment, **env},
        check=True,
    )
    return calls.read_text().splitlines()


def test_entrypoint_migrates_then_serves_on_all_interfaces(tmp_path: Path) -> None:
    calls = _run_entrypoint(tmp_path, "serve")
    assert calls == ["migrate", f"serve --no-migrate --host {ALL_INTERFACES} --port 8000"]
    for call in calls:
        assert_cli_accepts(call.split())
    assert _run_entrypoint(tmp_path) == calls  # CMD ["serve"] is the default
    assert _run_entrypoint(tmp_path, "serve", MIGRATE_ON_START="false") == calls[1:]
    assert _run_entrypoint(tmp_path, "worker") == ["worker"]
    assert _run_entrypoint(tmp_path, "backup", "--with-media") == ["backup --with-media"]


# --- docker-compose.yml -------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_compose_runs_postgres_redis_migrate_app_worker_and_a_tls_proxy(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "app", "worker", "caddy"}
    for name, service in services.items():
        assert PINNED.match(service.get("image", "")), f"{name}: image not pinned"
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert services["app"]["command"] == ["serve"]
    assert services["worker"]["command"] == ["worker"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"  # one-shot
    assert "443:443" in services["caddy"]["ports"] and "80:80" in services["caddy"]["ports"]
    assert "ports" not in services["postgres"] and "ports" not in services["redis"]
    assert "ports" not in services["app"]  # reached only through the proxy


def test_compose_health_checks_and_start_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "/api/health" in " ".join(services["app"]["healthcheck"]["test"])
    assert services["worker"]["healthcheck"] == {"disable": True}  # no HTTP port
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("app", "worker"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
    assert services["caddy"]["depends_on"] == {"app": {"condition": "service_healthy"}}


def test_app_and_worker_get_the_production_configuration(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("app", "worker", "migrate"):
        env = services[name]["environment"]
        assert env["ENVIRONMENT"] == "production"
        assert (
            env["DATABASE_URL"].startswith("postgresql://")
            and "@postgres:5432/" in env["DATABASE_URL"]
        )
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["EMBEDDED_WORKER"] == "false"  # the worker service does the processing
        assert env["MIGRATE_ON_START"] == "false"  # the migrate service does it once
        for required in ("JWT_SECRET", "ENCRYPTION_KEYS", "PUBLIC_URL"):
            assert env[required].startswith(f"${{{required}:?"), f"{name}: {required} required"
        for key, value in env.items():
            # Compose refuses YAML booleans in `environment`; and no secret value is inline.
            assert isinstance(value, str), f"{name}.{key} must be a quoted string"
            if SECRET_WORDS.search(key):
                assert value.startswith("${") or value == "", f"{name}.{key} is hard-coded"
    assert services["app"]["environment"]["FORWARDED_ALLOW_IPS"] == "*"
    volumes = {v.split(":")[0] for v in services["app"]["volumes"] + services["worker"]["volumes"]}
    assert volumes == {"finnegans-data"}  # media written by either process, one volume


def test_every_compose_variable_is_in_env_example(compose: dict[str, Any]) -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    required = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*):\?", text))
    assert {"JWT_SECRET", "ENCRYPTION_KEYS", "PUBLIC_URL", "POSTGRES_PASSWORD"} <= required
    assert used - env_example_documented() == set(), "used in docker-compose.yml, undocumented"
    assert required <= set(env_example()), "required by docker-compose.yml, not in .env.example"


def test_every_setting_the_app_reads_is_documented_in_env_example() -> None:
    documented = env_example_documented()
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented == set()
    # and what only the deployment reads
    assert {"MIGRATE_ON_START", "FORWARDED_ALLOW_IPS", "DOMAIN"} <= documented


def test_env_example_holds_no_secrets_and_its_recipes_make_valid_ones() -> None:
    example = env_example()
    for name in ("JWT_SECRET", "ENCRYPTION_KEYS", "POSTGRES_PASSWORD", "METRICS_TOKEN"):
        assert example[name] == "", f"{name} must be blank in the example"
    recipes = re.findall(r'python3 -c "(.+)"', (DEPLOY / ".env.example").read_text())
    generated = [
        subprocess.run(  # noqa: S603 (the recipes printed in our own .env.example)
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        for code in recipes
    ]
    assert len(generated) == 4 and len(set(generated)) == 4
    jwt_secret, key, _password, _metrics_token = generated
    Fernet(key.encode())  # a valid encryption key
    filled = {
        **{k.lower(): v for k, v in example.items() if k.lower() in Settings.model_fields},
        "jwt_secret": jwt_secret,
        "encryption_keys": key,
        "database_url": "postgresql://finnegans:pw@postgres:5432/finnegans",
    }
    settings = Settings(_env_file=None, **filled)  # type: ignore[call-arg]
    assert settings.environment is Environment.production and settings.cookies_secure
    assert not settings.embedded_worker
    assert example["PUBLIC_URL"] == f"https://{example['DOMAIN']}"


# --- reverse proxies ----------------------------------------------------------------------


def _blocks(text: str, opener: str) -> list[str]:
    """The bodies of `opener ... { ... }` blocks (braces balanced)."""
    found = []
    for match in re.finditer(re.escape(opener) + r"[^{\n]*\{", text):
        depth, start = 1, match.end()
        for i in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                found.append(text[start:i])
                break
    return found


def _code(path: Path) -> str:
    return "\n".join(line.split("#", 1)[0] for line in path.read_text().splitlines())


def test_caddy_serves_the_domain_and_proxies_socket_io_to_the_app(
    compose: dict[str, Any],
) -> None:
    caddyfile = _code(DEPLOY / "Caddyfile")
    assert caddyfile.count("{") == caddyfile.count("}")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in compose["services"]["caddy"]["volumes"]
    (site,) = _blocks(caddyfile, "{$DOMAIN}")
    (socket_io,) = _blocks(site, "handle /socket.io/*")
    # Caddy's reverse_proxy passes WebSocket upgrades itself; the route must reach the app.
    assert "reverse_proxy app:8000" in socket_io
    assert "encode" not in socket_io  # compressing the socket route breaks long-polling
    assert "expose" in compose["services"]["app"] and "8000" in compose["services"]["app"]["expose"]
    assert re.search(r"max_size\s+\d+MB", site)


def test_nginx_passes_websocket_upgrades_and_proxy_headers() -> None:
    nginx = _code(DEPLOY / "nginx.conf")
    assert nginx.count("{") == nginx.count("}")
    assert re.search(r"map \$http_upgrade \$connection_upgrade", nginx)
    (socket_io,) = _blocks(nginx, "location /socket.io/")
    assert "proxy_set_header Upgrade $http_upgrade;" in socket_io
    assert "proxy_set_header Connection $connection_upgrade;" in socket_io
    assert "proxy_http_version 1.1;" in nginx
    assert re.search(r"client_max_body_size\s+1\d\dm;", nginx)
    locations = _blocks(nginx, "location ")
    assert len(locations) == 2
    for body in locations:
        # nginx drops the server-level proxy_set_header in any location that sets its own.
        for header in ("Host $host", "X-Forwarded-For", "X-Forwarded-Proto $scheme"):
            assert f"proxy_set_header {header}" in body
        assert "proxy_pass http://finnegans;" in body


# --- systemd and Procfile -----------------------------------------------------------------


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser


@pytest.mark.parametrize(
    ("name", "command"), [("finnegans.service", "serve"), ("finnegans-worker.service", "worker")]
)
def test_systemd_units_run_the_right_command_unprivileged_and_hardened(
    name: str, command: str
) -> None:
    unit = _unit(name)
    service = unit["Service"]
    exec_start = service["ExecStart"]
    assert exec_start.startswith("/"), "ExecStart needs an absolute path"
    argv = finnegans_argv(exec_start)
    assert argv[0] == command
    assert_cli_accepts(argv)
    assert service["User"] == "finnegans" and service["EnvironmentFile"].startswith("/etc/")
    assert service["Restart"] in {"on-failure", "always"}
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    data_dir = re.search(r"DATA_DIR=(\S+)", service["Environment"])
    assert data_dir and data_dir[1] in service["ReadWritePaths"].split()
    assert service["WorkingDirectory"] == data_dir[1]
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_systemd_server_migrates_before_serving_and_the_worker_starts_after_it() -> None:
    server = _unit("finnegans.service")["Service"]
    assert finnegans_argv(server["ExecStartPre"]) == ["migrate"]
    assert "--no-migrate" in server["ExecStart"]
    assert "finnegans.service" in _unit("finnegans-worker.service")["Unit"]["After"]


def test_procfile_has_web_worker_and_release() -> None:
    entries = dict(
        line.split(":", 1)
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert {"web", "worker"} <= set(entries)
    web = finnegans_argv(entries["web"])
    assert web[0] == "serve" and ALL_INTERFACES in web and "$PORT" in entries["web"]
    assert finnegans_argv(entries["worker"])[0] == "worker"
    assert finnegans_argv(entries["release"]) == ["migrate"]
    for command in entries.values():
        assert_cli_accepts(finnegans_argv(command))
