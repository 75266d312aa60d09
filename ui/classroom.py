"""The class vote's Streamlit pieces: the lecturer's panel and the students' answer buttons.

The lecture page uses them through `ui/lecture/class_vote.py`; the votes live in `classroom` (one
store per process, shared by every process through its database). Lecturer: `lecturer_panel(
question_id, choices)` starts a room (`start_control`: the lecturer key typed into a password
field, or brought by serve.sh's lecturer link and removed from the address bar at once), then shows
the join code and a QR code of the join link, the live histogram (a fragment refreshing every
second), Reveal and New round. Students open `?room=CODE`: `joined_question()` finds the lecturer's
current question, `student_panel(question, labels)` shows the answer buttons with their own vote
marked. A student's page follows the lecturer through `ui/room_watch.py` (a file per room, fetched
by the browser). A student is a random id per browser session, kept in the URL (`voter=`) so a
reload does not count them twice; nothing personal is stored.
"""

from __future__ import annotations

import hmac
import math
import os
import re
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit

import plotly.graph_objects as go
import segno
import streamlit as st

import classroom
from classroom import Question, QuestionClosedError, StoreUnavailableError, TooManyRoomsError
from ui import room_watch
from ui.common import PLOTLY_CONFIG

ROOM_PARAM = "room"
VOTER_PARAM = "voter"
LECTURER_PARAM = "lecturer"
SERVER_KEY_ENV = "PLAYGROUND_LECTURER_KEY"  # set by scripts/serve.sh: the one key that starts votes
PUBLIC_URL_ENV = "PLAYGROUND_PUBLIC_URL"  # set by scripts/serve.sh: where students reach the hall
MIN_KEY_CHARS = 8
QR_PIXELS = 300  # on a 1080p projector about a sixth of its width: scannable from the back
REFRESH_S = 1  # the lecturer's histogram
TALLY_HEIGHT = 300
STUDENT_REFRESH_S = 2  # without static serving: a student's check for a reveal or a new question
UNAVAILABLE = "The class vote is not reachable right now (its database does not answer); try again."
_VOTER_RE = re.compile(r"[A-Za-z0-9_-]{22}")

_stores: dict[str, classroom.ClassroomStore] = {}
_stores_lock = threading.Lock()

# Session-state keys (all prefixed, so they never collide with the lecture page's)
_KEY = "classroom_lecturer_key"
_ROOM = "classroom_room"
_OPENED = "classroom_opened"  # (room, question id, choices) last opened, to skip a re-open
_VOTER = "classroom_voter"
_NOTE = "classroom_note"  # a message from a button callback, shown on the next run


def store() -> classroom.ClassroomStore:
    """This process's store for the configured URL (one connection shared by every session)."""
    url = classroom.default_url()
    with _stores_lock:
        if url not in _stores:
            _stores[url] = classroom.open_store(url)
        return _stores[url]


# -- pure helpers ------------------------------------------------------------------------------


def join_link(code: str, page_url: str | None, public_url: str | None) -> str:
    """The link students open: the page's URL (host replaced by `public_url` when set) + ?room=."""
    if page_url:
        page = urlsplit(page_url)
        origin, path = f"{page.scheme}://{page.netloc}", page.path or "/"
    else:  # no browser URL (a test run): the lecture page's path
        origin, path = "", "/lecture"
    if public_url:
        origin = public_url.rstrip("/")
    return f"{origin}{path}?{ROOM_PARAM}={code}"


