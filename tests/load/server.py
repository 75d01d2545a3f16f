"""A real multi-process server for the load tests: seeded database, gunicorn, plain HTTP clients.

The database is prepared with the same commands an operator runs (`flask db upgrade`,
`flask seed reference`, `flask seed demo`), then served by gunicorn with several sync
workers, each its own process with its own connections, as in production.
"""
import http.client
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

ROOT = Path(__file__).resolve().parents[2]
REQUIRE_GUNICORN = os.environ.get("REQUIRE_GUNICORN") == "1"
DEMO_PASSWORD = "victoires-demo"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def gunicorn_unavailable_reason():
    """Why the load tests cannot run here, or None."""
    if importlib.util.find_spec("gunicorn") is None:
        return "gunicorn n'est pas installé (pip install -e '.[dev]') : tests de charge non lancés"
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url, instance_path):
    """The environment of a production start: a real secret key, no debug, no test mode."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN_"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY="load-test-" + "k" * 40,
               INSTANCE_PATH=str(instance_path), PYTHONUNBUFFERED="1")
    return env


def flask_command(env, *args):
    """Run `flask --app app ...` as an operator would; fail with its output if it fails."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"flask {' '.join(args)} : {done.stdout}\n{done.stderr}"


def seed(env):
    flask_command(env, "db", "upgrade")
    flask_command(env, "seed", "reference")
    flask_command(env, "seed", "demo")


def child_pids(pid):
    """Live (not zombie) child processes of `pid`, read from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def no_control_socket():
    """gunicorn's --no-control-socket where it has one: two servers at once would share ~/.gunicorn."""
    helptext = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True,
                              text=True, timeout=60).stdout
    return ["--no-control-socket"] if "--no-control-socket" in helptext else []


def stop_process(process):
    """SIGTERM (gunicorn stops its workers gracefully), then SIGKILL if it does not stop."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class Gunicorn:
    """`gunicorn -w N 'app:create_app()'` on 127.0.0.1; stderr kept in a file for the checks."""

    def __init__(self, env, workdir, workers=4):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stderr_path = Path(workdir) / "gunicorn.stderr"
        self.workers = workers
        command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
                   "--timeout", "60", "--graceful-timeout", "5"]
        command += no_control_socket()
        with open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen([*command, "app:create_app()"], cwd=ROOT, env=env,
                                            stdout=subprocess.DEVNULL, stderr=stderr)
        self._wait_ready()

    def _wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn s'est arrêté :\n{self.stderr()}"
            try:
                if HttpClient(self.url).get("/connexion").status == 200 \
                        and len(self.worker_pids()) == self.workers:
                    return
            except Unacknowledged:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn ne répond pas après {timeout} s :\n{self.stderr()}")

    def stderr(self):
        return self.stderr_path.read_text(errors="replace")

    def worker_pids(self):
        """The master's live children (its workers)."""
        return child_pids(self.process.pid)

    def kill_worker(self, pid):
        os.kill(pid, signal.SIGKILL)

    def wait_workers(self, excluding=(), timeout=20):
        """Wait until the master runs its full count of workers again, none of `excluding`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == self.workers and not pids & set(excluding):
                return pids
            time.sleep(0.1)
        raise AssertionError(f"workers non relancés : {self.worker_pids()}\n{self.stderr()[-3000:]}")

    def stop(self):
        stop_process(self.process)


# -- HTTP clients ---------------------------------------------------------------------------------
class Unacknowledged(Exception):
    """No HTTP answer at all (connection refused, reset, closed mid-answer, timeout)."""


@dataclass
class Reply:
    status: int
    body: str
    headers: object

    def header(self, name):
        return self.headers.get(name, "") if self.headers is not None else ""


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to check, not a page to follow


class _LocalCookies(DefaultCookiePolicy):
    """Send `Secure` cookies over plain HTTP to 127.0.0.1 (TLS ends at the proxy in production)."""

    def return_ok_secure(self, cookie, request):
        return True


class HttpClient:
    """One browser-like client: its own cookies, no redirect following, never raises on 4xx/5xx."""

    def __init__(self, base_url, timeout=30):
        self.base_url, self.timeout = base_url, timeout
        self.opener = build_opener(HTTPCookieProcessor(CookieJar(_LocalCookies())), _NoRedirect)

    def send(self, method, path, data=None, headers=None):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        request = Request(self.base_url + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Reply(response.status, response.read().decode("utf-8", "replace"), response.headers)
        except HTTPError as exc:
            with exc:
                return Reply(exc.code, exc.read().decode("utf-8", "replace"), exc.headers)
        except (URLError, OSError, http.client.HTTPException) as exc:
            raise Unacknowledged(f"{type(exc).__name__}: {exc}") from exc

    def get(self, path):
        return self.send("GET", path)

    def post(self, path, data, headers=None):
        return self.send("POST", path, data, headers)

    def csrf_token(self, path):
        reply = self.get(path)
        match = CSRF_RE.search(reply.body)
        assert match, f"pas de jeton CSRF sur {path} ({reply.status}) : {reply.body[:300]}"
        return match.group(1)

    def login(self, email, password=DEMO_PASSWORD):
        reply = self.post("/connexion", {"email": email, "password": password,
                                         "csrf_token": self.csrf_token("/connexion")})
        assert reply.status == 302, f"connexion de {email} refusée ({reply.status}) : {reply.body[:500]}"
        return self
