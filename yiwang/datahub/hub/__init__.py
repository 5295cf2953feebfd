"""Hub tables: the rows of a published resource, one database table per resource.

The columns come from the resource's published data items (``ResourceVersion.snapshot``).
Other apps read rows only through :mod:`.read`; ingestion writes them through
:mod:`.store`. Values are converted and checked by :mod:`.values`, the one place that knows
how a data type is written, stored and compared.

Personal data at rest: an item that identifies a person, or whose grade is 4 or above, is
stored SM4-encrypted (as the kernel stores personal fields) beside a keyed blind index, so
it can still be found by exact value without decrypting the table.
"""
