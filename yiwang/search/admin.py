from django.contrib import admin

from .models import SearchDocument


@admin.register(SearchDocument)
class SearchDocumentAdmin(admin.ModelAdmin):
    """Read-only view of the index, for checking what search sees."""

    list_display = ("kind", "key", "title", "public", "updated_at")
    list_filter = ("kind", "public")
    search_fields = ("key", "title", "initials")
    readonly_fields = [f.name for f in SearchDocument._meta.fields]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
