"""A trigram index for the catalogue's diacritics-insensitive substring search (PostgreSQL).

``search_text LIKE '%term%'`` cannot use a B-tree; a pg_trgm GIN index serves it (measured in
bench/notes.md: the count query over 10k procedures went from 5.8 ms to 0.6 ms). SQLite keeps
its plain scan, which is fast at the demo's size.
"""

from django.db import migrations

INDEX = "services_procedure_search_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON services_procedure "
        "USING gin (search_text gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("services", "0003_fees_results_ratings")]
    operations = [migrations.RunPython(forwards, backwards)]
