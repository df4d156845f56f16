"""Who may read the audit trail: a permission codename, so audit needs nothing of accounts."""

from salesbackend.permissions import has_permission

CanViewAudit = has_permission("audit.view_auditentry")
