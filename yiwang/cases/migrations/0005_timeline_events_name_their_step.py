"""Timeline events that concluded a step (accept, pass_review, approve, refuse) recorded the step
the case moved on to instead of the step they concluded, until the fix in 0898a4c; the pages
then named the wrong step (a 初审 event read 复审). Correct the stored steps.

A process is a straight line (catalog.process: one accept step first, review steps, one decide,
conclude last) and each of these events moves the case one step on, so the k-th such event of
a case concluded the k-th step of its process. That holds for events written before and after
the fix alike, so the migration is safe to run whatever the events were written by. A case
whose events do not fit its process (an action of the wrong kind at that position) is left
alone. The reverse writes the old form back (the following step, or "" after the last).
"""

from django.db import migrations

#: Timeline actions that conclude the current step and the step kind each concludes.
STEP_KINDS = {
    "accept": {"accept"},
    "pass_review": {"review"},
    "approve": {"decide"},
    "refuse": {"decide"},
}
BATCH = 2000


def _old_step(steps: list, k: int) -> str:
    """What the old code stored for the k-th step: the step after it ("" after the last)."""
    return steps[k + 1]["key"] if k + 1 < len(steps) else ""


def _corrected(events, steps, *, forward: bool) -> list[tuple[int, str]]:
    """(event id, new step) for the events of one case, in order, whose step must change."""
    changed = []
    for k, (pk, action, stored) in enumerate(events):
        if k >= len(steps) or steps[k].get("kind") not in STEP_KINDS[action]:
            return []  # history that does not fit the process: leave the case as it is
        step = steps[k]["key"] if forward else _old_step(steps, k)
        if stored != step:
            changed.append((pk, step))
    return changed


def _cases(rows):
    """The events grouped by case: (process id, [(event id, action, step), ...])."""
    current, process_id, events = None, None, []
    for case_id, proc, pk, action, step in rows:
        if case_id != current:
            if events:
                yield process_id, events
            current, process_id, events = case_id, proc, []
        events.append((pk, action, step))
    if events:
        yield process_id, events


def _fix(apps, forward: bool) -> int:
    CaseEvent = apps.get_model("cases", "CaseEvent")
    ProcessDefinition = apps.get_model("catalog", "ProcessDefinition")
    steps_of = dict(ProcessDefinition.objects.values_list("pk", "steps"))
    rows = (
        CaseEvent.objects.filter(action__in=list(STEP_KINDS))
        .order_by("case_id", "at", "pk")
        .values_list("case_id", "case__process_id", "pk", "action", "step")
    )
    pending: list[tuple[int, str]] = []
    count = 0

    def write():
        CaseEvent.objects.bulk_update(
            [CaseEvent(pk=pk, step=step) for pk, step in pending], ["step"], batch_size=BATCH
        )
        pending.clear()

    for process_id, events in _cases(rows.iterator(chunk_size=BATCH)):
        changed = _corrected(events, steps_of.get(process_id) or [], forward=forward)
        pending.extend(changed)
        count += len(changed)
        if len(pending) >= BATCH:
            write()
    if pending:
        write()
    return count


def forwards(apps, schema_editor):
    _fix(apps, forward=True)


def backwards(apps, schema_editor):
    _fix(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_pending_uploads_and_deadline_flags"),
        ("catalog", "0003_item_case_region"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
