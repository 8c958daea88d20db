"""The anonymisation policy of a release and the keyed hash behind it.

Twitter's Information Operations releases (2018–2021) anonymised every account
with fewer than 5,000 followers at the time of action: its user id, screen
name and display name became a hash, the same value wherever the account
appears. The hash here is keyed (HMAC-SHA256, RFC 2104) with a secret the
operator keeps outside the store and the release, so nobody without the secret
can test a guessed id against a token, while two releases made with the same
secret share tokens (researchers can join them).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from infoops.errors import DisclosureError

#: Accounts below this many followers are anonymised (Twitter's 2019–2021 rule).
FOLLOWER_THRESHOLD = 5_000
#: Hex characters kept of the HMAC-SHA256 digest (160 bits): unique in practice,
#: and short enough for the ``RT @name:`` pattern readers (infoops among them) parse.
TOKEN_HEX = 40
#: The shortest secret accepted; a short secret can be found by trying them all.
MIN_SECRET_CHARS = 16
SECRET_ENV = "INFOOPS_DISCLOSE_SECRET"


@dataclass(frozen=True)
class Policy:
    """What a release anonymises; recorded in its manifest and README.

    Parameters
    ----------
    follower_threshold:
        Accounts with fewer followers (``accounts.followers``, the latest
        profile the store holds; unknown counts are treated as below) are
        anonymised; at or above it they keep their identity.
    token_hex:
        Hex characters of HMAC-SHA256 kept in each token (16–64).
    core_only:
        Release only the network's core accounts (amplifiers left out, as in
        Twitter's June 2020 release).
    """

    follower_threshold: int = FOLLOWER_THRESHOLD
    token_hex: int = TOKEN_HEX
    core_only: bool = False

    def __post_init__(self) -> None:
        if self.follower_threshold < 0:
            raise DisclosureError(f"follower threshold {self.follower_threshold}: must be >= 0")
        if not 16 <= self.token_hex <= 64:
            raise DisclosureError(f"token length {self.token_hex}: must be 16 to 64 hex characters")

    def anonymised(self, followers: int | None) -> bool:
        """True when an account with ``followers`` followers (None: unknown) is hashed."""
        return followers is None or followers < self.follower_threshold

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def load_secret(secret_file: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] | None = None) -> bytes:
    """The operator's secret: the file's content, else ``$INFOOPS_DISCLOSE_SECRET``.

    A trailing newline of the file is dropped. There is no default: without
    a secret, :class:`DisclosureError` says how to give one.
    """
    env = os.environ if environ is None else environ
    if secret_file is not None:
        path = Path(secret_file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DisclosureError(f"{path}: cannot read the secret file ({exc.strerror})") from exc
        secret, where = raw.rstrip(b"\r\n"), str(path)
    elif env.get(SECRET_ENV):
        secret, where = env[SECRET_ENV].encode("utf-8"), f"${SECRET_ENV}"
    else:
        raise DisclosureError(
            f"no secret: pass --secret-file FILE or set ${SECRET_ENV} (at least "
            f"{MIN_SECRET_CHARS} characters, kept outside the store and the release; "
            "the same secret gives the same tokens in every release)"
        )
    if len(secret.strip()) < MIN_SECRET_CHARS:
        raise DisclosureError(
            f"{where}: the secret has {len(secret.strip())} characters; use at least "
            f"{MIN_SECRET_CHARS} (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)"
        )
    return secret


class Hasher:
    """Tokens for account ids: ``HMAC-SHA256(secret, id)``, first ``token_hex`` hex digits.

    >>> h = Hasher(b"0123456789abcdef", 16)
    >>> h.token("42") == h.token("42") != h.token("43")
    True
    """

    def __init__(self, secret: bytes, token_hex: int = TOKEN_HEX) -> None:
        self._secret = secret
        self._n = token_hex
        self._cache: dict[str, str] = {}

    def token(self, account_id: str) -> str:
        tok = self._cache.get(account_id)
        if tok is None:
            digest = hmac.new(self._secret, account_id.encode("utf-8"), hashlib.sha256)
            tok = self._cache[account_id] = digest.hexdigest()[: self._n]
        return tok

    def unknown_handle(self, handle: str) -> str:
        """The token of an ``@handle`` the store has no account for.

        Hashed as the id ``@handle`` (lower-cased), the id ingest gives an
        account known only from an ``RT @handle:`` prefix.
        """
        return self.token("@" + handle.casefold())
