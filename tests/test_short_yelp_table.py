"""The short-Yelp table's formatting (the probes themselves: test_linear_probe)."""

from reproduce import short_yelp_table


def test_table_rows_are_percentages_in_subset_order():
    sizes = (100, 500, 1000, 2000, 10000)
    row = {"source": "tfidf", "accuracy": {n: 0.5 + n / 100_000 for n in sizes}}
    table = short_yelp_table.format_table([row])
    assert table.splitlines()[0] == "| features | 100 | 500 | 1,000 | 2,000 | 10,000 |"
    assert table.splitlines()[2] == "| tfidf | 50.1 | 50.5 | 51.0 | 52.0 | 60.0 |"
