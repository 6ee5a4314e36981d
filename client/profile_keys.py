"""The signed profile's keys on disk: writing, finding and unlocking them for ``admin``.

Plain Python, no Qt; used by ``client/admin.py`` only, never by the tray.

Key custody (docs/admin-guide.md, "Keys: who holds what"):

- one ed25519 key per role, and several for root (3 by default, 2 of them
  needed to sign: the root is kept offline, each key on its own medium);
- a key file is PKCS#8 PEM, encrypted with a passphrase (never read from
  the command line: ``$HELPDESK_TRAY_KEY_PASSPHRASE`` or typed), mode 0600,
  with a plain-text header naming its role and key id, so a command finds
  the keys it needs without decrypting the others;
- only the snapshot and timestamp keys may be kept unencrypted, and only for
  the web server's scheduled ``resign`` job (``init-keys
  --unencrypted-online-keys``): a passphrase that job could read would sit on
  the same server and protect nothing.
"""

from __future__ import annotations

import getpass
import os
import stat
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    KeySerializationEncryption,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from securesystemslib.signer import CryptoSigner, Key, SecretsHandler, Signature, Signer, SSlibKey
from tuf.api.metadata import Root

from client.adapters.profile_repository import ROLES

#: Where a command reads the key passphrase from when it is not typed (never the command line).
PASSPHRASE_ENV = "HELPDESK_TRAY_KEY_PASSPHRASE"
#: The shortest passphrase accepted for a new key. The key files use PKCS#8's PBKDF2 with
#: cryptography's default rounds, cheap per guess: the passphrase's length is the protection.
MIN_PASSPHRASE = 12
#: The first line of every key file this module writes.
KEY_HEADER = "helpdesk-tray profile signing key"


class SigningKeyError(Exception):
    """A key cannot be found, unlocked or used; the message says why and what to do."""


@dataclass(frozen=True)
class KeyFile:
    """A key file found on disk: what its header says, read without decrypting it."""

    path: Path
    role: str
    public: SSlibKey
    encrypted: bool

    @property
    def keyid(self) -> str:
        """The key's id, as the root names it."""
        return self.public.keyid

    def label(self) -> str:
        """The file and key, as messages name them."""
        return f"{self.path} ({self.role} key {self.keyid[:8]})"


def write_key(path: Path, role: str, passphrase: bytes | None) -> KeyFile:
    """A new ed25519 key for ``role`` in ``path`` (mode 0600; never over an existing file)."""
    private = Ed25519PrivateKey.generate()
    public = SSlibKey.from_crypto(private.public_key(), scheme="ed25519")
    encryption: KeySerializationEncryption = (
        BestAvailableEncryption(passphrase) if passphrase else NoEncryption()
    )
    pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, encryption)
    header = (
        f"{KEY_HEADER}: keep this file private.\n"
        f"Role: {role}\n"
        f"Key-Id: {public.keyid}\n"
        f"Public-Key: {public.keyval['public']}\n\n"
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(header.encode("ascii") + pem)
        file.flush()
        os.fsync(file.fileno())
    return KeyFile(path, role, public, passphrase is not None)


def read_key_file(path: Path) -> KeyFile | None:
    """The key in ``path`` as its header describes it; ``None`` for any other file."""
    try:
        data = path.read_bytes()[:65536]
    except OSError:
        return None
    head, begin, _ = data.partition(b"-----BEGIN ")
    if not begin or not head.startswith(KEY_HEADER.encode()):
        return None
    fields: dict[str, str] = {}
    for line in head.decode("ascii", "replace").splitlines()[1:]:
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip()] = value.strip()
    role, keyid, public = fields.get("Role"), fields.get("Key-Id"), fields.get("Public-Key")
    if role not in ROLES or not keyid or not public:
        return None
    key = SSlibKey(keyid, "ed25519", "ed25519", {"public": public})
    return KeyFile(path, role, key, b"ENCRYPTED PRIVATE KEY" in data)


def find_keys(folders: Sequence[Path]) -> list[KeyFile]:
    """Every key file in ``folders`` (``*.pem``), each key once."""
    found: dict[str, KeyFile] = {}
    for folder in folders:
        if not folder.is_dir():
            raise SigningKeyError(f"{folder} is not a folder of keys")
        for path in sorted(folder.glob("*.pem")):
            key = read_key_file(path)
            if key is not None:
                found.setdefault(key.keyid, key)
    return list(found.values())


