"""The second factor for staff: services here, doors in accounts.views.mfa and the admin login."""
