"""The service image: lint the Dockerfile here; build and probe it where a Docker engine runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tomllib
import urllib.request
import uuid
from pathlib import Path

import pytest

from bot.settings import Settings
from testkit.waiting import PATIENCE, NeverHappened, wait_until_sync
from tests.deploy.dockerfile import build_args, env_values, final_stage, read_dockerfile
from tests.deploy.paths import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"
INSTRUCTIONS = read_dockerfile(DOCKERFILE)
RUNTIME = final_stage(INSTRUCTIONS)


def test_the_image_starts_from_a_slim_python_of_the_supported_version() -> None:
    args = build_args(INSTRUCTIONS)
    froms = [ins.arguments.split()[0] for ins in INSTRUCTIONS if ins.keyword == "FROM"]
    images = [re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image) for image in froms]
    assert images, "no FROM"
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    minimum = requires["requires-python"].removeprefix(">=")
    for image in images:
        match = re.fullmatch(r"python:(\d+\.\d+)-slim(-\w+)?", image)
        assert match, f"{image} is not a slim python image"
        assert tuple(map(int, match.group(1).split("."))) >= tuple(map(int, minimum.split(".")))


def test_the_service_runs_as_a_user_that_is_not_root() -> None:
    users = [ins.arguments for ins in RUNTIME if ins.keyword == "USER"]
    assert users, "the runtime stage has no USER, so it runs as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    # The last USER comes after everything that needs root (installing, creating the user).
    last_user = max(i for i, ins in enumerate(RUNTIME) if ins.keyword == "USER")
    assert all(ins.keyword != "RUN" for ins in RUNTIME[last_user:])


def test_the_healthcheck_asks_readiness_on_the_configured_port() -> None:
    (check,) = [ins for ins in RUNTIME if ins.keyword == "HEALTHCHECK"]
    command = check.exec_form()
    assert command is not None, "HEALTHCHECK should use the exec form (no shell in the way)"
    # Ready, not live: a container whose database or delivery worker is down is unhealthy.
    assert "/healthz/ready" in " ".join(command)
    assert "EXITBOT_PORT" in " ".join(command)
    assert command[0] == "python"  # the slim image has no curl; python is there


def test_the_container_runs_exitbot_serve_on_all_interfaces_at_the_exposed_port() -> None:
    (cmd,) = [ins for ins in RUNTIME if ins.keyword == "CMD"]
    assert cmd.exec_form() == ["exitbot", "serve"]
    assert not [ins for ins in RUNTIME if ins.keyword == "ENTRYPOINT"]
    env = env_values(RUNTIME)
    assert env["EXITBOT_HOST"] == "0.0.0.0"  # 127.0.0.1 would be unreachable from outside
    exposed = [ins.arguments for ins in RUNTIME if ins.keyword == "EXPOSE"]
    assert exposed == [env["EXITBOT_PORT"]]
    assert int(env["EXITBOT_PORT"]) == Settings.model_fields["port"].default
    assert env["EXITBOT_CONFIG_DIR"] == "/etc/exitbot/config"
    # Relative defaults would point into the working directory; the image sets absolute ones.
    copies = {ins.arguments.split()[-1] for ins in RUNTIME if ins.keyword == "COPY"}
    assert env["EXITBOT_PEOPLE_FILE"] in copies


def test_every_python_package_and_hrs_configuration_is_copied_and_checked() -> None:
    setuptools = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {name.rstrip("*") for name in setuptools["packages"]["find"]["include"]}
    copied = {
        ins.arguments.split()[0].rstrip("/")
        for ins in INSTRUCTIONS
        if ins.keyword == "COPY" and not ins.arguments.startswith("--from")
    }
    assert packages <= copied, f"not copied into the image: {sorted(packages - copied)}"
    assert {"pyproject.toml"} <= {
        part for ins in INSTRUCTIONS if ins.keyword == "COPY" for part in ins.arguments.split()
    }
    runs = " ".join(ins.arguments for ins in INSTRUCTIONS if ins.keyword == "RUN")
    assert "exitbot check-config /etc/exitbot/config" in runs


def test_the_build_context_leaves_out_secrets_and_local_state() -> None:
    ignored = {
        line.strip()
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "node_modules", "var", ".env"} <= ignored
    # Nothing the Dockerfile copies may be ignored.
    for ins in INSTRUCTIONS:
        if ins.keyword == "COPY" and not ins.arguments.startswith("--from"):
            for source in ins.arguments.split()[:-1]:
                assert source.rstrip("/") not in ignored, source


def _docker_engine() -> str | None:
    """Why there is no usable Docker engine, or None when there is one."""
    if shutil.which("docker") is None:
        return "no docker command"
    try:
        probe = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer within 20 s"
    if probe.returncode != 0:
        return f"`docker info` failed: {(probe.stderr or probe.stdout).strip().splitlines()[-1:]}"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_image_builds_and_answers_healthz() -> None:
    reason = _docker_engine()
    if reason is not None:
        pytest.skip(f"no Docker engine, the image is not built here: {reason}")
    tag = f"exitbot-test:{uuid.uuid4().hex[:8]}"
    name = f"exitbot-test-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    subprocess.run(["docker", "build", "-t", tag, str(REPO_ROOT)], check=True, timeout=900)
    try:
        user = subprocess.run(
            ["docker", "run", "--rm", tag, "id", "-u"], capture_output=True, text=True, check=True
        )
        assert user.stdout.strip() != "0"
        subprocess.run(
            [
                "docker", "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:3978",
                "-e", "EXITBOT_LOCAL_MODE=true", tag,
                "sh", "-c", "exitbot db upgrade && exec exitbot serve",
            ],
            check=True,
        )  # fmt: skip
        answers: list[dict] = []

        def answered() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
                    answers.append(json.loads(r.read()))
                    return True
            except OSError:
                return False

        try:
            wait_until_sync(answered, timeout=2 * PATIENCE, interval=1.0)
        except NeverHappened:
            logs = subprocess.run(["docker", "logs", name], capture_output=True, text=True).stderr
            raise AssertionError(f"no answer on /healthz; logs:\n{logs}") from None
        body = answers[-1]
        assert body["status"] == "ok"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)


def test_the_images_command_and_healthcheck_work_with_the_images_environment(
    tmp_path: Path,
) -> None:
    """Without an engine: run the CMD and the HEALTHCHECK as the image would, with its ENV."""
    exitbot = Path(sys.executable).with_name("exitbot")
    env = {**os.environ, **env_values(RUNTIME)}
    env |= {
        "PATH": f"{exitbot.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "EXITBOT_PORT": str(_free_port()),
        # The image's paths, where this checkout holds the same files:
        "EXITBOT_CONFIG_DIR": str(REPO_ROOT / "config" / "default"),
        "EXITBOT_PEOPLE_FILE": str(REPO_ROOT / "config" / "demo" / "people.yaml"),
        "EXITBOT_LOCAL_MODE": "true",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}",
    }
    (check,) = [ins.exec_form() for ins in RUNTIME if ins.keyword == "HEALTHCHECK"]
    (command,) = [ins.exec_form() for ins in RUNTIME if ins.keyword == "CMD"]
    assert check is not None and command is not None
    check = [sys.executable if part == "python" else part for part in check]

    def healthy() -> bool:
        # The check's own timeout is the image's; a loaded machine may need longer to start Python.
        return subprocess.run(check, env=env, capture_output=True, timeout=PATIENCE).returncode == 0

    upgrade = [str(exitbot), "db", "upgrade"]
    subprocess.run(
        upgrade, env=env, cwd=tmp_path, check=True, capture_output=True, timeout=2 * PATIENCE
    )
    assert not healthy(), "the healthcheck passed with no service running"
    service = subprocess.Popen(
        [str(exitbot), *command[1:]],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def up() -> bool:
            assert service.poll() is None, service.stdout.read() if service.stdout else ""
            return healthy()

        wait_until_sync(up, interval=0.3, what="the service is healthy")
    finally:
        service.terminate()
        output, _ = service.communicate(timeout=PATIENCE)
    assert f"listening on http://0.0.0.0:{env['EXITBOT_PORT']}/" in output