class Passphrases:
    """Passphrases for key files: from ``$HELPDESK_TRAY_KEY_PASSPHRASE``, else typed.

    With the variable set it is the only one tried (a scheduled job gets a
    clear failure, not a prompt). Without it each key asks for its own,
    unless a passphrase typed earlier in the same command opens it.
    """

    def __init__(self, environ: Mapping[str, str], prompt: Callable[[str], str] | None) -> None:
        self._given = environ.get(PASSPHRASE_ENV)
        self._prompt = prompt
        self._typed: list[bytes] = []

    def _ask(self, question: str, why: str) -> str:
        if self._prompt is not None:
            return self._prompt(question)
        if not sys.stdin.isatty():
            raise SigningKeyError(
                f"{why}: set {PASSPHRASE_ENV}, or run this in a terminal to type it"
            )
        return getpass.getpass(question)

    def new(self) -> bytes:
        """The passphrase for new keys (asked twice when typed)."""
        if self._given is not None:
            passphrase = self._given
        else:
            passphrase = self._ask("Passphrase for the new keys: ", "new keys need a passphrase")
            again = self._ask("The same passphrase again: ", "new keys need a passphrase")
            if again != passphrase:
                raise SigningKeyError("the two passphrases differ; nothing was written")
        if len(passphrase) < MIN_PASSPHRASE:
            raise SigningKeyError(
                f"the passphrase is shorter than {MIN_PASSPHRASE} characters; use a long one "
                "(five or more random words): it is all that protects a stolen key file"
            )
        self._typed.append(passphrase.encode())
        return passphrase.encode()

    def unlock(self, key: KeyFile) -> CryptoSigner:
        """A signer for ``key``, its file decrypted with the right passphrase."""
        data = key.path.read_bytes()
        if not key.encrypted:
            _check_private(key)
            private = load_pem_private_key(data, None)
        elif self._given is not None:
            private = _decrypted(data, self._given.encode(), key, f" (from {PASSPHRASE_ENV})")
        else:
            private = None
            for passphrase in self._typed:
                try:
                    private = load_pem_private_key(data, passphrase)
                    break
                except ValueError:
                    continue
            if private is None:
                typed = self._ask(
                    f"Passphrase for {key.path.name} ({key.role} key {key.keyid[:8]}): ",
                    f"{key.path} is encrypted",
                ).encode()
                private = _decrypted(data, typed, key, "")
                self._typed.append(typed)
        if not isinstance(private, Ed25519PrivateKey):
            raise SigningKeyError(f"{key.path} does not hold an ed25519 key")
        actual = SSlibKey.from_crypto(private.public_key(), scheme="ed25519")
        if actual.keyid != key.keyid or actual.keyval != key.public.keyval:
            raise SigningKeyError(
                f"{key.path}: the header does not match the key inside (the file was edited or "
                "damaged); use the backup copy"
            )
        return CryptoSigner(private, key.public)


def _decrypted(data: bytes, passphrase: bytes, key: KeyFile, source: str) -> Any:
    try:
        return load_pem_private_key(data, passphrase)
    except ValueError as error:
        raise SigningKeyError(f"wrong passphrase for {key.label()}{source}") from error


def _check_private(key: KeyFile) -> None:
    """An unencrypted key file that other users can read is refused (like ssh does)."""
    if sys.platform == "win32":
        return
    mode = stat.S_IMODE(key.path.stat().st_mode)
    if mode & 0o077:
        raise SigningKeyError(
            f"{key.path} is not encrypted and other users can read it (mode {mode:04o}): "
            f"run chmod 600 {key.path}, and consider the key exposed if others could log in"
        )


class PublicOnly(Signer):
    """A key the new root keeps without its private part at hand: named, never signing."""

    def __init__(self, key: Key) -> None:
        self._key = key

    @property
    def public_key(self) -> Key:
        """The key as the root names it."""
        return self._key

    def sign(self, payload: bytes) -> Signature:
        """Never called: this key is only named in the new root."""
        raise SigningKeyError(f"key {self._key.keyid[:8]} is not at hand to sign")

    @classmethod
    def from_priv_key_uri(
        cls, priv_key_uri: str, public_key: Key, secrets_handler: SecretsHandler | None = None
    ) -> Signer:
        """Not loadable from a URI."""
        raise ValueError("a public key only")


def role_signers(
    role: str,
    root: Root,
    keys: Sequence[KeyFile],
    passphrases: Passphrases,
    folders: Sequence[Path],
    needed: int | None = None,
) -> list[Signer]:
    """Enough of ``role``'s keys, as ``root`` names them, decrypted to sign.

    ``needed`` defaults to the role's threshold; ``folders`` (where ``keys``
    were found) only name where was looked when too few are there.
    """
    keyids = root.roles[role].keyids
    needed = needed or root.roles[role].threshold
    present = [key for key in keys if key.keyid in keyids]
    if len(present) < needed:
        where = ", ".join(str(folder) for folder in folders)
        wanted = ", ".join(keyid[:8] for keyid in keyids)
        hint = (
            "Give each folder (USB stick) holding a root key with its own --keys."
            if role == Root.type
            else f"The key file is the {role}.pem init-keys made."
        )
        raise SigningKeyError(
            f"signing {role} needs {needed} of its keys ({wanted}); {len(present)} found in "
            f"{where}. {hint}"
        )
    return [passphrases.unlock(key) for key in present[:needed]]
