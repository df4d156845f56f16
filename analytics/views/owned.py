"""The API of what staff own on the report side (subscriptions, alerts): their own, and the
CEO (who manages users) sees and changes everyone's; another's is 404 to a salesperson. Every
write goes through the subclass's services, so the API, the admin and the pages apply the
same rules and write the same audit entries."""

from django.db.models import Model, QuerySet
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response


class OwnedByStaffViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def owned_by(self, user) -> QuerySet:
        raise NotImplementedError

    def create_owned(self, *, actor, data: dict) -> Model:
        raise NotImplementedError

    def update_owned(self, owned: Model, *, actor, data: dict) -> Model:
        raise NotImplementedError

    def delete_owned(self, owned: Model, *, actor) -> None:
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return self.owned_by(self.request.user)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        owned = self.create_owned(actor=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(owned).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        owned = self.get_object()
        serializer = self.get_serializer(owned, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        owned = self.update_owned(owned, actor=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(owned).data)

    def destroy(self, request, pk=None):
        self.delete_owned(self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
