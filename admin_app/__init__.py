"""The SQLAdmin back-office. Views are declarative; actions call core services."""
