"""Who uses the product: user accounts with access groups (users.py) and the audit log (audit.py),
both in one SQLite file beside the store (`<index>/accounts.sqlite`).

May import: assistant.config, ingest (access groups). The web app and the CLI use it."""

from assistant.accounts.audit import AuditLog, AuditRow
from assistant.accounts.users import User, UserError, Users

__all__ = ["AuditLog", "AuditRow", "User", "UserError", "Users"]
