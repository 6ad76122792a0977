"""portatlas: the IANA port-number registry, this machine, and advice, as a typed library.

    from portatlas import Registry
    reg = Registry.default()
    reg.lookup(307)          # PortInfo: state per transport and every covering row
    reg.answer(307)          # the full answer: headline, common use, verdicts, history, FAQ, sources
    reg.service("postgresql"), reg.search("postgress"), reg.gaps("system"), reg.stats()
"""

from __future__ import annotations

TYPE_CHECKING = False  # without importing typing: `import portatlas` must stay cheap
if TYPE_CHECKING:
    from typing import Any

    from portatlas.atlas import Registry as Registry

__version__ = "0.1.0"

__all__ = ["Registry", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported lazily so `import portatlas` stays cheap for the command line.
    if name == "Registry":
        from portatlas.atlas import Registry

        return Registry
    raise AttributeError(name)
