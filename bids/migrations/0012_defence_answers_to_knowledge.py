"""R-KB-1, R-BID-3: one answer library. Every defence answer of the bids' library becomes a
reusable bid answer of the knowledge base (``knowledge.Article`` of kind ``bid_answer``):
the question is the title (one longer than a title is cut there, ending "…", and kept whole in
the summary), the answer the body; product, industry, owner (else whoever created it, else the
first superuser, else the first user) and the owner's team; visible to the whole company,
published, with its version, dates and its history (each former history row an article
history row). Its search keys are written as ``Article.save()`` writes them.

The questions copied from a library answer (and their history rows) are linked to its article
in ``library_article``; migration 0013 drops the former library and makes that field
``from_library``. Going back leaves the articles in the knowledge base, the questions
unlinked."""

import django.db.models.deletion
from django.db import migrations, models

TITLE_MAX = 200
CUT = "…"


def _question_fields(question):
    question = (question or "").strip()
    if len(question) <= TITLE_MAX:
        return {"title": question, "summary": ""}
    return {"title": question[: TITLE_MAX - len(CUT)] + CUT, "summary": question}


def _fallback_owner(apps, answer, HistoricalDefenceAnswer):
    User = apps.get_model("presales", "User")
    creator = (
        HistoricalDefenceAnswer.objects.filter(id=answer.pk, history_user__isnull=False)
        .order_by("history_date", "history_id")
        .values_list("history_user_id", flat=True)
        .first()
    )
    if creator is not None:
        return creator
    user = User.objects.filter(is_superuser=True).order_by("id").first() or User.objects.order_by("id").first()
    if user is None:
        raise RuntimeError("A library answer has no owner and there is no user to own its article.")
    return user.pk


def _write_search_keys(schema_editor, article):
    if schema_editor.connection.vendor != "postgresql":
        return
    from knowledge.tokens import tsvector_literal

    fields = [
        (article.title, "A"),
        (" ".join([article.summary, "", article.product]), "B"),
        (article.body, "C"),
    ]
    schema_editor.execute(
        "UPDATE knowledge_article SET search_vector = %s::tsvector, rank_vector = %s::tsvector WHERE id = %s",
        params=[tsvector_literal(fields), tsvector_literal(fields[:2]), article.pk],
    )


def forwards(apps, schema_editor):
    DefenceAnswer = apps.get_model("bids", "DefenceAnswer")
    HistoricalDefenceAnswer = apps.get_model("bids", "HistoricalDefenceAnswer")
    DefenceQuestion = apps.get_model("bids", "DefenceQuestion")
    HistoricalDefenceQuestion = apps.get_model("bids", "HistoricalDefenceQuestion")
    Article = apps.get_model("knowledge", "Article")
    HistoricalArticle = apps.get_model("knowledge", "HistoricalArticle")
    User = apps.get_model("presales", "User")
    teams = {}

    def team_of(user_id):
        if user_id not in teams:
            teams[user_id] = User.objects.filter(pk=user_id).values_list("team_id", flat=True).first()
        return teams[user_id]

    for answer in DefenceAnswer.objects.order_by("id").iterator(chunk_size=500):
        owner_id = answer.owner_id or _fallback_owner(apps, answer, HistoricalDefenceAnswer)
        article = Article.objects.create(
            kind="bid_answer",
            body=answer.answer,
            product=answer.product,
            industry=answer.industry,
            owner_id=owner_id,
            team_id=team_of(owner_id),
            visibility="company",
            status="published",
            published_at=answer.created_at,
            version=answer.version,
            **_question_fields(answer.question),
        )
        # created_at / updated_at are set on save: give the answer's own back.
        Article.objects.filter(pk=article.pk).update(created_at=answer.created_at, updated_at=answer.updated_at)
        _write_search_keys(schema_editor, article)
        rows = list(HistoricalDefenceAnswer.objects.filter(id=answer.pk).order_by("history_date", "history_id"))
        for row in rows:
            row_owner = row.owner_id or owner_id
            HistoricalArticle.objects.create(
                id=article.pk,
                created_at=answer.created_at,
                version=row.version,
                kind="bid_answer",
                body=row.answer,
                product=row.product,
                industry=row.industry,
                owner_id=row_owner,
                team_id=team_of(row_owner),
                visibility="company",
                status="published",
                published_at=answer.created_at,
                history_date=row.history_date,
                history_change_reason=row.history_change_reason,
                history_type=row.history_type,
                history_user_id=row.history_user_id,
                **_question_fields(row.question),
            )
        if not rows:
            HistoricalArticle.objects.create(
                id=article.pk,
                created_at=answer.created_at,
                version=answer.version,
                kind="bid_answer",
                title=article.title,
                summary=article.summary,
                body=article.body,
                product=article.product,
                industry=article.industry,
                owner_id=owner_id,
                team_id=article.team_id,
                visibility="company",
                status="published",
                published_at=answer.created_at,
                history_date=answer.updated_at,
                history_type="+",
                history_user_id=answer.owner_id,
            )
        DefenceQuestion.objects.filter(from_library_id=answer.pk).update(library_article_id=article.pk)
        HistoricalDefenceQuestion.objects.filter(from_library_id=answer.pk).update(library_article_id=article.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("bids", "0011_risks"),
        ("knowledge", "0004_article_product_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="defencequestion",
            name="library_article",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="knowledge.article",
                verbose_name="copied from the library",
            ),
        ),
        migrations.AddField(
            model_name="historicaldefencequestion",
            name="library_article",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="knowledge.article",
                verbose_name="copied from the library",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
