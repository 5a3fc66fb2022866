from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages with `count`, `next`, `previous`, `results`; clients may ask for up to 1000 rows."""

    page_size_query_param = "page_size"
    max_page_size = 1000
