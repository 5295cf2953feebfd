"""Data sharing (数据共享, C15): requests for a catalogue resource's items, their review by
the data authority and the provider, disputes and coordination, and the grants they produce.

The models live in ``sharing.models`` (imported by ``datahub.models`` so Django registers
them), the state changes in ``datahub.actions.sharing``, the reading side in
``sharing.queries``, the pages in ``datahub.sharing_views`` and the periodic sweep in
``datahub.sharing_tasks`` (outside this package, so that it never imports the actions).
"""
