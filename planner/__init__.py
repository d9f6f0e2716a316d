"""The rollout planner: rank the communes without a team, choose the next wave exactly, estimate resources."""
