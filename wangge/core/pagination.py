from django.core.paginator import Paginator
from rest_framework import pagination


class FirstPagePaginator(Paginator):
    """Django's paginator that counts only when it must: the first page is fetched first, and
    when it is shorter than a page it is the whole result, so its length is the count (an
    exact ID number, a small community: no `COUNT(*)` query)."""

    def page(self, number):
        if str(number) != "1" or self.orphans or "count" in self.__dict__:
            return super().page(number)
        rows = list(self.object_list[:self.per_page])
        if len(rows) < self.per_page:
            self.__dict__["count"] = len(rows)  # `count` is a cached property
        return self._get_page(rows, 1, self)


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages with `count`, `next`, `previous`, `results`; clients may ask for up to 1000 rows."""

    django_paginator_class = FirstPagePaginator
    page_size_query_param = "page_size"
    max_page_size = 1000
