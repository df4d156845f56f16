from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`; page_size above 100 is served as 100 (API.md), and one that is
    not a whole number from 1 up is a 400 rather than silently the default."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request) -> int:
        given = request.query_params.get(self.page_size_query_param)
        # Empty reads as none, like any filter; "²" is a digit to str.isdigit, not to int().
        if given and not (given.isascii() and given.isdigit() and int(given) >= 1):
            raise ValidationError({self.page_size_query_param: ["Enter a whole number from 1 up."]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page, 1 up (more than {self.max_page_size} gives {self.max_page_size})."
                )
        return parameters
