"""Idempotent periodic jobs, safe on several replicas at once. `jobs.schedule.JOBS` lists them."""
