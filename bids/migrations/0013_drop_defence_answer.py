"""R-KB-1, R-BID-3: the former defence answer library is gone (its answers are reusable bid
answers of the knowledge base since 0012): a question's ``from_library`` is the knowledge
article it was copied from."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("bids", "0012_defence_answers_to_knowledge")]

    operations = [
        migrations.RemoveField(model_name="defencequestion", name="from_library"),
        migrations.RemoveField(model_name="historicaldefencequestion", name="from_library"),
        migrations.RenameField(model_name="defencequestion", old_name="library_article", new_name="from_library"),
        migrations.RenameField(
            model_name="historicaldefencequestion", old_name="library_article", new_name="from_library"
        ),
        migrations.RemoveField(model_name="historicaldefenceanswer", name="history_user"),
        migrations.RemoveField(model_name="historicaldefenceanswer", name="owner"),
        migrations.DeleteModel(name="DefenceAnswer"),
        migrations.DeleteModel(name="HistoricalDefenceAnswer"),
    ]
