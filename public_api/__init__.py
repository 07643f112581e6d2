"""The public JSON API (Starlette). Routes translate HTTP into service calls; no business rules here."""
