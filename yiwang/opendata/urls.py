from django.urls import path, register_converter

from . import ckan, views

app_name = "opendata"


class NameConverter:
    """A CKAN name: lower-case a-z, 0-9, - and _, 2–100 characters."""

    regex = "[a-z0-9_-]{2,100}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class RdfFormat:
    regex = "ttl|jsonld"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class FileFormat:
    regex = "csv|json|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(NameConverter, "ckanname")
register_converter(RdfFormat, "rdf")
register_converter(FileFormat, "fileformat")

urlpatterns = [
    path("open/", views.index, name="index"),
    path("open/api/", views.api_doc, name="api_doc"),
    path("open/<ckanname:name>/", views.dataset, name="dataset"),
    path("open/<ckanname:name>/data.<fileformat:fmt>", views.download, name="download"),
    path("api/3/action/<str:name>", ckan.action, name="ckan"),
    # CKAN answers without the version too (ckanapi calls /api/action/…)
    path("api/action/<str:name>", ckan.action, name="ckan_unversioned"),
    path("catalog.<rdf:fmt>", views.catalog_rdf, name="catalog_rdf"),
    path("dataset/<ckanname:name>.<rdf:fmt>", views.dataset_rdf, name="dataset_rdf"),
    path("dataset/<ckanname:name>", views.dataset_iri, name="dataset_iri"),
]
