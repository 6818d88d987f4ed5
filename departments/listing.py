"""The list kit shared by the paginated lists: the directory, the hospitals, the trial list.

Views mix in ForgivingPaginationMixin (any ListView) or FilteredListMixin (a django-filter
FilterView whose FilterSet uses filters.FilterNoticesMixin); the page renders the notices with
templates/includes/active_filters.html and the page links with includes/pagination.html.
"""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from .dataversion import cached
from .filters import shorten


def rows_of_page(queryset, ids):
    """The records of a page of ids, in the page's order, with everything `queryset` loads
    (select_related, prefetch_related, annotations): one query for the rows, plus prefetches."""
    ids = list(ids)
    if not ids:
        return []
    by_id = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return [by_id[pk] for pk in ids if pk in by_id]


class FirstThenRest(Sequence):
    """The ids of `queryset` with the rows matching `first` before the others, each part by
    `order`: read as two index-ordered queries instead of one sort of every match (the
    directory filtered by a broad cancer type matches 40,000 departments; sorting them all to
    show 20 took 70 ms, walking the name index takes one).

    A page costs one query when it lies among the first rows, two when it reaches the rest
    (three past them: the first rows are counted).
    """

    #: From this row on, one sort of every match is cheaper than skipping thousands of rows in
    #: two parts (pages 50 and beyond of a list of 20 a page).
    DEEP = 1000

    def __init__(self, queryset, first, order):
        self._sorted = queryset.values_list("pk", flat=True)  # the same order, in one sort
        base = queryset.order_by()
        self._first = base.filter(first).order_by(*order).values_list("pk", flat=True)
        self._rest = base.exclude(first).order_by(*order).values_list("pk", flat=True)
        self._all = base.values_list("pk", flat=True)
        self._total = None

    def count(self):
        """How many ids in all (Paginator counts a list with count(), as a QuerySet)."""
        if self._total is None:
            self._total = self._all.count()
        return self._total

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if start >= self.DEEP:
            return list(self._sorted[start:stop])
        first = list(self._first[start:stop])
        if len(first) == stop - start:
            return first
        # The first rows end on this page, or before it (then they are counted).
        before = start + len(first) if first else self._first.count()
        return first + list(self._rest[max(0, start - before) : stop - before])


class ForgivingPaginationMixin:
    """A bad page number (`page=abc`, `page=99999`) shows a real page and says so, never a 404."""

    #: Whether the notice repeats the page asked for ("There is no page 99999: …") or only
    #: says that it does not exist.
    page_notice_names_page = True
    #: Choose the page over ids, then load its rows: sorting thousands of matches by name costs
    #: far less when the rows sorted are (id, sort keys) than whole records (see rows_of_page).
    page_by_ids = False

    def ids_to_page(self, queryset):
        """What the page is chosen from when `page_by_ids`: the queryset's ids, in its order."""
        return queryset.values_list("pk", flat=True)

    def paginate_queryset(self, queryset, page_size):
        paged = self.ids_to_page(queryset) if self.page_by_ids else queryset
        paginator = self.get_paginator(paged, page_size, allow_empty_first_page=True)
        requested = self.request.GET.get(self.page_kwarg, "")
        page = paginator.get_page(requested)
        if self.page_by_ids:
            page.object_list = rows_of_page(queryset, page.object_list)
        self.page_notice = ""
        if requested and requested != str(page.number):
            shown = _("page %(number)s of %(total)s") % {
                "number": page.number,
                "total": paginator.num_pages,
            }
            self.page_notice = self._page_notice(requested, shown)
        return paginator, page, page.object_list, page.has_other_pages()

    def _page_notice(self, requested, shown):
        if not self.page_notice_names_page:
            return _("That page does not exist: showing %(shown)s.") % {"shown": shown}
        try:
            number = int(requested)
        except ValueError:
            return _("“%(requested)s” is not a page number: showing %(shown)s.") % {
                "requested": shorten(requested, 40),
                "shown": shown,
            }
        return _("There is no page %(number)s: showing %(shown)s.") % {
            "number": number,
            "shown": shown,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_notice"] = getattr(self, "page_notice", "")
        return context


class FilteredListMixin(ForgivingPaginationMixin):
    """A filtered list's context: its active filters, its problems and its result count.

    Unfiltered, the list is the whole table: its size moves only with the data, so it is
    counted once per data version (tens of milliseconds at 200,000 trials) instead of per page.
    So is the list filtered on one cancer type alone, the way the cancer-type pages link to it
    (FilterNoticesMixin.count_key).
    """

    page_by_ids = True

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        filterset = self.filterset
        if filterset.problems():
            return paginator
        if not filterset.active_filters():
            paginator.count = cached(f"list-count:{type(self).__name__}", queryset.count)
        elif key := filterset.count_key():
            paginator.count = cached(f"list-count:{type(self).__name__}:{key}", queryset.count)
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        paginator = context.get("paginator")
        context.update(
            active_filters=filterset.active_filters(),
            problems=filterset.problems(),
            clear_url=filterset.clear_url(),
            result_count=paginator.count if paginator else 0,
        )
        return context
