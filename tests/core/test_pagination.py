"""CountedPages: Django's paginator over a read that answers a window and the list's length at once."""

import pytest
from django.core.paginator import EmptyPage, Paginator

from core.pagination import CountedPages

LIST = list(range(1, 46))  # 45 rows: pages of 20 are 20, 20 and 5


def reader():
    calls: list[tuple[int, int]] = []

    def page_of(offset: int, limit: int) -> tuple[int, list]:
        calls.append((offset, limit))
        rows = LIST[offset : offset + limit]
        return (len(LIST) if rows else 0), rows

    return page_of, calls


@pytest.mark.parametrize("number", [1, 2, 3])
def test_the_page_asked_for_is_read_once_and_answers_the_length_too(number):
    page_of, calls = reader()
    paginator = Paginator(CountedPages(page_of, offset=(number - 1) * 20, limit=20), 20)

    page = paginator.page(number)

    assert list(page) == LIST[(number - 1) * 20 : number * 20]
    assert (paginator.count, paginator.num_pages, page.has_next()) == (45, 3, number < 3)
    assert calls == [((number - 1) * 20, 20)]


def test_a_page_past_the_end_is_empty_page_after_one_read():
    page_of, calls = reader()
    paginator = Paginator(CountedPages(page_of, offset=80, limit=20), 20)

    with pytest.raises(EmptyPage):
        paginator.page(5)
    assert calls == [(80, 20)]


def test_an_empty_list_has_an_empty_first_page():
    paginator = Paginator(CountedPages(lambda offset, limit: (0, []), offset=0, limit=20), 20)

    assert (list(paginator.page(1)), paginator.count, paginator.num_pages) == ([], 0, 1)


def test_a_page_other_than_the_expected_one_costs_a_read_of_its_own():
    page_of, calls = reader()
    paginator = Paginator(CountedPages(page_of, offset=0, limit=20), 20)

    last = paginator.page(paginator.num_pages)

    assert list(last) == LIST[40:]
    # The first read told the length; the last page's window is read up to the end of the list.
    assert calls == [(0, 20), (40, 5)]
