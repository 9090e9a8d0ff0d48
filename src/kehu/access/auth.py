"""Users, passwords (argon2id), login sessions and API tokens.

Passwords are hashed with argon2-cffi's `PasswordHasher` (argon2id). Session cookies and API
tokens are long random secrets, so they are stored as SHA-256 digests (a slow hash would
add its cost to every request without adding safety for 256-bit secrets). Verified sessions
and tokens are cached in memory for a few seconds; logout, revocation and user changes clear
the cache at once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kehu.access import ROLES, audit
from kehu.access.throttle import LoginThrottle, LoginThrottled
from kehu.errors import AccessDenied, KehuError, NotFoundError

if TYPE_CHECKING:
    from kehu.workspace import Workspace

TOKEN_PREFIX = "kehu"
CACHE_SECONDS = 10.0
_NAME_RE = re.compile(r"^[^\s/\\?#%&<>\"']{1,64}$")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("kehu-timing-equaliser")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    region: str | None = None
    display_name: str | None = None
    active: bool = True
    last_login_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "user": self.name,
            "role": self.role,
            "region": self.region,
            "display_name": self.display_name,
            "active": self.active,
            "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None,
        }


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    user_name: str
    label: str | None
    created_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        def iso(d: datetime | None) -> str | None:
            return d.isoformat(timespec="seconds") if d else None

        return {
            "token_id": self.token_id,
            "user": self.user_name,
            "label": self.label,
            "created_at": iso(self.created_at),
            "last_used_at": iso(self.last_used_at),
            "revoked": self.revoked_at is not None,
            "revoked_at": iso(self.revoked_at),
        }


def hash_password(password: str) -> str:
    """An argon2id hash (salt and parameters included in the string)."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; constant work even when there is no hash."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


_USER_COLS = "user_name, role, region, display_name, active, last_login_at"
_U_COLS = ", ".join("u." + c for c in _USER_COLS.split(", "))


def _user(row: tuple[Any, ...]) -> User:
    return User(row[0], row[1], row[2], row[3], bool(row[4]), row[5])