def qr_svg(link: str, pixels: int = QR_PIXELS) -> str:
    """An SVG QR code of `link`, about `pixels` wide (drawn here: no network service sees it)."""
    qr = segno.make(link, error="m")
    size = qr.symbol_size(border=2)[0]
    return qr.svg_inline(scale=max(1, pixels // size), border=2, dark="#000", light="#fff")


def tally_figure(choices: Sequence[str], rounds: Mapping[int, Mapping[str, int]]) -> go.Figure:
    """Grouped bars: one group per choice, one bar per round (earlier rounds first), counts on top."""
    figure = go.Figure()
    labels = list(choices)
    for number, counts in sorted(rounds.items()):
        figure.add_bar(
            name=f"Round {number}",
            x=labels,
            y=[counts.get(choice, 0) for choice in labels],
            text=[str(counts.get(choice, 0)) for choice in labels],
            textposition="outside",
            textfont={"size": 24},
        )
    most = max((max(c.values(), default=0) for c in rounds.values()), default=0)
    figure.update_layout(
        barmode="group",
        height=TALLY_HEIGHT,
        margin={"l": 40, "r": 20, "t": 30, "b": 40},
        font={"size": 20},  # read from the back of a hall
        legend={"orientation": "h", "y": 1.12, "font": {"size": 20}},
        xaxis={"tickfont": {"size": 24}},
        yaxis={
            "title": {"text": "votes", "font": {"size": 20}},
            "tickfont": {"size": 18},
            "rangemode": "tozero",
            "range": [0, max(1, most) * 1.25],
            "dtick": max(1, math.ceil(most / 5)),  # whole votes: no 0.5 ticks
        },
        showlegend=len(rounds) > 1,
    )
    return figure


def vote_summary(counts: Mapping[str, int], round_number: int, state: str) -> str:
    """'12 votes in round 2 (open)', from the counts it describes."""
    total = sum(counts.values())
    noun = "vote" if total == 1 else "votes"
    status = "open" if state == "open" else "revealed, no more votes"
    return f"{total} {noun} in round {round_number} ({status})"


# -- the lecturer ------------------------------------------------------------------------------


def take_key_from_url() -> None:
    """Move ?lecturer=KEY (serve.sh's lecturer link) into the session and off the address bar
    (the lecture page calls it first thing in a run, so the key leaves the URL at once)."""
    if LECTURER_PARAM in st.query_params:
        key = st.query_params.get(LECTURER_PARAM, "")
        del st.query_params[LECTURER_PARAM]
        if isinstance(key, str) and 1 <= len(key) <= classroom.rules.MAX_TEXT:
            st.session_state[_KEY] = key


def _key_refusal(key: str) -> str | None:
    """Why `key` may not start a vote on this server, or None when it may."""
    server_key = os.environ.get(SERVER_KEY_ENV, "")
    if server_key:
        if not hmac.compare_digest(key.encode("utf-8", "replace"), server_key.encode("utf-8")):
            return "That is not this server's lecturer key (serve.sh printed it at start)."
        return None
    if len(key) < MIN_KEY_CHARS:
        return f"Choose a lecturer key of at least {MIN_KEY_CHARS} characters; students must not guess it."
    try:
        classroom.rules.check_text(key, "The lecturer key")
    except ValueError as error:
        return f"{error}."
    return None


def _start_vote(question_id: str, choices: Sequence[str]) -> None:
    """Callback of "Start a class vote": a room with the typed (or linked) key."""
    key = st.session_state.get("classroom_key_input") or st.session_state.get(_KEY) or ""
    refusal = _key_refusal(key)
    if refusal:
        st.session_state[_NOTE] = ("error", refusal)
        return
    try:
        code = store().create_room(key)
        store().open_question(code, question_id, choices, key)
    except TooManyRoomsError as error:
        st.session_state[_NOTE] = ("error", f"Too many class votes started just now: {error}.")
        return
    except StoreUnavailableError:
        st.session_state[_NOTE] = ("error", UNAVAILABLE)
        return
    except ValueError as error:  # e.g. a scene whose answers are not 2 to 8 short texts
        st.session_state[_NOTE] = ("error", f"This question cannot be put to a class vote: {error}.")
        return
    st.session_state[_KEY] = key
    st.session_state[_ROOM] = code
    st.session_state[_OPENED] = (code, question_id, tuple(choices))
    st.session_state["classroom_key_input"] = ""  # nothing of the key stays in a widget


def _lecturer_action(action: str, on_action: Callable[[str], None] | None = None) -> None:
    """Callback of Reveal / New round / End; `on_action(action)` follows a Reveal or New round
    that the store took (the lecture page reveals or hides its scene)."""
    code, key = st.session_state.get(_ROOM), st.session_state.get(_KEY)
    opened = st.session_state.get(_OPENED)
    if action == "end" or code is None or opened is None:
        st.session_state.pop(_ROOM, None)
        st.session_state.pop(_OPENED, None)
        return
    try:
        if action == "reveal":
            store().reveal(code, opened[1], key)
        else:
            store().reset(code, opened[1], key)
    except (ValueError, PermissionError) as error:
        st.session_state[_NOTE] = ("error", f"{error}.")
        return
    except StoreUnavailableError:
        st.session_state[_NOTE] = ("error", UNAVAILABLE)
        return
    if on_action is not None:
        on_action(action)


def _show_note() -> None:
    note = st.session_state.pop(_NOTE, None)
    if note:
        getattr(st, note[0])(note[1])


def running_room() -> str | None:
    """The join code of this session's class vote, or None when none runs."""
    return st.session_state.get(_ROOM)


def start_control(question_id: str, choices: Sequence[str]) -> None:
    """The "Start a class vote" control: one button when the key came with serve.sh's lecturer link, else
    folded away with a password field for the key (out of sight on a projector)."""
    _show_note()
    args = (question_id, tuple(choices))
    if st.session_state.get(_KEY):
        st.button("Start a class vote", key="classroom_start", on_click=_start_vote, args=args)
        return
    with st.expander("Class vote: every student answers on their own phone or laptop"):
        st.text_input(
            "Lecturer key",
            type="password",
            key="classroom_key_input",
            help="Keeps Reveal and New round yours. Never shown; serve.sh prints a lecturer link.",
        )
        st.button("Start a class vote", key="classroom_start", on_click=_start_vote, args=args)


def lecturer_panel(
    question_id: str,
    choices: Sequence[str],
    on_action: Callable[[str], None] | None = None,
) -> Question | None:
    """The lecturer's class vote on a question; returns its state (None before a start).

    Before a start: `start_control`. Then: the join code and a QR code of the join link, the live
    histogram, Reveal, New round and End; `on_action("reveal" | "new_round")` follows a Reveal or
    a New round. Moving to another question opens it in the same room (the students follow).
    """
    take_key_from_url()
    code = st.session_state.get(_ROOM)
    if code is None:
        start_control(question_id, choices)
        return None
    _show_note()
    key = st.session_state.get(_KEY)
    wanted = (code, question_id, tuple(choices))
    try:
        if st.session_state.get(_OPENED) != wanted:
            question = store().open_question(code, question_id, choices, key)
            st.session_state[_OPENED] = wanted
        else:
            question = store().question(code, question_id)
    except (ValueError, PermissionError) as error:
        st.warning(f"The class vote stopped: {error}.")
        st.button("Start a new class vote", key="classroom_restart", on_click=_lecturer_action, args=("end",))
        return None
    except StoreUnavailableError:
        st.error(UNAVAILABLE)
        return None

    link = join_link(code, st.context.url, os.environ.get(PUBLIC_URL_ENV) or None)
    left, right = st.columns([1, 1], vertical_alignment="center")
    with left:
        st.markdown(
            f'<div style="font-size:1.3rem">Join code</div>'
            f'<div data-testid="classroom-code" style="font-size:4.2rem;font-weight:700;'
            f'letter-spacing:0.06em;line-height:1.1;white-space:nowrap">{code}</div>',
            unsafe_allow_html=True,
        )  # `code` is 5 characters of CODE_ALPHABET: nothing to escape
        st.caption(link)
    with right:
        st.image(qr_svg(link), caption="Scan to join", width=QR_PIXELS)
    _live_tally(code, question_id)
    reveal, new_round, end = st.columns(3)
    reveal.button("Reveal", key="classroom_reveal", on_click=_lecturer_action, args=("reveal", on_action),
                  disabled=question.state == "revealed", type="primary", width="stretch")  # fmt: skip
    new_round.button("New round", key="classroom_new_round", on_click=_lecturer_action,
                     args=("new_round", on_action), width="stretch")  # fmt: skip
    end.button("End vote", key="classroom_end", on_click=_lecturer_action, args=("end",), width="stretch")
    return question


@st.fragment(run_every=REFRESH_S)
def _live_tally(code: str, question_id: str) -> None:
    """The histogram of the current round (and the one before it), redrawn every second."""
    try:
        question = store().question(code, question_id)
        rounds = {question.round: store().tally(code, question_id)}
        if question.round > 1:
            rounds[question.round - 1] = store().tally(code, question_id, round=question.round - 1)
    except ValueError as error:
        st.warning(f"{error}.")
        return
    except StoreUnavailableError:
        st.error(UNAVAILABLE)
        return
    st.markdown(f"### {vote_summary(rounds[question.round], question.round, question.state)}")
    st.plotly_chart(
        tally_figure(question.choices, rounds),
        key="classroom_tally",
        config={**PLOTLY_CONFIG, "displayModeBar": False},
    )


# -- the students ------------------------------------------------------------------------------


def voter_id() -> str:
    """This browser session's random voter id (also kept in the URL, so a reload keeps it)."""
    voter = st.session_state.get(_VOTER)
    if voter is None:
        from_url = st.query_params.get(VOTER_PARAM, "")
        voter = from_url if _VOTER_RE.fullmatch(from_url or "") else secrets.token_urlsafe(16)
        st.session_state[_VOTER] = voter
    if st.query_params.get(VOTER_PARAM) != voter:
        st.query_params[VOTER_PARAM] = voter
    return voter


def room_from_url() -> str | None:
    """The join code of `?room=`, or None without one; a malformed one shows what a code is."""
    if ROOM_PARAM not in st.query_params:
        return None
    try:
        return classroom.rules.check_code(st.query_params.get(ROOM_PARAM, ""))
    except ValueError as error:
        st.warning(f"This link's room code is not valid: {error}. Ask for the code on the projector.")
        return None


def joined_question() -> Question | None:
    """The question the lecturer has open in the room of `?room=` (None, with a message, otherwise)."""
    code = room_from_url()
    if code is None:
        return None
    try:
        question = store().current_question(code)
    except ValueError as error:
        st.warning(f"{error}.")
        return None
    except StoreUnavailableError:
        st.error(UNAVAILABLE)
        return None
    if question is None:
        st.info(f"You joined room {code}. The lecturer has not asked a question yet.")
        _follow_room(code, None)
    return question


def _follow_room(code: str, current: Question | None) -> None:
    """Rerun the page once the lecturer opens, reveals or restarts a question: the browser polls
    the room's token file (`ui.room_watch`), or, without static serving, a fragment checks."""
    folder = room_watch.room_dir()
    if folder is not None:
        room_watch.follow_room(code, current, lambda room: store().current_question(room), folder)
    else:
        _wait_for_question(code, room_watch.state_token(current))


@st.fragment(run_every=STUDENT_REFRESH_S)
def _wait_for_question(code: str, seen: str) -> None:
    """The fallback: rerun the page once the room's token is no longer `seen`."""
    try:
        current = store().current_question(code)
    except (ValueError, StoreUnavailableError):
        return
    if room_watch.state_token(current) != seen:
        st.rerun()


def _cast(question: Question, choice: str) -> None:
    """Callback of an answer button."""
    try:
        voter = st.session_state.get(_VOTER) or voter_id()
        store().vote(question.room, question.question_id, voter, choice)
    except QuestionClosedError:
        st.session_state[_NOTE] = ("info", "The lecturer has revealed the answer: voting is closed.")
    except ValueError as error:
        st.session_state[_NOTE] = ("warning", f"{error}.")
    except StoreUnavailableError:
        st.session_state[_NOTE] = ("error", UNAVAILABLE)


def my_vote(question: Question) -> str | None:
    """This session's vote in the question's current round (None before voting)."""
    try:
        voter = st.session_state.get(_VOTER) or voter_id()
        return store().my_vote(question.room, question.question_id, voter)
    except (ValueError, StoreUnavailableError):
        return None


def student_panel(question: Question, labels: Sequence[str] | None = None) -> None:
    """The answer buttons (`labels`, one per choice; default: the choices), the student's own vote
    marked, changeable until the lecturer reveals; the page reruns when the lecturer moves on."""
    voter_id()  # into the URL now: a full run may write query params, a fragment run may not
    shown = list(labels) if labels is not None else list(question.choices)
    if len(shown) != len(question.choices):
        raise ValueError("one label per choice")
    _answer_buttons(question, shown)
    follow(question)


def follow(question: Question) -> None:
    """Rerun the page when the lecturer opens another question, reveals or starts a new round."""
    _follow_room(question.room, question)


@st.fragment
def _answer_buttons(question: Question, labels: list[str]) -> None:
    _show_note()
    mine = my_vote(question)
    is_open = question.state == "open"
    for index, (choice, label) in enumerate(zip(question.choices, labels, strict=True)):
        st.button(
            f"✓ {label}" if choice == mine else label,
            key=f"classroom_choice_{index}",
            type="primary" if choice == mine else "secondary",
            disabled=not is_open,
            on_click=_cast,
            args=(question, choice),
            width="stretch",
        )
    if mine is None:
        st.caption(
            "Pick an answer; you can change it until the lecturer reveals."
            if is_open
            else "Voting is closed."
        )
    elif is_open:
        st.caption(f"Your vote: {mine}. You can change it until the lecturer reveals.")
    else:
        st.caption(f"Your vote: {mine}. Voting is closed.")
