from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import typer

from ..errors import ConfigError
from ..io.readers import Input, read_inputs
from ..layout.sections import Layout, LineTrace
from ..records.items import Item, walk
from ..records.schema import ErrorRecord, Record
from ..run.extractor import Extractor
from .main import CONFIG_HELP, OVERRIDES, Arg, Opt, app, fail, split_overrides


def render(record: Record, *, color: bool = True, notes: dict | None = None) -> str:
    """One document's claims, with mentions marked in the sentence and listed below it.

    ``notes`` maps (start, end, label) of a mention to lines saying how it came about
    (lexicons matched, head or object taken in).
    """
    notes = notes or {}
    style = typer.style if color else (lambda text, **_: text)
    lines = [
        style(f"{record.doc_id}: {record.title or '(no title)'}", bold=True),
        f"layout {record.layout}, {len(record.sections)} sections, {len(record.citations)} citations, "
        f"{len(record.claims)} claims",
    ]
    heads = {s.id: (f"{s.number}. " if s.number is not None else "") + (s.heading or s.kind) for s in record.sections}
    inside: dict[tuple[str | None, str], list[Item]] = defaultdict(list)  # (claim id, level) -> its items
    for level in ("mentions", "hedges", "quantities", "actors"):
        for i in walk(record, level):
            inside[i.claim_id, level].append(i)
    current = None
    for claim in (c.model for c in walk(record, "claims")):
        if claim.section_id != current:
            current = claim.section_id
            lines += ["", style(f"[{claim.section_id}] {heads[claim.section_id]}", underline=True)]
        mentions = inside[claim.id, "mentions"]
        marked, pos = [], claim.start
        for m in mentions:
            if m.start < pos:
                continue
            marked += [record.text[pos : m.start], style(f"[{m.text}]", fg="green", bold=True)]
            pos = m.end
        marked.append(record.text[pos : claim.end])
        lines.append(f"  {claim.id} ({claim.certainty}) " + "".join(marked))
        for m in mentions:
            lines.append(f"      tactic    {m.label:<26} {m.text!r:<32} {m.rule_id}")
            lines.extend(
                f"                {'':<26} {style(note, dim=True)}" for note in notes.get((m.start, m.end, m.label), ())
            )
        for h in inside[claim.id, "hedges"]:
            lines.append(f"      {h.label:<9} {'':<26} {h.text!r:<32} {h.rule_id}")
        for q in inside[claim.id, "quantities"]:
            lines.append(f"      quantity  {str(q.model.value) + ' ' + q.model.unit:<26} {q.text!r:<32} {q.rule_id}")
        for a in inside[claim.id, "actors"]:
            lines.append(f"      actor     {a.label:<26} {a.text!r:<32} {a.rule_id}")
        if claim.citation_refs:
            lines.append(f"      cites     {claim.citation_refs}")
    for w in record.warnings:
        lines.append(style(f"warning {w.code}: {w.message}", fg="yellow"))
    return "\n".join(lines)


def render_sections(inp: Input, layout: Layout, trace: list[LineTrace], *, color: bool = True, width: int = 60) -> str:
    """Every non-blank line with the role and rule it got, its section and the splitter's notes.

    Notes say why a candidate heading was not taken (W102, too long, not a repeat),
    where a body on a heading's line starts, and which numbering jumped (W101).
    ``width`` is how many characters of each line are shown.
    """
    style = typer.style if color else (lambda text, **_: text)
    text = inp.text or ""
    sid = [f"s{i + 1}" for i in range(len(layout.sections))]
    title = layout.title or inp.title
    lines = [
        style(f"{inp.doc_id}: {title or '(no title)'}", bold=True),
        f"layout {layout.layout}, {len(layout.sections)} sections, {len(trace)} non-blank lines",
        "",
        f"{'line':>5}  {'section':<7}  {'role':<15} {'rule':<30} text",
    ]
    for t in trace:
        shown = " ".join(text[t.start : t.end].split())
        shown = shown if len(shown) <= width else shown[: width - 1] + "\u2026"
        role = style(f"{t.role:<15}", bold=t.role in ("heading", "summary_label", "summary_inline", "title"))
        lines.append(f"{t.line:>5}  {sid[t.section]:<7}  {role} {t.rule_id or '-':<30} {shown}")
        for note in t.notes:
            flag = note.startswith(("not a", "W10"))
            lines.append(" " * 16 + style(f"\u21b3 {note}", fg="yellow" if flag else None, dim=not flag))
    lines += ["", "sections:"]
    for i, s in enumerate(layout.sections):
        head = (f"{s.number}. " if s.number is not None else "") + (repr(s.heading) if s.heading is not None else "")
        lines.append(f"  {sid[i]:<4} {s.kind:<11} {f'{s.start}-{s.end}':<11} {s.rule_id or '(prose)':<30} {head}")
    for code, message in [*inp.warnings, *layout.warnings]:
        lines.append(style(f"warning {code}: {message}", fg="yellow"))
    return "\n".join(lines)


