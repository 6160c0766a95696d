"""Operations endpoints of a running Hearth: GET /healthz and GET /metrics (HEARTH_HTTP_LISTEN).

Web and Prometheus code live here, at the edge: the core keeps plain counters and the storage
ports answer plain reads; this package turns them into HTTP answers."""

from adapters.ops.health import Health, HealthCheck
from adapters.ops.metrics import Metrics
from adapters.ops.server import OpsServer, operations_endpoints

__all__ = ["Health", "HealthCheck", "Metrics", "OpsServer", "operations_endpoints"]
