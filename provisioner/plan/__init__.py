"""Plans: `Change` / `Plan` values (pure, JSON-serialisable), the planner, rendering and saved plans."""

from provisioner.plan.model import Action, Change, Plan, Summary

__all__ = ["Action", "Change", "Plan", "Summary"]
