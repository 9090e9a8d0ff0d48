"""Users, passwords, sessions and API tokens (kehu.access.auth), CSRF, and their CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.access import audit
from kehu.access.auth import Auth, digest, hash_password, verify_password
from kehu.access.throttle import LoginThrottled
from kehu.errors import AccessDenied, KehuError, NotFoundError
from kehu.web.api.deps import check_csrf
from kehu.workspace import Workspace


def test_password_hash_is_argon2id_and_salted() -> None:
    a, b = hash_password("secret-pass"), hash_password("secret-pass")
    assert a.startswith("$argon2id$") and a != b
    assert verify_password(a, "secret-pass")
    assert not verify_password(a, "secret-pasS")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


@settings(max_examples=5, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_password_verifies_only_itself(pw: str) -> None:
    stored = hash_password(pw)
    assert verify_password(stored, pw)
    assert not verify_password(stored, pw + "x")


def test_add_user_rules(ws: Workspace) -> None:
    auth = Auth(ws)
    user = auth.add_user("张伟", "rep", region="华东", password="long-enough")
    assert (user.name, user.role, user.region) == ("张伟", "rep", "华东")
    with pytest.raises(KehuError):
        auth.add_user("张伟", "rep", password="long-enough")  # exists
    with pytest.raises(KehuError):
        auth.add_user("boss", "owner", password="long-enough")  # unknown role
    with pytest.raises(KehuError):
        auth.add_user("mgr", "manager", password="long-enough")  # manager without region
    with pytest.raises(KehuError):
        auth.add_user("bad name", "rep", password="long-enough")
    with pytest.raises(KehuError):
        auth.add_user("shorty", "rep", password="short")
    stored = ws.scalar("SELECT password_hash FROM users WHERE user_name = '张伟'")
    assert stored.startswith("$argon2id$") and "long-enough" not in stored
    assert [e.action for e in audit.events(ws)] == ["user_add"]


def test_login_session_and_logout(ws: Workspace) -> None:
    auth = Auth(ws)
    auth.add_user("li", "rep", password="pass-word-1", display_name="李娜")
    with pytest.raises(AccessDenied):
        auth.authenticate("li", "wrong-password")
    with pytest.raises(AccessDenied):
        auth.authenticate("nobody", "pass-word-1")
    user = auth.authenticate("li", "pass-word-1", ip="127.0.0.1")
    secret, sess = auth.create_session(user, ip="127.0.0.1")
    # the cookie value is never stored, only its digest
    assert not ws.rows("SELECT 1 FROM sessions WHERE session_hash = ?", [secret])
    assert ws.rows("SELECT 1 FROM sessions WHERE session_hash = ?", [digest(secret)])
    again = auth.session(secret)
    assert again is not None and again.user.display_name == "李娜"
    assert check_csrf(sess.csrf_token, again.csrf_token)
    assert not check_csrf(sess.csrf_token, "forged") and not check_csrf(sess.csrf_token, None)
    auth.end_session(secret)
    assert auth.session(secret) is None
    actions = [e.action for e in audit.events(ws)]
    assert actions.count("login_failed") == 2 and "login" in actions and "logout" in actions


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_logins_throttle_name_and_address_not_the_name(ws: Workspace) -> None:
    ws.settings.web.login_max_failures = 3
    auth = Auth(ws)
    auth.throttle.clock = FakeClock()
    auth.add_user("wang", "rep", password="pass-word-1")
    for _ in range(3):
        with pytest.raises(AccessDenied):
            auth.authenticate("wang", "nope-nope", ip="10.0.0.66")
    with pytest.raises(LoginThrottled) as exc:
        auth.authenticate("wang", "pass-word-1", ip="10.0.0.66")  # right password, throttled
    assert "try again in" in exc.value.en and exc.value.retry_after > 0
    # the real user, from their own address, is not locked out by the attacker
    assert auth.authenticate("wang", "pass-word-1", ip="10.0.0.7").name == "wang"
    events = audit.events(ws)
    assert [e.action for e in events].count("login_throttled") == 1
    after = [e for e in events if e.action == "login_after_failures"]
    assert len(after) == 1 and after[0].detail["other_addresses_failures"] == 3
    assert after[0].ip == "10.0.0.7"


def test_back_off_doubles_with_each_failure_and_caps(ws: Workspace) -> None:
    ws.settings.web.login_max_failures = 2
    ws.settings.web.login_backoff_seconds = 1.0
    ws.settings.web.login_lockout_minutes = 1.0  # the cap: 60 s
    auth = Auth(ws)
    auth.throttle.clock = clock = FakeClock()
    auth.add_user("wang", "rep", password="pass-word-1")
    waits = []
    for _ in range(12):
        try:
            auth.authenticate("wang", "guess", ip="10.0.0.66")
        except LoginThrottled as exc:
            waits.append(exc.retry_after)
            clock.now += exc.retry_after  # the attacker waits exactly as long as told
            with pytest.raises(AccessDenied):
                auth.authenticate("wang", "guess", ip="10.0.0.66")
        except AccessDenied:
            pass
    assert waits[:6] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    assert waits[6:] == [60.0] * (len(waits) - 6) and len(waits) > 6
    # the right password after the wait logs in and clears the count for that address
    clock.now += 60.0
    assert auth.authenticate("wang", "pass-word-1", ip="10.0.0.66").name == "wang"
    with pytest.raises(AccessDenied) as exc:
        auth.authenticate("wang", "guess", ip="10.0.0.66")
    assert not isinstance(exc.value, LoginThrottled)


def test_one_address_spraying_many_names_is_throttled(ws: Workspace) -> None:
    ws.settings.web.login_max_failures = 2
    auth = Auth(ws)
    auth.throttle.clock = FakeClock()
    auth.add_user("wang", "rep", password="pass-word-1")
    names = [f"user{i}" for i in range(4 * 2)]
    for name in names:
        with pytest.raises(AccessDenied):
            auth.authenticate(name, "guess", ip="10.0.0.66")
    with pytest.raises(LoginThrottled):
        auth.authenticate("someone-else", "guess", ip="10.0.0.66")
    assert auth.authenticate("wang", "pass-word-1", ip="10.0.0.7").name == "wang"


def test_password_change_ends_sessions_and_disable_blocks(ws: Workspace) -> None:
    auth = Auth(ws)
    auth.add_user("li", "rep", password="pass-word-1")
    secret, _ = auth.create_session(auth.authenticate("li", "pass-word-1"))
    auth.set_password("li", "pass-word-2")
    assert auth.session(secret) is None
    assert auth.authenticate("li", "pass-word-2").name == "li"
    secret, _ = auth.create_session(auth.authenticate("li", "pass-word-2"))
    auth.update_user("li", active=False)
    assert auth.session(secret) is None
    with pytest.raises(AccessDenied):
        auth.authenticate("li", "pass-word-2")


def test_api_tokens_are_shown_once_hashed_and_revocable(ws: Workspace) -> None:
    auth = Auth(ws)
    auth.add_user("erp", "rep", region="华东")
    token = auth.create_token("erp", "ERP sync")
    prefix, token_id, secret = token.split("_", 2)
    assert prefix == "kehu" and len(secret) >= 40
    stored = ws.scalar("SELECT token_hash FROM api_tokens WHERE token_id = ?", [token_id])
    assert stored == digest(secret) and secret not in stored
    user = auth.token_user(token)
    assert user is not None and user.name == "erp"
    assert auth.token_user(f"kehu_{token_id}_forged") is None
    assert auth.token_user("garbage") is None
    assert [t.token_id for t in auth.list_tokens("erp")] == [token_id]
    auth.revoke_token(token_id)
    assert auth.token_user(token) is None
    with pytest.raises(NotFoundError):
        auth.revoke_token("nope")


def _kehu(ws_root: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from kehu.cli import main; main()",
            "-w",
            str(ws_root),
            "--lang",
            "en",
            *args,
        ],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_users_tokens_audit(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    Workspace.init(root).close()
    r = _kehu(
        root, "users", "add", "admin", "--role", "admin", "--password-stdin", stdin="s3cret-pw\n"
    )
    assert r.returncode == 0, r.stderr
    r = _kehu(
        root, "users", "add", "mgr", "--role", "manager", "--password-stdin", stdin="pw-pw-pw-pw\n"
    )
    assert r.returncode == 2 and "region" in r.stderr
    r = _kehu(
        root, "users", "add", "board", "--role", "viewer", "--region", "华东", "--no-password"
    )
    assert r.returncode == 0 and "viewer" in r.stdout, r.stderr
    r = _kehu(root, "tokens", "create", "admin", "--label", "ci")
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip().splitlines()[-1]
    assert token.startswith("kehu_")
    r = _kehu(root, "tokens", "list", "--json")
    assert token.split("_")[1] in r.stdout and token.split("_", 2)[2] not in r.stdout
    r = _kehu(root, "users", "list", "--json")
    assert '"role": "admin"' in r.stdout
    assert '"role": "viewer"' in r.stdout
    r = _kehu(root, "audit", "--json")
    assert '"action": "token_create"' in r.stdout and '"action": "user_add"' in r.stdout


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["10.0.0.66", "10.0.0.67", "10.0.0.68"]), st.floats(0, 120)),
        max_size=60,
    )
)
def test_no_attack_sequence_locks_out_the_owner_address(attacks: list[tuple[str, float]]) -> None:
    from kehu.access.throttle import LoginThrottle
    from kehu.config import WebSettings

    web = WebSettings(login_max_failures=3, login_backoff_seconds=1.0, login_lockout_minutes=1.0)
    throttle = LoginThrottle(web)
    throttle.clock = clock = FakeClock()
    waits = []
    for ip, pause in attacks:
        clock.now += pause
        wait, _, _ = throttle.wait("wang", ip)
        if wait == 0:
            throttle.failed("wang", ip)
        waits.append(wait)
        assert throttle.wait("wang", "10.0.0.7")[0] == 0  # the owner's address is never held
    assert all(w <= 60.0 for w in waits)  # and nobody waits longer than the cap


def test_throttle_memory_is_bounded_and_follows_saved_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kehu.access import throttle as T
    from kehu.config import WebSettings

    monkeypatch.setattr(T, "MAX_ENTRIES", 100)
    web = WebSettings(login_max_failures=2)
    th = T.LoginThrottle(web)
    th.clock = FakeClock()
    for i in range(1000):  # a botnet: one failure each from many addresses
        th.failed("wang", f"10.1.{i // 250}.{i % 250}")
    assert len(th._records) <= 100
    th.failed("li", "10.0.0.66")
    th.failed("li", "10.0.0.66")
    assert th.wait("li", "10.0.0.66")[0] > 0
    web.login_max_failures = 5  # saved from the settings page: applies to the next attempt
    assert th.wait("li", "10.0.0.66")[0] == 0
