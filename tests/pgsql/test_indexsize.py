"""The btree size arithmetic on its own (the comparison with real builds is in tests/advisor/whatif)."""

from __future__ import annotations

from pgsql.indexsize import BLCKSZ, KeyColumn, estimate_btree_size

INT4 = KeyColumn(width=4, typlen=4, typalign="i", n_distinct=-1.0)


def test_it_counts_one_tuple_per_row_for_unique_keys_and_a_metapage_for_an_empty_table() -> None:
    assert estimate_btree_size([INT4], 0).bytes == BLCKSZ
    unique = estimate_btree_size([INT4], 1_000_000)
    # 16-byte tuples plus 4-byte line pointers, 90 % full leaves: about 2,700 leaves of ~370 entries.
    assert 2_600 <= unique.leaf_pages <= 2_800 and not unique.deduplicated and unique.internal_pages < 20


def test_it_deduplicates_repeated_keys_unless_the_type_or_include_columns_forbid_it() -> None:
    repeated = KeyColumn(width=4, typlen=4, typalign="i", n_distinct=1000)
    numeric = KeyColumn(width=6, typlen=-1, typalign="i", n_distinct=1000, dedup=False)
    rows = 1_000_000
    deduplicated = estimate_btree_size([repeated], rows)
    assert deduplicated.deduplicated and deduplicated.groups == 1000
    # Each TID costs 6 bytes in a posting list instead of a 20-byte tuple of its own.
    assert deduplicated.bytes < estimate_btree_size([INT4], rows).bytes / 2.5
    assert not estimate_btree_size([numeric], rows).deduplicated
    assert not estimate_btree_size([repeated], rows, include=[INT4]).deduplicated


def test_it_treats_nulls_as_one_group_without_data_bytes() -> None:
    sparse = KeyColumn(width=8, typlen=8, typalign="d", n_distinct=-0.1, null_frac=0.9)
    dense = KeyColumn(width=8, typlen=8, typalign="d", n_distinct=-1.0)
    rows = 500_000
    estimate = estimate_btree_size([sparse], rows)
    assert estimate.deduplicated and round(estimate.groups) == 50_001  # the non-null values and the NULL group
    assert estimate.bytes < estimate_btree_size([dense], rows).bytes / 2
    assert "deduplicated into ~50,001 key groups" in estimate.describe()


def test_it_aligns_long_varlena_values_and_grows_with_the_rows() -> None:
    short = KeyColumn(width=20, typlen=-1, typalign="i", n_distinct=-1.0)
    long = KeyColumn(width=200, typlen=-1, typalign="i", n_distinct=-1.0)
    assert estimate_btree_size([long], 10_000).tuple_bytes == 208  # 8 + 200, 4-byte header aligned
    assert estimate_btree_size([short], 10_000).tuple_bytes == 32  # 8 + 20 with a 1-byte header, MAXALIGNed
    sizes = [estimate_btree_size([short], rows).bytes for rows in (1_000, 10_000, 100_000)]
    assert sizes == sorted(sizes) and sizes[0] < sizes[2]
