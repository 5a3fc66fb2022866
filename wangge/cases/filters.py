import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.cases.choices import RUNNING, Level, Source, Status
from wangge.cases.models import Case


class CaseFilter(django_filters.FilterSet):
    # distinct=False: django-filter's default DISTINCT is for to-many joins; these are
    # columns of the case, and DISTINCT over every column made a city's list take seconds.
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False)
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, distinct=False)
    category = django_filters.CharFilter(method="filter_category",
                                         help_text=_("category code (a line includes its "
                                                     "categories)"))
    grid = django_filters.CharFilter(field_name="grid__code", lookup_expr="startswith",
                                     help_text=_("grid code prefix: a whole subtree"))
    level = django_filters.ChoiceFilter(choices=Level.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue",
                                           help_text=_("past this level's time limit"))
    handler = django_filters.NumberFilter(field_name="handler_id")
    reported_from = django_filters.DateFilter(field_name="reported_at", lookup_expr="date__gte")
    reported_to = django_filters.DateFilter(field_name="reported_at", lookup_expr="date__lte")
    q = django_filters.CharFilter(method="filter_text", help_text=_("words in the title or "
                                                                    "description"))
    open = django_filters.BooleanFilter(method="filter_open")

    class Meta:
        model = Case
        fields = ["status", "source", "category", "grid", "level", "overdue", "handler",
                  "reported_from", "reported_to", "q", "open"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category__code=value) | Q(category__parent__code=value))

    def filter_overdue(self, queryset, name, value):
        lapsed = Q(status__in=RUNNING, level_due_at__lt=timezone.now())
        return queryset.filter(lapsed) if value else queryset.exclude(lapsed)

    def filter_open(self, queryset, name, value):
        from wangge.cases.choices import FINISHED, UNFINISHED

        return queryset.filter(status__in=UNFINISHED if value else FINISHED)

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value)
                               | Q(tracking_code=value.strip().upper()))
