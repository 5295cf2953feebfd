"""Ingestion: rows of a published resource loaded into its hub table.

- ``readers``: CSV (encoding detected), Excel .xlsx and .xls, JSON — a header and rows,
  streamed, with a reason when the file cannot be read at all;
- ``mapping``: the header matched to the published items (by column or Chinese name), one
  converter chosen per column;
- ``runner``: the job (``Ingestion``) from queued to done or failed — rows converted, bad
  values and duplicate keys reported per row, the others upserted in batches
  (``hub.store.write_rows``), progress per batch, the failed rows kept for download;
- ``pulls``: fetching rows from an HTTP JSON endpoint (``PullSource``) on a schedule;
- ``samples``: 人口-like CSV files with valid ID numbers (tests and the benchmark).

The actions that start jobs and manage pull sources are in ``datahub.actions.ingestion``,
the pages in ``datahub.ingestion_views``, the periodic pull sweep in
``datahub.ingestion_tasks`` (outside this package, which imports neither, so that the
catalogue's models and actions can import it).
"""
