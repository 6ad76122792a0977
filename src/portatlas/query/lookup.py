"""What the registry says of one port, on every transport."""

from __future__ import annotations

from portatlas.index import Index
from portatlas.model import TRANSPORTS, PortInfo, PortRange, ServiceInfo, TransportState


def port_info(index: Index, port: int) -> PortInfo:
    """Every row covering ``port`` on each transport, and each transport's state."""
    return PortInfo(
        port=port,
        range=PortRange.of(port),
        transports=tuple(
            TransportState(
                transport=t,
                state=index.state(port, t),
                records=tuple(index.record(i) for i in index.row_ids(port, t)),
            )
            for t in TRANSPORTS
        ),
        edition=index.edition,
    )


def service_info(index: Index, name: str) -> ServiceInfo | None:
    """The rows registering a service name (any letter case), or None."""
    ids = index.name_ids(name.strip())
    if not ids:
        return None
    records = tuple(index.record(i) for i in ids)
    return ServiceInfo(name=records[0].name or name, records=records)
