"""Admin building blocks shared by the apps."""


class ReadOnlyAdminMixin:
    """For ledgers and snapshots written only by services: viewable, never added, edited
    or deleted in the admin. Works on model admins and inlines alike."""

    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
