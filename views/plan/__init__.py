"""The rollout planner page: URL state, map styles, wave list, explanations and scenario comparison."""
