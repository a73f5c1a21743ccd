# The access log is sharded into chains like the audit log (tinhso.audit.chain): the entries
# written before form the one chain "lgsp" (the chain of the existing head).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("data", "0004_h13_datastore_load"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesslog",
            name="chain",
            field=models.CharField(default="lgsp", editable=False, max_length=40),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="seq",
            field=models.BigIntegerField(),
        ),
        migrations.AlterModelOptions(
            name="accesslog",
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="data_accesslog_chain_seq"
            ),
        ),
    ]
