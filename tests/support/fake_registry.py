"""A stand-in for HKEY_LOCAL_MACHINE: the registry reader Group Policy is read through."""

from __future__ import annotations

from collections.abc import Mapping

from client.adapters.managed_policy import RegistryValue


class FakeRegistry:
    """HKEY_LOCAL_MACHINE as a dict: key path → values; ``denied`` paths cannot be opened.

    Names keep the case they were written in and are found in any case, as in Windows.
    """

    def __init__(
        self, keys: Mapping[str, Mapping[str, RegistryValue]], denied: frozenset[str] = frozenset()
    ) -> None:
        self.keys = {path: dict(values) for path, values in keys.items()}
        self.denied = {path.lower() for path in denied}

    def _check(self, path: str) -> None:
        wanted = path.lower()
        if wanted in self.denied:
            raise PermissionError(5, "Access is denied")
        if not any(k.lower() == wanted or k.lower().startswith(wanted + "\\") for k in self.keys):
            raise FileNotFoundError(2, "The system cannot find the file specified")

    def subkeys(self, path: str) -> list[str]:
        self._check(path)
        prefix = path.lower() + "\\"
        return sorted(
            {k[len(prefix) :].split("\\")[0] for k in self.keys if k.lower().startswith(prefix)}
        )

    def values(self, path: str) -> dict[str, RegistryValue]:
        self._check(path)
        return {
            name: value
            for key, values in self.keys.items()
            if key.lower() == path.lower()
            for name, value in values.items()
        }