class Auth:
    """Account operations on one workspace, with small in-memory caches for the server."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.settings = ws.settings.web
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[float, Session]] = {}
        self._tokens: dict[str, tuple[float, User]] = {}
        self._token_touched: dict[str, float] = {}
        self.throttle = LoginThrottle(self.settings)

    # ---- users -------------------------------------------------------------------------
    def add_user(
        self,
        name: str,
        role: str,
        *,
        region: str | None = None,
        password: str | None = None,
        display_name: str | None = None,
        by: str | None = None,
    ) -> User:
        """Create a user; a manager needs a region (the customers they see)."""
        name = name.strip()
        if not _NAME_RE.match(name):
            raise KehuError(
                f"用户名 {name!r} 无效:1–64 个字符,不含空格和 / ? # % & < > 引号",
                f"invalid user name {name!r}: 1-64 characters, no spaces or / ? # % & < > quotes",
            )
        self._check_role(role, region)
        if self.get_user(name, missing_ok=True) is not None:
            raise KehuError(f"用户 {name} 已存在", f"user {name} already exists")
        pw_hash = hash_password(self._check_password(password)) if password else None
        now = datetime.now()
        with self.ws.transaction() as cur:
            cur.execute(
                "INSERT INTO users (user_name, role, region, display_name, password_hash, active,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, TRUE, ?, ?)",
                [name, role, region or None, display_name or None, pw_hash, now, now],
            )
            audit.record(
                self.ws,
                "user_add",
                user=by,
                target=name,
                detail={"role": role, "region": region},
                cur=cur,
            )
        self._forget()
        return self.get_user(name)  # type: ignore[return-value]

    def update_user(
        self,
        name: str,
        *,
        role: str | None = None,
        region: str | None = None,
        display_name: str | None = None,
        active: bool | None = None,
        by: str | None = None,
    ) -> User:
        """Change a user's role, region, display name or active flag."""
        current = self.get_user(name)
        assert current is not None
        new_role = role or current.role
        new_region = region if region is not None else current.region
        self._check_role(new_role, new_region)
        with self.ws.transaction() as cur:
            cur.execute(
                "UPDATE users SET role = ?, region = ?, display_name = ?, active = ?,"
                " updated_at = ? WHERE user_name = ?",
                [
                    new_role,
                    new_region or None,
                    display_name if display_name is not None else current.display_name,
                    current.active if active is None else active,
                    datetime.now(),
                    name,
                ],
            )
            if active is False:
                cur.execute("DELETE FROM sessions WHERE user_name = ?", [name])
            audit.record(
                self.ws,
                "user_update",
                user=by,
                target=name,
                detail={"role": new_role, "region": new_region, "active": active},
                cur=cur,
            )
        self._forget()
        return self.get_user(name)  # type: ignore[return-value]

    def set_password(self, name: str, password: str, *, by: str | None = None) -> None:
        """Replace a password; the user's sessions end (they log in again)."""
        self.get_user(name)
        pw_hash = hash_password(self._check_password(password))
        with self.ws.transaction() as cur:
            cur.execute(
                "UPDATE users SET password_hash = ?, updated_at = ? WHERE user_name = ?",
                [pw_hash, datetime.now(), name],
            )
            cur.execute("DELETE FROM sessions WHERE user_name = ?", [name])
            audit.record(self.ws, "user_passwd", user=by or name, target=name, cur=cur)
        self._forget()

    def get_user(self, name: str, *, missing_ok: bool = False) -> User | None:
        rows = self.ws.rows(f"SELECT {_USER_COLS} FROM users WHERE user_name = ?", [name])
        if not rows:
            if missing_ok:
                return None
            raise NotFoundError(f"没有用户 {name}", f"no user named {name}")
        return _user(rows[0])

    def list_users(self) -> list[User]:
        rows = self.ws.rows(f"SELECT {_USER_COLS} FROM users ORDER BY role, user_name")
        return [_user(r) for r in rows]

    def _check_role(self, role: str, region: str | None) -> None:
        if role not in ROLES:
            raise KehuError(
                f"角色 {role!r} 无效,可选 admin / manager / rep / viewer",
                f"invalid role {role!r}: use admin, manager, rep or viewer",
            )
        if role == "manager" and not region:
            raise KehuError(
                "经理必须指定 --region(其可见的销售大区)",
                "a manager needs --region (the sales region whose customers they see)",
            )

    def _check_password(self, password: str | None) -> str:
        minimum = self.settings.password_min_length
        if not password or len(password) < minimum:
            raise KehuError(
                f"密码至少 {minimum} 个字符", f"the password needs at least {minimum} characters"
            )
        return password

    # ---- login and sessions -----------------------------------------------------------
    def authenticate(self, name: str, password: str, *, ip: str | None = None) -> User:
        """The user when name and password match; failures are audited and throttled by
        (name, client address) with exponential back-off (`kehu.access.throttle`)."""
        name = name.strip()
        addr = ip or "-"
        wait, failures, first = self.throttle.wait(name, addr)
        if wait > 0:
            if first:
                detail = {"failures": failures, "retry_after_s": round(wait, 1)}
                audit.record(self.ws, "login_throttled", user=name, ip=ip, detail=detail)
            raise LoginThrottled(wait)
        rows = self.ws.rows(
            f"SELECT {_USER_COLS}, password_hash FROM users WHERE user_name = ?", [name]
        )
        stored = rows[0][6] if rows else None
        ok = verify_password(stored, password)
        if not ok or not rows[0][4]:
            self.throttle.failed(name, addr)
            audit.record(self.ws, "login_failed", user=name, ip=ip)
            raise AccessDenied("用户名或密码错误", "wrong user name or password")
        own, others = self.throttle.succeeded(name, addr)
        if own or others:
            detail = {"failures": own, "other_addresses_failures": others}
            audit.record(self.ws, "login_after_failures", user=name, ip=ip, detail=detail)
        if stored and _hasher.check_needs_rehash(stored):
            with self.ws.transaction() as cur:
                cur.execute(
                    "UPDATE users SET password_hash = ? WHERE user_name = ?",
                    [hash_password(password), name],
                )
        return _user(rows[0][:6])

    def create_session(
        self, user: User, *, ip: str | None = None, user_agent: str | None = None
    ) -> tuple[str, Session]:
        """A new login session: returns the cookie value (never stored) and the session."""
        secret = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = datetime.now()
        expires = now + timedelta(hours=self.settings.session_hours)
        with self.ws.transaction() as cur:
            cur.execute("DELETE FROM sessions WHERE expires_at < ?", [now])
            cur.execute(
                "INSERT INTO sessions (session_hash, user_name, csrf_token, expires_at, ip,"
                " user_agent, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [digest(secret), user.name, csrf, expires, ip, (user_agent or "")[:300], now, now],
            )
            cur.execute("UPDATE users SET last_login_at = ? WHERE user_name = ?", [now, user.name])
            audit.record(self.ws, "login", user=user.name, ip=ip, cur=cur)
        return secret, Session(user, csrf, expires)

    def session(self, secret: str | None) -> Session | None:
        """The live session for a cookie value, or None (expired, logged out, unknown)."""
        if not secret:
            return None
        key = digest(secret)
        now = time.monotonic()
        cached = self._sessions.get(key)
        if cached and now - cached[0] < CACHE_SECONDS and cached[1].expires_at > datetime.now():
            return cached[1]
        rows = self.ws.rows(
            f"SELECT s.csrf_token, s.expires_at, {_U_COLS}"
            " FROM sessions s JOIN users u USING (user_name)"
            " WHERE s.session_hash = ? AND s.expires_at > ? AND u.active",
            [key, datetime.now()],
        )
        if not rows:
            self._sessions.pop(key, None)
            return None
        sess = Session(_user(rows[0][2:]), rows[0][0], rows[0][1])
        with self._lock:
            self._sessions[key] = (now, sess)
        return sess

    def end_session(self, secret: str, *, ip: str | None = None) -> None:
        sess = self.session(secret)
        with self.ws.transaction() as cur:
            cur.execute("DELETE FROM sessions WHERE session_hash = ?", [digest(secret)])
            if sess:
                audit.record(self.ws, "logout", user=sess.user.name, ip=ip, cur=cur)
        self._forget()

    # ---- API tokens ---------------------------------------------------------------------
    def create_token(
        self, user_name: str, label: str | None = None, *, by: str | None = None
    ) -> str:
        """A new API token for a user; the plain text is returned once and never stored."""
        user = self.get_user(user_name)
        assert user is not None
        if not user.active:
            raise KehuError(f"用户 {user_name} 已停用", f"user {user_name} is disabled")
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        now = datetime.now()
        with self.ws.transaction() as cur:
            cur.execute(
                "INSERT INTO api_tokens (token_id, user_name, label, token_hash, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                [token_id, user_name, label, digest(secret), now, now],
            )
            audit.record(
                self.ws,
                "token_create",
                user=by or user_name,
                target=token_id,
                detail={"for": user_name, "label": label},
                cur=cur,
            )
        return f"{TOKEN_PREFIX}_{token_id}_{secret}"

    def list_tokens(self, user_name: str | None = None) -> list[TokenInfo]:
        where, params = ("WHERE user_name = ?", [user_name]) if user_name else ("", [])
        rows = self.ws.rows(
            "SELECT token_id, user_name, label, created_at, last_used_at, revoked_at"
            f" FROM api_tokens {where} ORDER BY created_at DESC, token_id",
            params,
        )
        return [TokenInfo(*r) for r in rows]

    def revoke_token(self, token_id: str, *, by: str | None = None) -> None:
        rows = self.ws.rows("SELECT user_name FROM api_tokens WHERE token_id = ?", [token_id])
        if not rows:
            raise NotFoundError(f"没有令牌 {token_id}", f"no token {token_id}")
        with self.ws.transaction() as cur:
            cur.execute(
                "UPDATE api_tokens SET revoked_at = ?, updated_at = ? WHERE token_id = ?",
                [datetime.now(), datetime.now(), token_id],
            )
            audit.record(self.ws, "token_revoke", user=by, target=token_id, cur=cur)
        self._forget()

    def token_user(self, token: str | None) -> User | None:
        """The active user owning a presented bearer token, or None."""
        if not token:
            return None
        parts = token.strip().split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return None
        token_id, secret = parts[1], parts[2]
        key = digest(secret)
        now = time.monotonic()
        cached = self._tokens.get(token_id + key)
        if cached and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        rows = self.ws.rows(
            f"SELECT t.token_hash, {_U_COLS}"
            " FROM api_tokens t JOIN users u USING (user_name)"
            " WHERE t.token_id = ? AND t.revoked_at IS NULL AND u.active",
            [token_id],
        )
        if not rows or not hmac.compare_digest(rows[0][0], key):
            return None
        user = _user(rows[0][1:])
        with self._lock:
            self._tokens[token_id + key] = (now, user)
            touched = self._token_touched.get(token_id, 0.0)
            stale = now - touched > 300 or touched == 0.0
            if stale:
                self._token_touched[token_id] = now
        if stale:
            with self.ws.transaction() as cur:
                cur.execute(
                    "UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?",
                    [datetime.now(), token_id],
                )
        return user

    def _forget(self) -> None:
        with self._lock:
            self._sessions.clear()
            self._tokens.clear()
