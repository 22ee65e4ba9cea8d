"""Models of the advisor, one module per concern."""

from advisor.models.facts import MachineFacts, Storage
from advisor.models.recommendation import Category, Decision, Recommendation, Severity, Status
from advisor.models.run import AdvisorRun

__all__ = ["AdvisorRun", "Category", "Decision", "MachineFacts", "Recommendation", "Severity", "Status", "Storage"]
