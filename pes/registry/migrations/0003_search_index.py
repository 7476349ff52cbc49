"""Full-text index on PostgreSQL (Italian configuration); SQLite searches the folded text."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "org_search_italian_gin"


def _index():
    return GinIndex(SearchVector("search_document", config="italian"), name=INDEX_NAME)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("registry", "Organization"), _index())


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("registry", "Organization"), _index())


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_load_reference")]
    operations = [migrations.RunPython(create, drop)]
