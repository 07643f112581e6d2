"""Back-office views, one module per domain. The menu order is `admin_app.setup.VIEWS`."""
