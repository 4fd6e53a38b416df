"""Pure collections rules: the policy, the dunning planner, pauses, credit."""
