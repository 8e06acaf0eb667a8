import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE","presales.settings.test")
django.setup()
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.db import connection
from presales.accounts.models import User
u=User.objects.get(username=sys.argv[1])
c=Client(); c.force_login(u)
with CaptureQueriesContext(connection) as ctx:
    r=c.get(sys.argv[2], HTTP_HOST="localhost")
q=max(ctx.captured_queries, key=lambda q: float(q["time"]))
print(q["sql"]); print()
with connection.cursor() as cur:
    cur.execute("EXPLAIN (ANALYZE, BUFFERS) "+q["sql"])
    for row in cur.fetchall(): print(row[0])
