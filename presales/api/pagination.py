from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination: constant cost per page however large the table (no OFFSET/COUNT).

    Follows the ``ordering`` query parameter through the view's OrderingFilter; rows with
    equal sort keys are disambiguated by the cursor's offset.
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"
