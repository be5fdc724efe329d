"""The facilitator lock: a passcode guards everything that changes state (train, stop, delete, import).

The passcode comes from `st.secrets["facilitator_passcode"]` or `GAN_FACILITATOR_PASSCODE`; when neither
is set the lock is off (a laptop on its own). When it is set, a browser session is read-only until
someone types the passcode in the sidebar, so a room of participants can explore but not stop or
delete anything. The check is per session (st.session_state), compared in constant time.

It fails closed: a secrets file that exists but cannot be read (a typo in the TOML, not UTF-8, no
permission) keeps the app locked, with the reason on every page and in the server log, rather than
silently switching the lock off. Wrong passcodes back off: after `FREE_TRIES` failures from one
client (its address), each further try waits twice as long, from 5 s up to `MAX_WAIT` seconds. With the lock on, the
server's upload limit drops to `GAN_LOCKED_UPLOAD_MB` (default 50 MB), because Streamlit's upload
endpoint accepts a file from any open session, locked or not (see docs/reliability.md).
"""

import hmac
import os
import threading
import time
import tomllib
import uuid
from pathlib import Path

import streamlit as st

SESSION_KEY = "facilitator_unlocked"
FREE_TRIES = 3
MAX_WAIT = 60.0
_failures: dict[str, tuple[int, float]] = {}  # client -> (wrong tries, not before this time)
_failures_lock = threading.Lock()
_logged: set[str] = set()


def secrets_problem() -> str | None:
    """Why a secrets file that exists cannot be read, or None (no file at all is fine)."""
    from streamlit import config

    for name in config.get_option("secrets.files") or []:
        path = Path(name)
        if not path.exists() or path.is_dir():
            continue
        try:
            tomllib.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problem = f"{path} cannot be read ({type(exc).__name__}: {exc})"
            if problem not in _logged:  # once per problem in the server's log
                _logged.add(problem)
                from streamlit.logger import get_logger

                get_logger(__name__).error("facilitator lock stays on: %s", problem)
            return problem
    return None


def passcode() -> str | None:
    """The passcode, or None when the lock is off. An unreadable secrets file without an environment
    passcode gives a passcode no one can type, so the app stays locked."""
    env = os.environ.get("GAN_FACILITATOR_PASSCODE") or ""
    if secrets_problem():
        return env or f"unreadable-secrets-{uuid.uuid4()}"
    try:
        secret = st.secrets.get("facilitator_passcode")
    except Exception:  # no secrets.toml at all: Streamlit raises rather than returning None
        secret = None
    return str(secret or env or "") or None


def enabled() -> bool:
    return passcode() is not None


def can_change() -> bool:
    """True when this browser session may change state: no passcode set, or it was entered."""
    return not enabled() or bool(st.session_state.get(SESSION_KEY))


def _client() -> str:
    """Who is trying: the browser's address if Streamlit knows it, else this session."""
    try:
        ip = st.context.ip_address
    except Exception:
        ip = None
    if not isinstance(ip, str) or not ip:  # unknown (or a test harness's stand-in)
        ip = st.session_state.setdefault("facilitator_client", uuid.uuid4().hex)
    return ip


def wait_before_next_try(client: str) -> float:
    with _failures_lock:
        _n, not_before = _failures.get(client, (0, 0.0))
    return max(0.0, not_before - time.monotonic())


def backoff(failures: int) -> float:
    """Seconds to wait after `failures` wrong tries: none for the first few, then 5, 10, 20 ... up to a minute."""
    return 0.0 if failures < FREE_TRIES else min(MAX_WAIT, 5.0 * 2.0 ** (failures - FREE_TRIES))


def try_passcode(code: str, client: str) -> bool | None:
    """True if right, False if wrong, None if this client must wait (too many wrong tries)."""
    if wait_before_next_try(client) > 0:
        return None
    if hmac.compare_digest(code.encode(), passcode().encode()):
        with _failures_lock:
            _failures.pop(client, None)
        return True
    with _failures_lock:
        n = _failures.get(client, (0, 0.0))[0] + 1
        wait = backoff(n)
        _failures[client] = (n, time.monotonic() + wait)
    return False


_configured_upload_mb: list[int] = []  # the server's own limit, kept once we lower it


def limit_uploads(locked: bool) -> None:
    """With the lock on, keep the server's upload limit small for every session (see the module doc);
    with it off (again), the configured limit holds. The upload endpoint reads the option per request."""
    from streamlit import config

    current = config.get_option("server.maxUploadSize")
    if locked:
        limit = int(os.environ.get("GAN_LOCKED_UPLOAD_MB") or 50)
        if current > limit:
            _configured_upload_mb[:] = [current]
            config.set_option("server.maxUploadSize", limit)
    elif _configured_upload_mb:
        config.set_option("server.maxUploadSize", _configured_upload_mb.pop())


def sidebar() -> None:
    """The unlock / lock control, shown on every page when a passcode is set."""
    limit_uploads(enabled())
    if not enabled():
        return
    problem = secrets_problem()
    with st.sidebar:
        if problem and not os.environ.get("GAN_FACILITATOR_PASSCODE"):
            st.error(f"Locked: the secrets file cannot be read, so no passcode can unlock this app. {problem}. "
                     "Fix the file (or set GAN_FACILITATOR_PASSCODE) and restart.", icon=":material/lock:")
            return
        if can_change():
            st.success("Facilitator mode: you can train, stop, import and delete.", icon=":material/lock_open:")
            if st.button("Lock this browser", icon=":material/lock:"):
                st.session_state[SESSION_KEY] = False
                st.rerun()
            return
        st.info("Read-only: explore freely. Training, stopping and deleting need the facilitator passcode.",
                icon=":material/lock:")
        with st.form("unlock", border=False):
            code = st.text_input("Facilitator passcode", type="password")
            if st.form_submit_button("Unlock"):
                client = _client()
                result = try_passcode(code, client)
                if result:
                    st.session_state[SESSION_KEY] = True
                    st.rerun()
                elif result is None:
                    st.error(f"Too many wrong passcodes: wait {wait_before_next_try(client):.0f} s and try again.")
                else:
                    st.error("That passcode is not right.")


def explain_locked(action: str = "do this") -> None:
    st.info(f"Only the facilitator can {action}: unlock with the passcode in the sidebar.", icon=":material/lock:")
