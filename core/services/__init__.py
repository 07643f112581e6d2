"""Business logic. Every function takes the session first and an explicit actor; none commits."""
