"""Core of S7 Robotics: settings, database, models, services, storage. Imports no entry point."""
