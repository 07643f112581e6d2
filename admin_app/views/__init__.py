"""Back-office views, one module per domain. `ALL_VIEWS` is the menu order."""
