"""Reading LMDB databases of fixed-size records straight from the data file's pages.

py-lmdb hands back one Python ``bytes`` per key and per value; the readers here map
``data.mdb`` read-only and gather whole runs of records into NumPy arrays from the snapshot of
an open read transaction, declining (the caller then reads through py-lmdb) at anything they do
not expect. Two users, hence a package of its own below both: the analytics mirror
(:mod:`core.analytics.mirror`) and the ledger's verification (:mod:`core.ledger.verify_fast`).

- :mod:`core.lmdbpages.format`: the LMDB 0.9 on-disk format, as far as it is read here;
- :mod:`core.lmdbpages.reader`: :class:`~core.lmdbpages.reader.PageReader`, a run of records
  keyed by consecutive sequence numbers;
- :mod:`core.lmdbpages.scan`: :class:`~core.lmdbpages.scan.TreeScanner`, every record of a
  database of fixed-size keys and values, in key order.
"""
