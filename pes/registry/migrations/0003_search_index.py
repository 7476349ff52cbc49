"""Full-text search on PostgreSQL (Italian configuration).

A stored generated ``tsvector`` column with a GIN index, so that ranking reads the vector
instead of recomputing it for every matching row. The column exists on PostgreSQL only and is
not a model field (the database fills it); SQLite searches the folded ``search_document``.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE registry_organization
    ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('italian'::regconfig, search_document)) STORED;
CREATE INDEX org_search_vector_gin ON registry_organization USING GIN (search_vector);
"""
BACKWARD = """
DROP INDEX IF EXISTS org_search_vector_gin;
ALTER TABLE registry_organization DROP COLUMN IF EXISTS search_vector;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_load_reference")]
    operations = [migrations.RunPython(create, drop)]
