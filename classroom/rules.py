"""What the class-vote store accepts: room codes, ids and choices, lecturer keys (hashed), room limits.

Pure functions, no database: every value from a browser passes through here before any query, and a
refusal is a ValueError whose message says what is allowed (it never echoes the refused value, which
may be a megabyte of hostile text).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import deque
from collections.abc import Callable, Sequence
from threading import Lock

# Join codes: no 0/O and no 1/I, which a class misreads from a projector.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 5
MAX_TEXT = 200  # characters of an id, a choice or a lecturer key
MIN_CHOICES, MAX_CHOICES = 2, 8
MAX_VOTERS = 5000  # voters per question and round: bounds what one question can store
ROOM_LIFETIME_S = 24 * 3600
ROOMS_PER_MINUTE = 120  # rooms one store (one per process in the app) creates per minute
KEY_ITERATIONS = 50_000  # PBKDF2-SHA256 rounds: ~40 ms per lecturer action, slow for guessing


class QuestionClosedError(ValueError):
    """A vote for a question whose round the lecturer has revealed (or replaced)."""


class TooManyRoomsError(RuntimeError):
    """This process has created its limit of rooms in the last minute."""


def check_text(value: object, what: str) -> str:
    """`value` when it is printable text of 1..MAX_TEXT characters (not only spaces), else ValueError.

    "Printable" is Python's str.isprintable: it refuses NUL and other control characters,
    direction overrides (U+202E), zero-width characters (U+200B), lone surrogates.
    """
    allowed = f"{what} must be printable text of 1 to {MAX_TEXT} characters"
    if not isinstance(value, str):
        raise ValueError(f"{allowed}, not a {type(value).__name__}")
    if not 1 <= len(value) <= MAX_TEXT:
        raise ValueError(f"{allowed}; got {len(value)} characters")
    if not value.isprintable():
        raise ValueError(f"{allowed} (no control, format or zero-width characters)")
    if not value.strip():
        raise ValueError(f"{allowed}, not only spaces")
    return value


def check_choices(choices: object) -> tuple[str, ...]:
    """The choices as a tuple when they are MIN_CHOICES..MAX_CHOICES distinct texts, else ValueError."""
    allowed = f"choices must be a list of {MIN_CHOICES} to {MAX_CHOICES} different texts"
    if isinstance(choices, (str, bytes)) or not isinstance(choices, Sequence):
        raise ValueError(f"{allowed}, not a {type(choices).__name__}")
    if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
        raise ValueError(f"{allowed}; got {len(choices)}")
    checked = tuple(check_text(choice, "each choice") for choice in choices)
    if len(set(checked)) != len(checked):
        raise ValueError(f"{allowed}; two of them are the same")
    return checked


def check_code(code: object) -> str:
    """A room code in capitals (typed codes may be lower case or padded), else ValueError."""
    allowed = (
        f"a room code is {CODE_LENGTH} characters from {CODE_ALPHABET} (letters without O and I, "
        "digits without 0 and 1)"
    )
    if not isinstance(code, str) or len(code) > 3 * CODE_LENGTH:
        raise ValueError(allowed)
    code = code.strip().upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise ValueError(allowed)
    return code


def new_code() -> str:
    """A random join code (32^5, about 33 million, codes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _derive(key: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", key.encode("utf-8"), salt, iterations)


def hash_key(key: str) -> str:
    """The stored form of a lecturer key: PBKDF2-SHA256 with a random salt (never the key)."""
    salt = secrets.token_bytes(16)
    return f"pbkdf2_sha256${KEY_ITERATIONS}${salt.hex()}${_derive(key, salt, KEY_ITERATIONS).hex()}"


def key_matches(key: object, stored: str) -> bool:
    """True when `key` is the key whose hash is `stored`; compared in constant time."""
    if not isinstance(key, str) or "\x00" in key or len(key) > 100 * MAX_TEXT:
        return False
    try:
        scheme, iterations, salt, digest = stored.split("$")
        expected = bytes.fromhex(digest)
        derived = _derive(key, bytes.fromhex(salt), int(iterations))
    except (ValueError, UnicodeEncodeError):
        return False
    return scheme == "pbkdf2_sha256" and hmac.compare_digest(derived, expected)


class RoomRateLimit:
    """At most `per_minute` rooms in any 60 s window (thread-safe; one per store)."""

    def __init__(self, per_minute: int, clock: Callable[[], float]) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._created: deque[float] = deque()
        self._lock = Lock()

    def take(self) -> None:
        """Count one room, or raise TooManyRoomsError when the last minute already has `per_minute`."""
        with self._lock:
            now = self._clock()
            while self._created and self._created[0] <= now - 60:
                self._created.popleft()
            if len(self._created) >= self.per_minute:
                wait = 60 - (now - self._created[0])
                raise TooManyRoomsError(
                    f"this server created {self.per_minute} rooms in the last minute; "
                    f"try again in {max(1, round(wait))} s"
                )
            self._created.append(now)
