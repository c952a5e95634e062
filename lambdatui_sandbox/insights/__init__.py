"""CloudWatch Logs Insights for the sandbox: the query language and the API around it."""

from .service import Insights

__all__ = ["Insights"]
