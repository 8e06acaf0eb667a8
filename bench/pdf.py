"""Benchmark of the document framework (issue 12): a 30-page Chinese solution document.

Builds, inside a transaction that is rolled back at the end, an approved solution version with
twelve sections of mixed Chinese and English text, ten images (PNG, inline as the editor
stores them) and a quote of 300 lines; then renders its customer copy

- through the app's framework (``presales.documents.render.render_document``: context,
  template, branding, safe fetcher, WeasyPrint), and
- with WeasyPrint alone on the very same HTML (the framework's HTML rendered once),

each ``--repeat`` times (median), and prints the render times and their ratio, the peak
memory of the process (RSS), the file size, the page count and the fonts embedded (with
pdffonts: name, embedded, subset). Targets: ratio <= 1.3, peak RSS <= 600 MB, file <= 3 MB,
fonts subset.

Run:  DJANGO_SETTINGS_MODULE=presales.settings.test python bench/pdf.py [--repeat 3]
The database is ``BENCH_DATABASE_URL`` or ``DATABASE_URL``'s name + ``_bench`` (as bench/timers.py).
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presales.settings.test")

from bench.timers import bench_database_url, ensure_database  # noqa: E402

PARAGRAPH = (
    "本方案面向智能制造场景，围绕能耗监测、设备联网与生产数据采集展开。系统采用边缘网关 "
    "(Edge Gateway) 汇聚 PLC、电表与传感器数据，经 MQTT 上送至平台，实现 7×24 小时在线监控、"
    "异常告警与能效分析。The platform supports OPC UA, Modbus TCP and BACnet, and exposes a "
    "REST API for the customer's MES and ERP. 通过峰谷电价策略与负荷优化，预计年节能 12%–18%，"
    "投资回收期约 2.5 年。"
)


def png(seed: int) -> str:
    """A 600×300 PNG (a gradient with a band), inline as a data: URI."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 300), (240, 244, 250))
    draw = ImageDraw.Draw(image)
    for x in range(0, 600, 6):
        draw.line([(x, 0), (x, 300)], fill=((x + seed * 40) % 255, 120, (255 - x) % 255))
    draw.rectangle([40, 120, 560, 180], fill=(31, 78, 121))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def build_version():
    from opportunities.choices import Stage
    from proposals.models import QuoteLine, SolutionSection, SolutionVersion
    from proposals.solutions.choices import SectionKind
    from tests.factories import OpportunityFactory, TeamFactory, UserFactory
    from tests.proposals.solutions.factories import SolutionFactory, SolutionVersionFactory

    team = TeamFactory()
    engineer = UserFactory(team=team, is_superuser=True)
    opportunity = OpportunityFactory(
        team=team, presales_owner=engineer, sales_owner=engineer, stage=Stage.DEMO
    )
    solution = SolutionFactory(
        opportunity=opportunity, created_by=engineer, title="华东智能制造能耗管理平台 Energy Platform"
    )
    version = SolutionVersionFactory(solution=solution, number=1, author=engineer, status="draft")
    images = [png(i) for i in range(10)]
    kinds = list(SectionKind.values)
    for position, kind in enumerate(kinds):
        parts = [f"<h3>{position + 1}.{n + 1} 子章节 Subsection</h3><p>{PARAGRAPH * 3}</p>" for n in range(3)]
        if position < len(images):
            parts.insert(1, f'<p><img src="{images[position]}" alt="图 {position + 1}"></p>')
        SolutionSection.objects.create(
            solution_version=version, kind=kind, position=position, body_html="".join(parts)
        )
    QuoteLine.objects.bulk_create(
        QuoteLine(
            solution_version=version,
            position=n,
            kind="hardware" if n % 3 else "software",
            item=f"能耗监测终端 Energy meter EM-{n:03d}",
            specification="三相四线，0.5S 级，RS-485 / Modbus RTU",
            quantity=Decimal(1 + n % 7),
            unit="台",
            unit_cost=Decimal("700.00"),
            unit_price=Decimal("1000.00") + n,
            tax_rate=Decimal("13.00"),
            tax_inclusive=False,
        )
        for n in range(300)
    )
    SolutionVersion.objects.filter(pk=version.pk).update(status="approved")
    version.refresh_from_db()
    return version, engineer


def fonts_of(pdf: bytes) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(["pdffonts", handle.name], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[2:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", help="write the PDF here to look at it")
    args = parser.parse_args()
    url = bench_database_url()
    ensure_database(url)
    os.environ["DATABASE_URL"] = url

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from weasyprint import CSS, HTML

    from presales.documents.fetcher import BASE, SafeFetcher
    from presales.documents.registry import document_type
    from presales.documents.render import document_source, render_document

    call_command("migrate", verbosity=0, interactive=False)
    with transaction.atomic():
        version, user = build_version()
        kind = document_type("solution")
        assert kind is not None
        options = {"variant": "customer", "language": "zh-hans"}
        render_document(kind, version, user=user, **options)  # warm: fonts and templates loaded once
        framework, alone = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = render_document(kind, version, user=user, **options)
            framework.append(time.perf_counter() - start)
            source = document_source(kind, version, user=user, **options)
            start = time.perf_counter()
            fetcher = SafeFetcher()
            HTML(string=source.html, base_url=BASE, url_fetcher=fetcher).write_pdf(
                stylesheets=[CSS(string=source.css, url_fetcher=fetcher)]
            )
            alone.append(time.perf_counter() - start)
        transaction.set_rollback(True)
    if args.keep:
        Path(args.keep).write_bytes(result.pdf)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fonts = fonts_of(result.pdf)
    subset = all(line.split()[-4] == "yes" and line.split()[-5] == "yes" for line in fonts)
    f, a = statistics.median(framework), statistics.median(alone)
    print(f"pages: {result.pages}; quote lines: 300; images: 10; sections: 12")
    print(
        f"render through the framework: {f:.2f} s (median of {args.repeat}; runs {', '.join(f'{t:.2f}' for t in framework)})"
    )
    print(f"WeasyPrint alone, same HTML:  {a:.2f} s (runs {', '.join(f'{t:.2f}' for t in alone)})")
    print(f"ratio: {f / a:.2f} (target <= 1.3)")
    print(f"peak memory (RSS): {peak_mb:.0f} MB (target <= 600)")
    print(f"file size: {len(result.pdf) / 1024 / 1024:.2f} MB (target <= 3)")
    print(f"fonts embedded: {len(fonts)}, all embedded and subset: {subset}")
    for line in fonts:
        print(f"  {line}")


if __name__ == "__main__":
    main()
