from __future__ import annotations

from pathlib import Path

import typer

from ..errors import ConfigError
from ..packs import build_matcher, load_pack, resolve_packs
from ..settings import load_config
from .main import Arg, Opt, app

rules_app = typer.Typer(help="Inspect and validate rule packs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
def list_cmd(
    packs: list[str] = Arg(None, help="Pack names or folders [default: the configured packs]."),
    config: Path | None = Opt(None, "--config", "-c", help="Settings file."),
) -> None:
    """Labels of each pack with their definitions and rule counts."""
    try:
        cfg = load_config(config)
        loaded = resolve_packs(cfg, packs or None)
    except ConfigError as exc:
        typer.echo(f"claimx: error: [{exc.code}] {exc.message}", err=True)
        raise typer.Exit(2) from None
    for pack in loaded:
        m = pack.manifest
        typer.echo(f"{m.name}: {m.description}")
        counts: dict[str, int] = {}
        for item in pack.rules:
            counts[item.label] = counts.get(item.label, 0) + 1
        for title, labels in (("tactics", m.labels), ("actors", m.actor_labels)):
            if labels:
                typer.echo(f"  {title}:")
            for label, definition in labels.items():
                typer.echo(f"    {label:<26} {counts.get(label, 0):>4} rules  {definition}")
        typer.echo("")


@rules_app.command("check")
def check_cmd(
    paths: list[Path] = Arg(..., help="Pack folders, or folders holding packs (e.g. configs/rules)."),
    config: Path | None = Opt(None, "--config", "-c", help="Settings file (for the tokenizer and cues)."),
) -> None:
    """Validate packs: schema, unknown keys, labels, duplicate ids, spaCy token patterns.

    Prints ``path:line: message`` for each problem; exit code 1 when any.
    """
    from ..pipeline import build_nlp

    try:
        cfg = load_config(config)
        nlp = build_nlp(cfg, packs=[])
    except ConfigError as exc:
        typer.echo(f"claimx: error: [{exc.code}] {exc.message}", err=True)
        raise typer.Exit(2) from None
    folders: list[Path] = []
    for path in paths:
        if (path / "pack.yaml").exists():
            folders.append(path)
        else:
            folders.extend(sorted(p.parent for p in path.glob("*/pack.yaml")))
    if not folders:
        typer.echo(f"claimx: error: no pack.yaml under {', '.join(map(str, paths))}", err=True)
        raise typer.Exit(2)
    lemma, hyphens = nlp.get_pipe("claimx_lemmatizer").lemma, ["-", *cfg.settings.tokenizer.extra_hyphens]
    problems, everything = 0, []
    for folder in folders:
        try:
            pack = load_pack(folder)
            build_matcher(nlp.vocab, pack.rules, nlp.make_doc, lemma, hyphens)
            everything.extend(pack.rules)
            typer.echo(f"ok  {folder}: {len(pack.rules)} rules", err=True)
        except ConfigError as exc:
            problems += 1
            typer.echo(exc.message)
    if not problems:
        try:  # ids must be unique across packs too
            build_matcher(nlp.vocab, everything, nlp.make_doc, lemma, hyphens)
        except ConfigError as exc:
            problems += 1
            typer.echo(exc.message)
    raise typer.Exit(1 if problems else 0)



@rules_app.command("stats")
def stats_cmd(
    paths: list[str] = Arg(..., help="Documents to run the rules on (files, folders, '-')."),
    rules: list[str] = Opt(None, "--rules", "-r", help="Rule packs [default: the configured packs]."),
    out: Path | None = Opt(None, "--out", "-o", help="Write the table as CSV or JSON (by suffix)."),
    config: Path | None = Opt(None, "--config", "-c", help="Settings file."),
) -> None:
    """Per rule on unlabelled text: hits, share of documents and claims hit, overlaps, label conflicts."""
    from ..extract import Extractor
    from ..readers import read_inputs
    from ..rulestats import rule_stats

    try:
        cfg = load_config(config)
        table = rule_stats(Extractor(cfg, packs=rules or None)(read_inputs(paths, cfg.settings.input)))
    except ConfigError as exc:
        typer.echo(f"claimx: error: [{exc.code}] {exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(table.to_string(index=False) if len(table) else "no rule fired")
    if out is not None:
        table.to_json(out, orient="records", indent=2) if out.suffix == ".json" else table.to_csv(out, index=False)
