"""The facilitator lock: a passcode guards everything that changes state (train, stop, delete, import).

The passcode comes from `st.secrets["facilitator_passcode"]` or `GAN_FACILITATOR_PASSCODE`; when neither
is set the lock is off (a laptop on its own). When it is set, a browser session is read-only until
someone types the passcode in the sidebar, so a room of participants can explore but not stop or
delete anything. The check is per session (st.session_state), compared in constant time.
"""

import hmac
import os

import streamlit as st

SESSION_KEY = "facilitator_unlocked"


def passcode() -> str | None:
    try:
        secret = st.secrets.get("facilitator_passcode")
    except Exception:  # no secrets.toml at all: Streamlit raises rather than returning None
        secret = None
    return str(secret or os.environ.get("GAN_FACILITATOR_PASSCODE") or "") or None


def enabled() -> bool:
    return passcode() is not None


def can_change() -> bool:
    """True when this browser session may change state: no passcode set, or it was entered."""
    return not enabled() or bool(st.session_state.get(SESSION_KEY))


def sidebar() -> None:
    """The unlock / lock control, shown on every page when a passcode is set."""
    if not enabled():
        return
    with st.sidebar:
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
                if hmac.compare_digest(code.encode(), passcode().encode()):
                    st.session_state[SESSION_KEY] = True
                    st.rerun()
                else:
                    st.error("That passcode is not right.")


def explain_locked(action: str = "do this") -> None:
    st.info(f"Only the facilitator can {action}: unlock with the passcode in the sidebar.", icon=":material/lock:")
