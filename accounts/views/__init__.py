"""The accounts app's doors over HTTP: the API (`api`, `mfa`) and the admin's own sign-in pages
(`admin_site`)."""