def _explain_sections(path: str, config: Path | None, overrides: dict, color: bool, width: int) -> None:
    """``explain --sections``: the section splitter only (no spaCy pipeline is built)."""
    from ..config.pipeline import read_pipeline_config, settings_for
    from ..layout.sections import SectionSplitter

    try:
        settings = settings_for(read_pipeline_config(config, overrides))
        splitter = SectionSplitter(settings)
        inputs = list(read_inputs([path], settings.settings.input))
    except ConfigError as exc:
        fail(exc)
    failed = False
    for n, inp in enumerate(inputs):
        if inp.error is not None:
            failed = True
            typer.echo(f"error {inp.error.code}: {inp.error.message}", err=True)
            continue
        trace: list[LineTrace] = []
        layout = splitter(inp.text, trace, markup=inp.markup)
        typer.echo(("\n" if n else "") + render_sections(inp, layout, trace, color=color, width=width))
    raise typer.Exit(1 if failed else 0)


@app.command("explain", context_settings=OVERRIDES)
def explain_cmd(
    ctx: typer.Context,
    path: str = Arg(..., help="A document (any input format; a JSONL file shows every record)."),
    rules: list[str] = Opt(None, "--rules", "-r", help="Rule packs to use [default: the configured packs]."),
    config: Path | None = Opt(None, "--config", "-c", help=CONFIG_HELP),
    color: bool = Opt(True, "--color/--no-color", help="Colour the output."),
    sections: bool = Opt(
        False,
        "--sections",
        "-s",
        help="Show how the page was split instead: each line's role, rule id and section, "
        "and why a candidate heading was not taken.",
    ),
    width: int = Opt(60, "--width", min=10, help="With --sections: characters of each line shown."),
) -> None:
    """Show a document's claims with the tactics, rule ids, hedges, quantities and citations found.

    Under each tactic mention: the lexicons its words matched and the head, words
    before it or object window its rule took in. With --sections: every non-blank
    line with the role and line rule it got, the section it belongs to, and notes
    (W101/W102, a heading too long, a repeat refused, where a body on a heading's
    line starts), then the sections.
    """
    rest, overrides = split_overrides(ctx.args)
    if rest:
        raise typer.BadParameter(f"unexpected arguments: {' '.join(rest)}")
    if sections:
        _explain_sections(path, config, overrides, color, width)
    try:
        extractor = Extractor(pipeline=config, overrides=overrides, packs=rules or None)
        pairs = list(extractor.with_docs(read_inputs([path], extractor.config.settings.input)))
    except ConfigError as exc:
        fail(exc)
    rules_pipe = extractor.nlp.get_pipe("claimx_rules") if "claimx_rules" in extractor.nlp.pipe_names else None
    failed = False
    for rec, doc in pairs:
        if isinstance(rec, ErrorRecord):
            failed = True
            typer.echo(f"error {rec.code}: {rec.message}", err=True)
            continue
        notes = (
            {(s.start_char, s.end_char, s.label_): rules_pipe.describe(s) for s in doc.spans["tactics"]}
            if rules_pipe is not None
            else {}
        )
        typer.echo(render(rec, color=color, notes=notes))
    raise typer.Exit(1 if failed else 0)
