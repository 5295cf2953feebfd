"""The baseline's table, created with raw SQL by ``bench.world.create_bench_table`` (unmanaged)."""

from django.db import models


class BenchWrite(models.Model):
    ref = models.CharField(max_length=64)
    n = models.IntegerField(default=0)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        managed = False
        db_table = "bench_write"
        app_label = "bench"

    def __str__(self) -> str:
        return self.ref
