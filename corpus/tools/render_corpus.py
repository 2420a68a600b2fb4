"""Render the committed corpus from the two seed texts in ../shared/seeds.

Run from the repo root:  python corpus/tools/render_corpus.py [--seeds DIR] [--out DIR]

Writes the meeting-papers bundle as Markdown (seed kept literally) and as a paginated A4 PDF
(fpdf2 + DejaVu), the news article as a published-looking HTML page, and a `<file>.meta.json`
sidecar next to each. Output is deterministic: fixed dates, no randomness, so a re-run gives the
same bytes.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ inside corpus/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from pdf_layout import Renderer  # noqa: E402

REPO = Path(__file__).resolve().parents[2]

BUNDLE_STEM = "ho21-mote-2-2026-motepapirer"
ARTICLE_STEM = "2026-06-24-rundebordsserie-om-helsedata"
BUNDLE_TITLE = "HelseOmsorg21-rådet – møtepapirer møte 2/2026"
BUNDLE_DATE = "2026-03-04"  # the meeting the papers were sent out for
ARTICLE_DATE = "2026-06-24"
PDF_CREATED = datetime(2026, 3, 4, 8, 0, tzinfo=timezone.utc)

# ---------------------------------------------------------------------------- seeds


def find_seed(seeds: Path, prefix: str) -> Path:
    hits = sorted(seeds.glob(f"{prefix}_*.txt"))
    if not hits:
        sys.exit(f"fant ingen {prefix}_*.txt i {seeds}")
    return hits[0]


def normalise_markdown(raw: str) -> str:
    """Only line endings and trailing spaces change; tabs stay (they separate table cells)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip(" ") for line in text.split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


# ---------------------------------------------------------------------------- HTML article

PAGE_TEMPLATE = """<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - HelseOmsorg21</title>
<meta name="description" content="{lead_attr}">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{date}T08:00:00+02:00">
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; color: #1d1d1b; }}
.site-header, .site-footer {{ background: #003b5c; color: #fff; padding: 1rem 2rem; }}
.site-header a, .site-footer a {{ color: #fff; }}
article {{ max-width: 42rem; margin: 2rem auto; line-height: 1.6; }}
.ingress {{ font-size: 1.2rem; }}
.published {{ text-transform: uppercase; font-size: .8rem; color: #555; }}
</style>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"pageType": "news"}});</script>
</head>
<body>
<header class="site-header">
<a class="logo" href="/">HelseOmsorg21</a>
<nav aria-label="Hovedmeny">
<ul>
<li><a href="/om-radet/">Om rådet</a></li>
<li><a href="/moter/">Møter og saksdokumenter</a></li>
<li><a href="/nyheter/">Nyheter</a></li>
<li><a href="/monitor/">HelseOmsorg21-monitor</a></li>
<li><a href="/kontakt/">Kontakt</a></li>
</ul>
</nav>
<form class="search" action="/sok/" role="search"><label for="q">Søk</label> <input id="q" name="q"> <button>Søk</button></form>
</header>
<nav class="breadcrumbs" aria-label="Brødsmulesti"><a href="/">Forside</a> › <a href="/nyheter/">Nyheter</a> › {title}</nav>
<main id="innhold">
<article>
<h1>{title}</h1>
<p class="ingress">{lead}</p>
<p class="published">{published_label} <time datetime="{date}">{published_text}</time></p>
{body}
</article>
</main>
<aside class="global-messages" role="status"><p>{notice}</p></aside>
<footer class="site-footer">
<p>HelseOmsorg21-rådet · Sekretariat: Norges forskningsråd, Drammensveien 288, Oslo</p>
<ul><li><a href="/personvern/">Personvern</a></li><li><a href="/informasjonskapsler/">Informasjonskapsler</a></li><li><a href="/tilgjengelighet/">Tilgjengelighetserklæring</a></li></ul>
</footer>
<script>document.querySelectorAll('nav a').forEach(function (a) {{ a.rel = 'noopener'; }});</script>
</body>
</html>
"""


def render_article(raw: str) -> tuple[str, str]:
    """Return (html, title). The seed is title, lead, byline, body paragraphs, print notice."""
    paras = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", raw.replace("\r\n", "\n"))]
    paras = [p for p in paras if p]
    title, lead = paras[0], paras[1]
    byline_idx = next(i for i, p in enumerate(paras) if p.upper().startswith("PUBLISERT"))
    label, _, when = paras[byline_idx].partition(" ")
    rest = paras[byline_idx + 1:]
    # "Det ble ikke vist noen globale meldinger…" is the site's print notice, not the article.
    notice = next((p for p in rest if "globale meldinger" in p), "")
    body = [p for p in rest if p != notice]
    page = PAGE_TEMPLATE.format(
        title=html.escape(title, quote=False),
        lead=html.escape(lead, quote=False),
        lead_attr=html.escape(lead),
        date=ARTICLE_DATE,
        published_label=html.escape(label),
        published_text=html.escape(when),
        body="\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in body),
        notice=html.escape(notice, quote=False),
    )
    return page, title


# ---------------------------------------------------------------------------- main


def write_meta(path: Path, title: str, date: str, doc_type: str) -> None:
    meta = {"title": title, "date": date, "doc_type": doc_type, "access": "public"}
    path.with_name(path.name + ".meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    parser.add_argument("--out", type=Path, default=REPO / "corpus")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    bundle = normalise_markdown(find_seed(args.seeds, "001").read_text(encoding="utf-8"))
    md_path = args.out / f"{BUNDLE_STEM}.md"
    md_path.write_text(bundle, encoding="utf-8")
    write_meta(md_path, BUNDLE_TITLE, BUNDLE_DATE, "motepapirer")

    pdf_path = args.out / f"{BUNDLE_STEM}.pdf"
    pdf_meta = {"title": BUNDLE_TITLE, "author": "HelseOmsorg21-rådet",
                "subject": "Saksfremlegg, vedlegg og referat til rådsmøte 2/2026, 4. mars 2026"}
    pages = Renderer().render(bundle, pdf_path, pdf_meta, PDF_CREATED)
    write_meta(pdf_path, BUNDLE_TITLE, BUNDLE_DATE, "motepapirer")

    page_html, title = render_article(find_seed(args.seeds, "000").read_text(encoding="utf-8"))
    html_path = args.out / f"{ARTICLE_STEM}.html"
    html_path.write_text(page_html, encoding="utf-8")
    write_meta(html_path, title, ARTICLE_DATE, "nyhet")
    print(f"skrev {md_path.name}, {pdf_path.name} ({pages} sider), {html_path.name} og sidecars til {args.out}")


if __name__ == "__main__":
    main()
